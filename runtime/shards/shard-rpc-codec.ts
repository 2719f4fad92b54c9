/**
 * Framing of the shard RPC over a byte stream: `L` `S` version(1) length(u32 BE) CBOR body. The two magic bytes let a
 * decoder that lost its place (garbage, a peer speaking something else) skip forward to the next frame instead of
 * reading a random length; skipped bytes are counted. Bodies longer than `maxFrame` are refused the same way.
 * Incremental: push(chunk) returns the complete bodies; one growing buffer, compacted, no per-chunk concat.
 */
import { Encoder } from 'cbor-x';
import { CborWriter } from './cbor-writer.js';

export const RPC_MAGIC_0 = 0x4c; // 'L'
export const RPC_MAGIC_1 = 0x53; // 'S'
export const RPC_VERSION = 1;
export const RPC_HEADER_BYTES = 7;
/** A manifest of a 1 GiB file is ~17 MB; nothing else comes close. */
export const DEFAULT_MAX_FRAME = 32 * 2 ** 20;

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const writer = new CborWriter();

export function encodeRpcFrame(body: unknown, maxFrame = DEFAULT_MAX_FRAME): Uint8Array {
  const out = writer.encodeAfter(RPC_HEADER_BYTES, body);
  const length = out.length - RPC_HEADER_BYTES;
  if (length > maxFrame) throw new RangeError(`RPC body of ${length} B exceeds ${maxFrame} B`);
  out[0] = RPC_MAGIC_0;
  out[1] = RPC_MAGIC_1;
  out[2] = RPC_VERSION;
  new DataView(out.buffer, out.byteOffset, RPC_HEADER_BYTES).setUint32(3, length);
  return out;
}

export function decodeRpcBody(body: Uint8Array): unknown {
  return cbor.decode(body);
}

/** The decoder's buffer to start with and to go back to once a bigger frame (a manifest) has passed through. */
const DECODER_BYTES = 64 * 1024;

export class RpcFrameDecoder {
  private buf = new Uint8Array(DECODER_BYTES);
  private start = 0;
  private end = 0;
  /** Bytes skipped while looking for a frame start. */
  discarded = 0;

  constructor(private readonly maxFrame = DEFAULT_MAX_FRAME) {}

  push(chunk: Uint8Array): Uint8Array[] {
    this.append(chunk);
    const out: Uint8Array[] = [];
    for (;;) {
      const avail = this.end - this.start;
      if (avail < RPC_HEADER_BYTES) {
        // Keep at most a possible header prefix; anything before a magic byte is garbage.
        this.skipToMagic(avail);
        break;
      }
      const b = this.buf;
      const s = this.start;
      if (b[s] !== RPC_MAGIC_0 || b[s + 1] !== RPC_MAGIC_1 || b[s + 2] !== RPC_VERSION) {
        this.start++;
        this.discarded++;
        continue;
      }
      const len = ((b[s + 3]! << 24) >>> 0) + (b[s + 4]! << 16) + (b[s + 5]! << 8) + b[s + 6]!;
      if (len > this.maxFrame) {
        this.start++;
        this.discarded++;
        continue;
      }
      if (avail < RPC_HEADER_BYTES + len) break;
      out.push(b.slice(s + RPC_HEADER_BYTES, s + RPC_HEADER_BYTES + len));
      this.start += RPC_HEADER_BYTES + len;
    }
    if (this.start === this.end) {
      this.start = this.end = 0;
      // One connection per peer lives as long as the relay: a buffer grown for a 1.7 MB manifest is not kept.
      if (this.buf.length > DECODER_BYTES) this.buf = new Uint8Array(DECODER_BYTES);
    }
    return out;
  }

  private skipToMagic(avail: number): void {
    for (let i = 0; i < avail; i++) {
      const c = this.buf[this.start]!;
      if (c === RPC_MAGIC_0 && (i + 1 >= avail || this.buf[this.start + 1] === RPC_MAGIC_1)) return;
      this.start++;
      this.discarded++;
    }
  }

  private append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      const need = live + chunk.length;
      if (need > this.buf.length || this.start === 0) {
        let size = this.buf.length;
        while (size < need) size *= 2;
        const next = new Uint8Array(size);
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      } else {
        this.buf.copyWithin(0, this.start, this.end);
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}
