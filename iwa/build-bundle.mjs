// Packs build/iwa/app/ into a Signed Web Bundle (wbn + wbn-sign) signed with an Ed25519 key.
// Usage: node build-bundle.mjs APP_DIR KEY.pem OUT.swbn
// Prints the Web Bundle ID derived from the key.
import { createPrivateKey } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { BundleBuilder } from "wbn";
import { IntegrityBlockSigner, NodeCryptoSigningStrategy, WebBundleId } from "wbn-sign";
import { contentType, isolationHeaders } from "./headers.mjs";

const [appDir, keyFile, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node build-bundle.mjs APP_DIR KEY.pem OUT.swbn");
  process.exit(2);
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const key = createPrivateKey(readFileSync(keyFile));
const id = new WebBundleId(key);
const origin = id.serializeWithIsolatedWebAppOrigin(); // "isolated-app://<id>/"
const builder = new BundleBuilder("b2");
// Sorted, so that the same files give the same bundle.
for (const file of filesUnder(appDir).sort()) {
  const path = relative(appDir, file).split(sep).join("/");
  const headers = { "content-type": contentType(path), ...isolationHeaders };
  const body = readFileSync(file);
  builder.addExchange(origin + path, 200, headers, body);
  // The start URL "/" is the folder's index.html.
  if (path === "index.html") builder.addExchange(origin, 200, headers, body);
}
const bundle = builder.createBundle();
const signer = new IntegrityBlockSigner(bundle, id.serialize(), [new NodeCryptoSigningStrategy(key)]);
const { signedWebBundle } = await signer.sign();
writeFileSync(out, signedWebBundle);
console.log(id.serialize());
