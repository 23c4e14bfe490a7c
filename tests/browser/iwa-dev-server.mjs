// The Isolated Web App's files over plain http for Chromium's IWA developer mode
// (--install-isolated-web-app-from-url, or CDP PWA.install with the URL): each file with the
// headers the Signed Web Bundle gives it (iwa/headers.mjs).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, normalize } from "node:path";
import { contentType, isolationHeaders } from "../../iwa/headers.mjs";

export async function serveIsolatedApp(dir) {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url, "http://localhost").pathname;
    const file = normalize(path.endsWith("/") ? `${path}index.html` : path);
    try {
      const body = await readFile(join(dir, file));
      response.writeHead(200, { "content-type": contentType(file), ...isolationHeaders });
      response.end(body);
    } catch {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}
