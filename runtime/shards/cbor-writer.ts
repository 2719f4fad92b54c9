/**
 * CBOR encoding for the shard store whose scratch memory stays small. cbor-x grows its encoder's buffer to 4x the
 * value being encoded (node_modules/cbor-x/encode.js makeRoom) and keeps it as the buffer every later encode writes
 * into, allocating another of the same size each time it fills up. One manifest (~200 B per chunk, 1.7 MB for a
 * 100 MB file) through a module-level encoder therefore left a 7 MB buffer, and a new one every few thousand shard
 * messages, for the life of the relay. Here a value carrying more than BIG_BYTES of byte strings is encoded into a
 * buffer sized for it by a one-off encoder, and the shared encoder, should a value still outgrow it, is replaced.
 */
import { Encoder } from 'cbor-x';

const OPTIONS = { useRecords: false, mapsAsObjects: true, tagUint8Array: false } as const;
/** Values estimated above this get their own buffer. */
const BIG_BYTES = 64 * 1024;
/** A shared encoder whose buffer grew past this is dropped. */
const SCRATCH_CAP = 4 * BIG_BYTES;
/** cbor-x will not start encoding within 2 KB of its buffer's end (encode.js), and the estimate leaves out map keys. */
const SLACK = 8 * 1024;

/** Upper bound-ish of the encoded size: byte strings, strings (3 B per UTF-16 unit) and 9 B per other item. */
export function cborSizeHint(v: unknown, depth = 4): number {
  if (v instanceof Uint8Array) return v.length + 9;
  if (typeof v === 'string') return 3 * v.length + 9;
  if (typeof v !== 'object' || v === null || depth === 0) return 9;
  let n = 9;
  for (const x of Array.isArray(v) ? v : Object.entries(v).flat()) n += cborSizeHint(x, depth - 1);
  return n;
}

export class CborWriter {
  private shared = new Encoder(OPTIONS);

  /** The encoding of `value` (for small values a view of a shared buffer, valid until the caller drops it). */
  encode(value: unknown): Uint8Array {
    return this.encodeAfter(0, value);
  }

  /**
   * `header` bytes of room (not initialised) followed by the encoding of `value`, in one buffer: a framed message
   * without copying a big body a second time.
   */
  encodeAfter(header: number, value: unknown): Uint8Array {
    const hint = cborSizeHint(value);
    if (hint > BIG_BYTES) {
      const buf = Buffer.allocUnsafeSlow(header + hint + SLACK);
      const once = new Encoder(OPTIONS);
      // useBuffer is cbor-x's own (encode.js) but missing from its type declarations.
      (once as unknown as { useBuffer(b: Uint8Array): void }).useBuffer(buf.subarray(header));
      const body = once.encode(value);
      if (body.buffer === buf.buffer && body.byteOffset === buf.byteOffset + header) return buf.subarray(0, header + body.length);
      return withHeader(header, body);
    }
    const body = this.shared.encode(value);
    if (body.buffer.byteLength > SCRATCH_CAP) this.shared = new Encoder(OPTIONS);
    return header === 0 && body.buffer.byteLength <= SCRATCH_CAP ? body : withHeader(header, body);
  }
}

function withHeader(header: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(header + body.length);
  out.set(body, header);
  return out;
}
