// Draws the app's icon (PNG, 256×256) without an image library: KamuSM red with a white
// e-signature card and its gold chip. Usage: node make-icon.mjs OUT.png
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const size = 256;
const red = [200, 16, 46, 255];
const white = [255, 255, 255, 255];
const gold = [212, 175, 55, 255];
const clear = [0, 0, 0, 0];

// Inside a rectangle with rounded corners of radius r.
function inRoundedRect(x, y, left, top, right, bottom, r) {
  if (x < left || x >= right || y < top || y >= bottom) return false;
  const cx = Math.min(Math.max(x, left + r), right - r);
  const cy = Math.min(Math.max(y, top + r), bottom - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function colour(x, y) {
  if (inRoundedRect(x, y, 92, 108, 132, 140, 6)) return gold;
  if (inRoundedRect(x, y, 56, 76, 200, 180, 14)) return white;
  if (inRoundedRect(x, y, 0, 0, size, size, 48)) return red;
  return clear;
}

const rows = [];
for (let y = 0; y < size; ++y) {
  const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
  for (let x = 0; x < size; ++x) Buffer.from(colour(x, y)).copy(row, 1 + x * 4);
  rows.push(row);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter, no interlace
writeFileSync(process.argv[2], Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", header), chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0)),
]));
