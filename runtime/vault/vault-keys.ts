/**
 * Binary keys of the vault's sub-databases. Times are u64 big-endian so LMDB's byte order is time order
 * (range scans for the inbox and the expiry sweep need no index of their own).
 */
export const ID_BYTES = 32;

/** u64 big-endian from a plain number (hot path, no 64-bit integer boxing): millisecond times stay below 2^53. */
export function writeU64BE(buf: Buffer, value: number, offset: number): void {
  const v = Math.max(0, Math.floor(value));
  buf.writeUInt32BE(Math.floor(v / 0x1_0000_0000) >>> 0, offset);
  buf.writeUInt32BE(v >>> 0, offset + 4);
}

export function readU64BE(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) * 0x1_0000_0000 + buf.readUInt32BE(offset + 4);
}

export function timeIdKey(at: number, id: Uint8Array): Buffer {
  const k = Buffer.allocUnsafe(8 + ID_BYTES);
  writeU64BE(k, at, 0);
  k.set(id, 8);
  return k;
}

export function splitTimeIdKey(key: Uint8Array): { at: number; id: Uint8Array } {
  const b = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return { at: readU64BE(b, 0), id: new Uint8Array(b.subarray(8, 8 + ID_BYTES)) };
}

export function timeKey(at: number): Buffer {
  const k = Buffer.alloc(8);
  writeU64BE(k, at, 0);
  return k;
}

/** awaiting: node id (32) | bundle id (32); a prefix scan by node id lists what that node's bloom may retire. */
export function nodeIdKey(nodeId: Uint8Array, id: Uint8Array): Buffer {
  const k = Buffer.allocUnsafe(64);
  k.set(nodeId, 0);
  k.set(id, 32);
  return k;
}

/** trace: bundle id (32) | u64be at | u32be sequence, so one bundle's events are contiguous and in order. */
export function traceKey(id: Uint8Array, at: number, seq: number): Buffer {
  const k = Buffer.allocUnsafe(ID_BYTES + 12);
  k.set(id, 0);
  writeU64BE(k, at, ID_BYTES);
  k.writeUInt32BE(seq >>> 0, ID_BYTES + 8);
  return k;
}

/** The smallest key strictly after every key starting with `prefix` (for end-exclusive prefix ranges). */
export function prefixEnd(prefix: Uint8Array): Buffer {
  const k = Buffer.from(prefix);
  for (let i = k.length - 1; i >= 0; i--) {
    if (k[i]! < 0xff) {
      k[i]!++;
      return k.subarray(0, i + 1);
    }
  }
  return Buffer.concat([k, Buffer.from([0])]);
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
