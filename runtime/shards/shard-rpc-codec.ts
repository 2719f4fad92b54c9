/**
 * Framing of the shard RPC over a byte stream: `L` `S` version(1) length(u32 BE) CBOR body. The two magic bytes let a
 * decoder that lost its place (garbage, a peer speaking something else) skip forward to the next frame instead of
 * reading a random length; skipped bytes are counted. Bodies longer than `maxFrame` are refused the same way.
 * Incremental: push(chunk) returns the complete bodies; one growing buffer, compacted, no per-chunk concat.
 */
import { Encoder } from 'cbor-x';

export const RPC_MAGIC_0 = 0x4c; // 'L'
export const RPC_MAGIC_1 = 0x53; // 'S'
export const RPC_VERSION = 1;
export const RPC_HEADER_BYTES = 7;
/** A manifest of a 1 GiB file is ~17 MB; nothing else comes close. */
export const DEFAULT_MAX_FRAME = 32 * 2 ** 20;

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

export function encodeRpcFrame(body: unknown, maxFrame = DEFAULT_MAX_FRAME): Uint8Array {
  const payload = cbor.encode(body);
  if (payload.length > maxFrame) throw new RangeError(`RPC body of ${payload.length} B exceeds ${maxFrame} B`);
  const out = new Uint8Array(RPC_HEADER_BYTES + payload.length);
  out[0] = RPC_MAGIC_0;
  out[1] = RPC_MAGIC_1;
  out[2] = RPC_VERSION;
  new DataView(out.buffer).setUint32(3, payload.length);
  out.set(payload, RPC_HEADER_BYTES);
  return out;
}

export function decodeRpcBody(body: Uint8Array): unknown {
  return cbor.decode(body);
}

export class RpcFrameDecoder {
  private buf = new Uint8Array(64 * 1024);
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
    if (this.start === this.end) this.start = this.end = 0;
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
