/**
 * CRC-32 as the firmware's ErriezCRC32 `crc32Buffer` computes it: reflected polynomial 0xEDB88320, initial value
 * 0xFFFFFFFF, final complement (the common zlib/IEEE CRC-32). Written out because `zlib.crc32` only exists from
 * Node 20.15 and package.json promises Node 20.
 */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
