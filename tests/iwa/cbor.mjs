// A small CBOR reader for checking Signed Web Bundles independently of the libraries that wrote
// them: unsigned integers, byte and text strings, arrays and maps (definite lengths only, as
// deterministic CBOR requires). Each item comes back with the byte range it occupies.
export function decodeItem(bytes, at = 0) {
  const start = at;
  const head = bytes[at++];
  const major = head >> 5;
  let length = head & 0x1f;
  if (length >= 24) {
    const size = 1 << (length - 24); // 1, 2, 4 or 8 bytes follow
    if (size > 8) throw new Error(`CBOR: unsupported length encoding at ${start}`);
    length = 0;
    for (let i = 0; i < size; ++i) length = length * 256 + bytes[at++];
  }
  let value;
  switch (major) {
    case 0:
      value = length;
      break;
    case 2:
      value = bytes.subarray(at, at + length);
      at += length;
      break;
    case 3:
      value = Buffer.from(bytes.subarray(at, at + length)).toString("utf8");
      at += length;
      break;
    case 4:
      value = [];
      for (let i = 0; i < length; ++i) {
        const item = decodeItem(bytes, at);
        value.push(item);
        at = item.end;
      }
      break;
    case 5:
      value = new Map();
      for (let i = 0; i < length; ++i) {
        const key = decodeItem(bytes, at);
        const entry = decodeItem(bytes, key.end);
        value.set(typeof key.value === "string" ? key.value : Buffer.from(key.value).toString("latin1"), entry);
        at = entry.end;
      }
      break;
    default:
      throw new Error(`CBOR: unexpected major type ${major} at ${start}`);
  }
  if (at > bytes.length) throw new Error("CBOR: item runs past the end");
  return { value, start, end: at };
}

// The plain value of an item (nested items unwrapped).
export function plain(item) {
  if (Array.isArray(item.value)) return item.value.map(plain);
  if (item.value instanceof Map) return new Map([...item.value].map(([key, entry]) => [key, plain(entry)]));
  return item.value;
}
