// The size budget: everything a page loads for the app, as the server sends it to a browser that
// takes brotli. Bytes counted off the socket, before any decoding; each file must come
// precompressed (tests/build-web.sh writes the .br siblings) and say so. The budget is issue 12's
// target, 250 KB.
import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import { baseUrl } from "./harness.mjs";

const budget = 250 * 1000;
// What web/index.html, web/embed-snippet.html and shell/index.html load for the app: the page's
// own stand-in files and the demo module (demo mode only) are not the app's.
const appFiles = ["app.js", "kamusm-page.css", "kamusm_app.js", "kamusm_app.wasm"];

// The response's headers and its body's length as sent.
function sent(path) {
  return new Promise((resolve, reject) => {
    const call = request(new URL(path, baseUrl), { headers: { "Accept-Encoding": "gzip, deflate, br" } }, (response) => {
      let bytes = 0;
      response.on("data", (chunk) => { bytes += chunk.length; });
      response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, bytes }));
      response.on("error", reject);
    });
    call.on("error", reject);
    call.end();
  });
}

test(`the app as sent with brotli stays within ${budget} bytes`, async () => {
  let total = 0;
  const sizes = {};
  for (const file of appFiles) {
    const { status, headers, bytes } = await sent(`/${file}`);
    assert.equal(status, 200, file);
    assert.equal(headers["content-encoding"], "br", `${file} is sent as brotli`);
    assert.equal(headers.vary, "Accept-Encoding", file);
    sizes[file] = bytes;
    total += bytes;
  }
  console.log(`# app as sent with brotli: ${total} bytes (${JSON.stringify(sizes)}); budget ${budget}`);
  assert.ok(total <= budget, `${total} bytes sent for the app (${JSON.stringify(sizes)}), over ${budget}`);
});
