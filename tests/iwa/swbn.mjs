// Reads and verifies a Signed Web Bundle (WICG webpackage integrity block v2 + Web Bundle b2):
// the integrity block's signatures against their public keys, the Web Bundle ID of the first
// key, and the bundle's exchanges. Throws on anything malformed.
import { createHash, createPublicKey, verify } from "node:crypto";
import { decodeItem, plain } from "./cbor.mjs";

const integrityMagic = Buffer.from("🖋📦", "utf8"); // f0 9f 96 8b f0 9f 93 a6
const integrityVersion = Buffer.from([0x32, 0x62, 0x00, 0x00]); // "2b\0\0"
const bundleMagic = Buffer.from("🌐📦", "utf8");
const bundleVersion = Buffer.from([0x62, 0x32, 0x00, 0x00]); // "b2\0\0"
const ed25519Suffix = [0x00, 0x01, 0x02];

// RFC 4648 base32, lowercase, no padding.
export function base32(bytes) {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export const webBundleIdOf = (publicKey) => base32([...publicKey, ...ed25519Suffix]);

function bigEndian64(n) {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(n));
  return bytes;
}

function ed25519Key(raw) {
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") }, format: "jwk" });
}

export function readSignedWebBundle(file) {
  const block = decodeItem(file, 0);
  const [magic, version, attributes, signatures] = block.value;
  if (!Buffer.from(magic.value).equals(integrityMagic)) throw new Error("not an integrity block (magic)");
  if (!Buffer.from(version.value).equals(integrityVersion)) throw new Error("integrity block version is not 2b");
  const webBundleId = plain(attributes).get("webBundleId");
  const bundle = file.subarray(block.end);
  if (Number(Buffer.from(bundle.subarray(-8)).readBigUInt64BE()) !== bundle.length)
    throw new Error("the web bundle's length field does not match");

  // What each signature signs: the bundle's SHA-512, the integrity block without signatures,
  // and the signature's attributes, each preceded by its length (64-bit big-endian).
  const unsignedBlock = Buffer.concat([file.subarray(0, signatures.start), Buffer.from([0x80])]);
  const hash = createHash("sha512").update(bundle).digest();
  const keys = signatures.value.map((signature) => {
    const [signatureAttributes, signatureBytes] = signature.value;
    const publicKey = plain(signatureAttributes).get("ed25519PublicKey");
    if (!publicKey || publicKey.length !== 32) throw new Error("a signature without an Ed25519 key");
    const attributesBytes = file.subarray(signatureAttributes.start, signatureAttributes.end);
    const signed = Buffer.concat([bigEndian64(hash.length), hash, bigEndian64(unsignedBlock.length),
      unsignedBlock, bigEndian64(attributesBytes.length), attributesBytes]);
    if (!verify(null, signed, ed25519Key(publicKey), signatureBytes.value))
      throw new Error("a signature does not verify");
    return Buffer.from(publicKey);
  });
  if (keys.length === 0) throw new Error("no signature");
  return { webBundleId, publicKeys: keys, exchanges: readBundle(bundle) };
}

// The b2 Web Bundle's exchanges: URL → {status, headers, body}.
function readBundle(bundle) {
  const [magic, version, sectionLengths, sections] = decodeItem(bundle, 0).value;
  if (!Buffer.from(magic.value).equals(bundleMagic)) throw new Error("not a web bundle (magic)");
  if (!Buffer.from(version.value).equals(bundleVersion)) throw new Error("web bundle version is not b2");
  const names = plain(decodeItem(sectionLengths.value, 0)).filter((_, i) => i % 2 === 0);
  const section = (name) => sections.value[names.indexOf(name)];
  const responses = section("responses");
  const exchanges = new Map();
  for (const [url, location] of plain(section("index"))) {
    const [offset] = location;
    // Offsets count from the start of the responses section.
    const response = decodeItem(bundle, responses.start + offset).value;
    const headers = new Map([...plain(decodeItem(response[0].value, 0))]
      .map(([name, value]) => [name, Buffer.from(value).toString("utf8")]));
    exchanges.set(url, { status: Number(headers.get(":status")), headers, body: Buffer.from(response[1].value) });
  }
  return exchanges;
}
