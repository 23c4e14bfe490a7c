// The Isolated Web App's Signed Web Bundle, checked without the libraries that made it: the
// integrity block and its Ed25519 signature, the Web Bundle ID derived from the signing key (and
// printed by tests/build-iwa.sh), the manifest and the headers every response carries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSignedWebBundle, webBundleIdOf } from "./swbn.mjs";

const root = new URL("../../", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "kamusm-iwa-"));
const printed = execFileSync("bash", [join(root, "tests/build-iwa.sh")], {
  cwd: root, env: { ...process.env, KAMUSM_IWA_OUT: out }, encoding: "utf8",
}).trim().split("\n");
const file = readFileSync(join(out, "kamusm-pin.swbn"));
const keyFile = process.env.KAMUSM_IWA_KEY_FILE ?? join(root, "build/iwa-dev-key.pem");
process.on("exit", () => rmSync(out, { recursive: true, force: true }));

test("the last line names the Web Bundle ID of the signing key, and the bundle carries it", () => {
  const last = printed.at(-1);
  assert.match(last, /^web-bundle-id: [a-z2-7]{56}$/);
  const id = last.slice("web-bundle-id: ".length);
  const publicKey = createPublicKey(readFileSync(keyFile)).export({ format: "jwk" });
  assert.equal(webBundleIdOf(Buffer.from(publicKey.x, "base64url")), id);
  const bundle = readSignedWebBundle(file);
  assert.equal(bundle.webBundleId, id);
  assert.equal(webBundleIdOf(bundle.publicKeys[0]), id, "the ID is the signing key's");
});

test("the signature covers every byte of the bundle", () => {
  for (const at of [file.length - 100, Math.floor(file.length / 2)]) {
    const changed = Buffer.from(file);
    changed[at] ^= 0x01;
    assert.throws(() => readSignedWebBundle(changed), /signature does not verify|length|CBOR|magic/);
  }
});

test("the manifest: version, start URL, icons and the permissions policy for card access", () => {
  const { webBundleId, exchanges } = readSignedWebBundle(file);
  const origin = `isolated-app://${webBundleId}/`;
  const manifest = exchanges.get(`${origin}.well-known/manifest.webmanifest`);
  assert.ok(manifest, [...exchanges.keys()].join("\n"));
  const json = JSON.parse(manifest.body.toString("utf8"));
  assert.match(json.version, /^\d+\.\d+\.\d+$/);
  assert.equal(json.start_url, "/");
  assert.match(json.update_manifest_url, /^https:\/\/.*update\.json$/);
  for (const feature of ["usb", "usb-unrestricted", "smart-card", "cross-origin-isolated"])
    assert.deepEqual(json.permissions_policy[feature], ["self"], feature);
  for (const icon of json.icons) {
    const image = exchanges.get(origin + icon.src.replace(/^\//, ""));
    assert.ok(image, icon.src);
    assert.equal(image.headers.get("content-type"), "image/png");
  }
  assert.ok(exchanges.get(origin), "the start URL / is in the bundle");
});

test("every response is cross-origin isolated and requires Trusted Types", () => {
  const { exchanges } = readSignedWebBundle(file);
  assert.ok(exchanges.size >= 8);
  for (const [url, exchange] of exchanges) {
    assert.equal(exchange.status, 200, url);
    assert.equal(exchange.headers.get("cross-origin-embedder-policy"), "require-corp", url);
    assert.equal(exchange.headers.get("cross-origin-opener-policy"), "same-origin", url);
    assert.equal(exchange.headers.get("cross-origin-resource-policy"), "same-origin", url);
    const csp = exchange.headers.get("content-security-policy");
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, url);
    assert.match(csp, /require-trusted-types-for 'script'/, url);
    assert.match(csp, /connect-src 'self' https: wss:/, url);
    assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'/, url);
  }
});
