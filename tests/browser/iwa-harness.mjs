// The Isolated Web App in headless Chromium's IWA developer mode: the app's files (build/iwa/app,
// tests/build-iwa.sh) from a development server, installed with CDP PWA.install and opened with
// PWA.launch; the backend behind an https front (IWAs reach https: only) that answers for the
// name the build points the app at, with a demo server that allows the app's origin (CORS).
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { base32 } from "../iwa/swbn.mjs";
import { chromiumArgs, chromiumPath, startServer, watchContract } from "./harness.mjs";
import { serveIsolatedApp } from "./iwa-dev-server.mjs";

export const appDir = process.env.KAMUSM_IWA_APP ?? new URL("../../build/iwa/app/", import.meta.url).pathname;

// A developer-mode (proxy) Web Bundle ID: 32 random bytes and the suffix 00 00 02.
export const devModeBundleId = () => base32([...randomBytes(32), 0x00, 0x00, 0x02]);

// The app's backend as the build names it (data-api-base of build/iwa/app/index.html).
function apiBase() {
  const html = readFileSync(join(appDir, "index.html"), "utf8");
  return new URL(html.match(/data-api-base="([^"]+)"/)[1]);
}

// An https server with a throwaway self-signed certificate, passing every request on to
// `target` (http) as it came, Origin included.
async function httpsFront(target) {
  const dir = mkdtempSync(join(tmpdir(), "kamusm-tls-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
    "-nodes", "-days", "1", "-subj", "/CN=kamusm-test", "-keyout", join(dir, "key.pem"),
    "-out", join(dir, "cert.pem")], { stdio: "ignore" });
  const upstream = new URL(target);
  const server = createHttpsServer({
    key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")),
  }, (incoming, answer) => {
    const forwarded = httpRequest({
      host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url,
      headers: incoming.headers,
    }, (response) => {
      answer.writeHead(response.statusCode, response.headers);
      response.pipe(answer);
    });
    forwarded.on("error", () => { answer.writeHead(502); answer.end(); });
    incoming.pipe(forwarded);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: server.address().port, close: () => { server.close(); rmSync(dir, { recursive: true, force: true }); } };
}

// Starts everything and installs the app. Returns {context, origin, server, launch(), close()}:
// launch() opens a new app window and resolves with its page once the app has drawn a frame.
// `options` go to Playwright's launchPersistentContext (bypassCSP for the axe audit).
export async function startIsolatedApp(options = {}) {
  const id = devModeBundleId();
  const origin = `isolated-app://${id}`;
  const server = await startServer({ "--app-origins": origin });
  const front = await httpsFront(server.url);
  const dev = await serveIsolatedApp(appDir);
  const profile = mkdtempSync(join(tmpdir(), "kamusm-iwa-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    ...options,
    executablePath: chromiumPath,
    headless: true,
    args: [
      ...chromiumArgs,
      "--enable-features=IsolatedWebApps,IsolatedWebAppDevMode",
      "--enable-devtools-pwa-handler",
      `--host-resolver-rules=MAP ${apiBase().hostname} 127.0.0.1:${front.port}`,
      // The https front's certificate is self-signed.
      "--ignore-certificate-errors",
    ],
  });
  const blank = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(blank);
  await cdp.send("PWA.install", { manifestId: `${origin}/`, installUrlOrBundleUrl: dev.url });

  async function launch() {
    const opened = context.waitForEvent("page");
    await cdp.send("PWA.launch", { manifestId: `${origin}/` });
    const page = await opened;
    watchContract(page);
    const console = [];
    page.on("console", (message) => console.push({ type: message.type(), text: message.text() }));
    page.on("pageerror", (error) => console.push({ type: "pageerror", text: error.message }));
    for (const end = Date.now() + 30000; Date.now() < end;) {
      if (page.url().startsWith(origin) &&
          (await page.evaluate(() => performance.getEntriesByName("kamusm-first-frame").length > 0)
            .catch(() => false))) {
        return { page, console };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the app did not start in its window: ${page.url()} ${JSON.stringify(console)}`);
  }

  async function close() {
    await context.close().catch(() => {});
    dev.close();
    front.close();
    server.stop();
    rmSync(profile, { recursive: true, force: true });
  }
  return { context, origin, server, launch, close };
}
