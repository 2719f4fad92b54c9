/** Little-endian readers/writers over Uint8Array for MeshCore frames (the firmware memcpy()s native LE values). */
import { MeshCoreReplyFormatError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Enc = new TextEncoder();

export function encodeUtf8(s: string): Uint8Array {
  return utf8Enc.encode(s);
}

/** Decodes UTF-8; bytes cut mid-character by firmware truncation become U+FFFD rather than throwing. */
export function decodeUtf8(b: Uint8Array): string {
  return utf8.decode(b);
}

/** Truncates a string so its UTF-8 encoding fits `maxBytes` without splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): { bytes: Uint8Array; truncated: boolean } {
  const all = utf8Enc.encode(s);
  if (all.length <= maxBytes) return { bytes: all, truncated: false };
  let end = maxBytes;
  while (end > 0 && (all[end] & 0xc0) === 0x80) end--;
  return { bytes: all.slice(0, end), truncated: true };
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(s)) throw new TypeError(`not a hex string: ${s}`);
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export class FrameReader {
  private pos = 0;
  constructor(readonly frame: Uint8Array, readonly code: number = frame[0]) {}

  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.frame.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.frame.length) {
      throw new MeshCoreReplyFormatError(this.code, `needs ${n} more bytes for ${what} at offset ${this.pos}`, this.frame.length);
    }
  }
  u8(what = 'u8'): number {
    this.need(1, what);
    return this.frame[this.pos++];
  }
  i8(what = 'i8'): number {
    const v = this.u8(what);
    return v > 127 ? v - 256 : v;
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.frame[this.pos] | (this.frame[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const f = this.frame;
    const p = this.pos;
    this.pos += 4;
    return (f[p] | (f[p + 1] << 8) | (f[p + 2] << 16) | (f[p + 3] << 24)) >>> 0;
  }
  i32(what = 'i32'): number {
    return this.u32(what) | 0;
  }
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const b = this.frame.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** A fixed-size NUL-padded string field (StrHelper::strzcpy). */
  cstring(n: number, what = 'string'): string {
    const b = this.bytes(n, what);
    const z = b.indexOf(0);
    return decodeUtf8(z < 0 ? b : b.subarray(0, z));
  }
  rest(): Uint8Array {
    const b = this.frame.slice(this.pos);
    this.pos = this.frame.length;
    return b;
  }
  /** Remaining bytes as text, up to a NUL if there is one. */
  restString(): string {
    const b = this.rest();
    const z = b.indexOf(0);
    return decodeUtf8(z < 0 ? b : b.subarray(0, z));
  }
}

export class FrameWriter {
  private buf: Uint8Array;
  private pos = 0;
  constructor(capacity = 176) {
    this.buf = new Uint8Array(capacity);
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const g = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    g.set(this.buf.subarray(0, this.pos));
    this.buf = g;
  }
  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = v & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    for (let i = 0; i < 4; i++) this.buf[this.pos++] = (v >>> (8 * i)) & 0xff;
    return this;
  }
  i32(v: number): this {
    return this.u32(v >>> 0);
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  /** Fixed-size field: the bytes, NUL padded (and cut) to n. */
  fixed(b: Uint8Array, n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.buf.set(b.subarray(0, n), this.pos);
    this.pos += n;
    return this;
  }
  /** A NUL-terminated string in a fixed field of n bytes (at most n-1 bytes of text, as StrHelper::strzcpy). */
  cstring(s: string, n: number): this {
    return this.fixed(truncateUtf8(s, n - 1).bytes, n);
  }
  get length(): number {
    return this.pos;
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
