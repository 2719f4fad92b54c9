/**
 * TCP stream framing of the IP bearer (for Lattice frames too big for one datagram, and the handshake that
 * authenticates the connection):
 *
 *   0  'L' 'S'  magic (0x4c 0x53)
 *   2  u8       type: 1 HELLO, 2 CHALLENGE, 3 AUTH, 4 DATA, 5 SHARD, 6 BUNDLE, 7 ACK (tcp-handshake.ts says what the
 *               first three carry; SHARD carries one fragment of a shard-store message, shard-fragments.ts; BUNDLE a
 *               numbered Lattice frame the acceptor acknowledges with ACK, ack-codec.ts)
 *   3  u32      payload length (big-endian), at most the decoder's maxPayloadBytes
 *   7  ...      payload
 *
 * The decoder is incremental (push(chunk) -> frames), works in one preallocated buffer of header + max payload,
 * and resynchronises on garbage by skipping to the next magic; every skipped byte is counted in `discardedBytes`.
 * An optional header check (stream-frame-caps.ts) may refuse a well-formed header before its payload is buffered;
 * the decoder then stops for good (`refused`) and its owner closes the connection.
 */
export const STREAM_HEADER_BYTES = 7;
const MAGIC0 = 0x4c;
const MAGIC1 = 0x53;

export const StreamType = { hello: 1, challenge: 2, auth: 3, data: 4, shard: 5, bundle: 6, ack: 7 } as const;
export type StreamTypeName = keyof typeof StreamType;
const TYPE_NAMES: Record<number, StreamTypeName> = { 1: 'hello', 2: 'challenge', 3: 'auth', 4: 'data', 5: 'shard', 6: 'bundle', 7: 'ack' };

export interface StreamFrame {
  type: StreamTypeName;
  payload: Uint8Array;
}

export function encodeStreamFrame(type: StreamTypeName, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(STREAM_HEADER_BYTES + payload.length);
  out[0] = MAGIC0;
  out[1] = MAGIC1;
  out[2] = StreamType[type];
  new DataView(out.buffer).setUint32(3, payload.length);
  out.set(payload, STREAM_HEADER_BYTES);
  return out;
}

/** Says whether a header of a known type and a length within the maximum may be buffered. */
export type StreamHeaderCheck = (type: StreamTypeName, length: number) => boolean;

export class StreamDecoder {
  /** Bytes skipped while looking for a frame (garbage, oversize or unknown-type headers). */
  discardedBytes = 0;
  /** Headers refused (unknown type or a length over the maximum). */
  badHeaders = 0;
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  /** The header check said no: nothing more is decoded. */
  refused = false;
  private fill = 0;

  constructor(readonly maxPayloadBytes: number, private readonly checkHeader?: StreamHeaderCheck) {
    if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 1) throw new RangeError(`maxPayloadBytes ${maxPayloadBytes}`);
    this.buf = new Uint8Array(STREAM_HEADER_BYTES + maxPayloadBytes);
    this.view = new DataView(this.buf.buffer);
  }

  push(chunk: Uint8Array): StreamFrame[] {
    const frames: StreamFrame[] = [];
    let off = 0;
    while (off < chunk.length && !this.refused) {
      const n = Math.min(this.buf.length - this.fill, chunk.length - off);
      this.buf.set(chunk.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
      this.drain(frames);
    }
    return frames;
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.fill;
  }

  private drain(frames: StreamFrame[]): void {
    const buf = this.buf;
    let start = 0;
    for (;;) {
      // Skip to a plausible frame start; a lone MAGIC0 at the end may be the start of the next chunk's magic.
      while (start < this.fill && !(buf[start] === MAGIC0 && (start + 1 === this.fill || buf[start + 1] === MAGIC1))) {
        start++;
        this.discardedBytes++;
      }
      if (this.fill - start < STREAM_HEADER_BYTES) break;
      const type = TYPE_NAMES[buf[start + 2]!];
      const length = this.view.getUint32(start + 3);
      if (!type || length > this.maxPayloadBytes) {
        this.badHeaders++;
        this.discardedBytes++;
        start++;
        continue;
      }
      if (this.checkHeader && !this.checkHeader(type, length)) {
        this.refused = true;
        this.fill = 0;
        return;
      }
      if (this.fill - start < STREAM_HEADER_BYTES + length) break;
      frames.push({ type, payload: buf.slice(start + STREAM_HEADER_BYTES, start + STREAM_HEADER_BYTES + length) });
      start += STREAM_HEADER_BYTES + length;
    }
    if (start > 0) {
      buf.copyWithin(0, start, this.fill);
      this.fill -= start;
    }
  }
}
