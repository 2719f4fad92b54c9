/**
 * SLIP framing (RFC 1055): END 0xC0, ESC 0xDB, ESC_END 0xDC, ESC_ESC 0xDD — the byte values
 * @serialport/parser-slip-encoder uses by default, and interoperable with it (codec.test.ts checks both directions).
 * Written here rather than using that package's decoder because its decoder grows the frame with a per-byte
 * Buffer.concat and has no frame-size limit; this one is incremental over a preallocated buffer, caps frame size,
 * resynchronises on the next END and counts what it drops.
 */
export const END = 0xc0;
export const ESC = 0xdb;
export const ESC_END = 0xdc;
export const ESC_ESC = 0xdd;

/** Encode one frame: a leading END flushes line noise at the receiver, a trailing END terminates the frame. */
export function slipEncode(payload: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of payload) if (b === END || b === ESC) extra++;
  const out = new Uint8Array(payload.length + extra + 2);
  let o = 0;
  out[o++] = END;
  for (const b of payload) {
    if (b === END) {
      out[o++] = ESC;
      out[o++] = ESC_END;
    } else if (b === ESC) {
      out[o++] = ESC;
      out[o++] = ESC_ESC;
    } else out[o++] = b;
  }
  out[o++] = END;
  return out;
}

export interface SlipDiscards {
  /** Frames longer than maxFrame (dropped up to the next END). */
  oversize: number;
  /** Frames with an ESC followed by anything but ESC_END/ESC_ESC. */
  badEscape: number;
}

export class SlipDecoder {
  private readonly buf: Uint8Array;
  private len = 0;
  private escaped = false;
  private dropping = false;
  readonly discards: SlipDiscards = { oversize: 0, badEscape: 0 };

  constructor(readonly maxFrame = 1024) {
    this.buf = new Uint8Array(maxFrame);
  }

  /** Feed bytes; returns the complete frames they finish (empty frames between ENDs are skipped). */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < chunk.length; i++) {
      let b = chunk[i]!;
      if (b === END) {
        if (!this.dropping && !this.escaped && this.len > 0) frames.push(this.buf.slice(0, this.len));
        this.len = 0;
        this.escaped = false;
        this.dropping = false;
        continue;
      }
      if (this.dropping) continue;
      if (this.escaped) {
        this.escaped = false;
        if (b === ESC_END) b = END;
        else if (b === ESC_ESC) b = ESC;
        else {
          this.discards.badEscape++;
          this.dropping = true;
          continue;
        }
      } else if (b === ESC) {
        this.escaped = true;
        continue;
      }
      if (this.len === this.buf.length) {
        this.discards.oversize++;
        this.dropping = true;
        continue;
      }
      this.buf[this.len++] = b;
    }
    return frames;
  }
}
