/**
 * Meshtastic client-API stream framing, shared by USB serial and TCP port 4403:
 * `0x94 0xC3 len_hi len_lo payload[len]`, no CRC, len ≤ 512 (firmware src/mesh/StreamAPI.cpp, PhoneAPI.h
 * MAX_TO_FROM_RADIO_SIZE). Host→device payloads are ToRadio protobufs, device→host FromRadio.
 *
 * The decoder follows the firmware's receive state machine (StreamAPI::handleRecStream): hunt 0x94, expect 0xC3,
 * read the big-endian length, reject lengths over 512 and hunt again, deliver after exactly `len` payload bytes.
 * It is purely length-driven, so payloads may contain 0x94 0xC3 (keys, encrypted bytes). Bytes outside frames are
 * what the firmware prints on the console before the first framed packet (its debug log); 0x94 was chosen because
 * it never occurs in 7-bit text (StreamAPI.h), so those bytes are passed on as `log` events.
 */
import { MeshtasticFrameTooLargeError } from './meshtastic-stream-errors.js';

export const STREAM_START1 = 0x94;
export const STREAM_START2 = 0xc3;
export const STREAM_HEADER_LEN = 4;
/** firmware src/mesh/PhoneAPI.h: MAX_TO_FROM_RADIO_SIZE */
export const MAX_STREAM_PAYLOAD = 512;
/** The Python client writes 32 × START2 before its first frame to wake a sleeping device and flush a half-received
 * frame out of the device's state machine (meshtastic/python stream_interface.py `connect`). */
export const STREAM_WAKE_BYTES: Uint8Array = new Uint8Array(32).fill(STREAM_START2);

export type StreamEvent =
  | { type: 'frame'; payload: Uint8Array }
  /** Bytes seen outside any frame (the firmware's text debug log, or line noise). */
  | { type: 'log'; bytes: Uint8Array };

export interface StreamDecoderStats {
  frames: number;
  logBytes: number;
  /** Headers whose length was over the maximum (the bytes consumed with them are dropped). */
  badLengths: number;
  /** Bytes consumed by a failed frame start (0x94 not followed by 0xC3, or a bogus length). */
  discardedBytes: number;
}

export interface StreamDecoderOptions {
  /** Maximum payload length accepted; default 512. */
  maxPayload?: number;
  /**
   * When 0x94 is followed by something other than 0xC3, the firmware resets and does not look at that byte again,
   * so `94 94 C3 …` loses the frame. A host parser can do better and treat the second 0x94 as a new start; the
   * device simulator sets this to true to behave exactly like the firmware.
   */
  firmwareExact?: boolean;
}

const HUNT = 0;
const START2 = 1;
const LEN_HI = 2;
const LEN_LO = 3;
const PAYLOAD = 4;

export class MeshtasticStreamDecoder {
  readonly stats: StreamDecoderStats = { frames: 0, logBytes: 0, badLengths: 0, discardedBytes: 0 };
  private readonly max: number;
  private readonly exact: boolean;
  private readonly buf: Uint8Array;
  private state = HUNT;
  private len = 0;
  private have = 0;

  constructor(options: StreamDecoderOptions = {}) {
    this.max = options.maxPayload ?? MAX_STREAM_PAYLOAD;
    if (!Number.isInteger(this.max) || this.max < 0 || this.max > 0xffff) throw new RangeError(`maxPayload ${this.max} is not 0..65535`);
    this.exact = options.firmwareExact ?? false;
    this.buf = new Uint8Array(this.max);
  }

  /** True while a frame is partly received. */
  get midFrame(): boolean {
    return this.state !== HUNT;
  }

  /** Forgets a partly received frame (the link was closed or the device rebooted). */
  reset(): void {
    if (this.state !== HUNT) this.stats.discardedBytes += this.state === PAYLOAD ? STREAM_HEADER_LEN + this.have : this.state;
    this.state = HUNT;
    this.have = 0;
  }

  push(chunk: Uint8Array): StreamEvent[] {
    const out: StreamEvent[] = [];
    const n = chunk.length;
    let i = 0;
    let logStart = -1;
    while (i < n) {
      switch (this.state) {
        case HUNT: {
          // Fast scan for the start byte; everything before it is log text.
          let j = chunk.indexOf(STREAM_START1, i);
          if (j < 0) j = n;
          if (j > i && logStart < 0) logStart = i;
          i = j;
          if (i < n) {
            if (logStart >= 0) this.log(out, chunk, logStart, i);
            logStart = -1;
            this.state = START2;
            i++;
          }
          break;
        }
        case START2: {
          const c = chunk[i++]!;
          if (c === STREAM_START2) {
            this.state = LEN_HI;
          } else if (c === STREAM_START1 && !this.exact) {
            this.stats.discardedBytes += 1; // the first 0x94; this one may start a frame
          } else {
            this.stats.discardedBytes += 2;
            this.state = HUNT;
          }
          break;
        }
        case LEN_HI:
          this.len = chunk[i++]! << 8;
          this.state = LEN_LO;
          break;
        case LEN_LO: {
          this.len |= chunk[i++]!;
          if (this.len > this.max) {
            this.stats.badLengths++;
            this.stats.discardedBytes += STREAM_HEADER_LEN;
            this.state = HUNT;
          } else if (this.len === 0) {
            this.deliver(out, new Uint8Array(0));
          } else {
            this.have = 0;
            this.state = PAYLOAD;
          }
          break;
        }
        case PAYLOAD: {
          const need = this.len - this.have;
          const avail = n - i;
          if (this.have === 0 && avail >= need) {
            // Whole payload inside this chunk: one copy straight out of it.
            this.deliver(out, chunk.slice(i, i + need));
            i += need;
          } else {
            const take = avail < need ? avail : need;
            this.buf.set(chunk.subarray(i, i + take), this.have);
            this.have += take;
            i += take;
            if (this.have === this.len) this.deliver(out, this.buf.slice(0, this.len));
          }
          break;
        }
      }
    }
    if (logStart >= 0) this.log(out, chunk, logStart, n);
    return out;
  }

  private log(out: StreamEvent[], chunk: Uint8Array, start: number, end: number): void {
    out.push({ type: 'log', bytes: chunk.slice(start, end) });
    this.stats.logBytes += end - start;
  }

  private deliver(out: StreamEvent[], payload: Uint8Array): void {
    this.stats.frames++;
    this.state = HUNT;
    this.have = 0;
    out.push({ type: 'frame', payload });
  }
}

/** Frames one payload: `94 C3 len_hi len_lo payload`. Throws MeshtasticFrameTooLargeError over 512 bytes. */
export function encodeStreamFrame(payload: Uint8Array, maxPayload = MAX_STREAM_PAYLOAD): Uint8Array {
  if (payload.length > maxPayload) throw new MeshtasticFrameTooLargeError(payload.length, maxPayload);
  const out = new Uint8Array(STREAM_HEADER_LEN + payload.length);
  out[0] = STREAM_START1;
  out[1] = STREAM_START2;
  out[2] = payload.length >> 8;
  out[3] = payload.length & 0xff;
  out.set(payload, STREAM_HEADER_LEN);
  return out;
}
