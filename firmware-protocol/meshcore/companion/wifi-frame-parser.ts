/**
 * The companion TCP framing from the device's side, as esp32/SerialWifiInterface.cpp checkRecvFrame reads it:
 * a 3-byte header (type, u16 LE length) read without scanning; a header whose type or length is zero is dropped;
 * a frame whose type is not '<' or whose length exceeds MAX_FRAME_SIZE is skipped whole (its bytes are read and
 * thrown away); anything else is one command frame. Incremental: push(chunk) returns the complete frames.
 */
import { MESHCORE_MAX_FRAME_SIZE, MESHCORE_MARKER_TO_RADIO } from '../../framing/meshcore-frame.js';

export type SkipReason = 'bad-frame-type' | 'bad-frame-length';

export class WifiFrameParser {
  private header = new Uint8Array(3);
  private headerLen = 0;
  /** Bytes of a bad frame still to throw away. */
  private skipping = 0;
  private body: Uint8Array | undefined;
  private bodyLen = 0;
  /** Frames skipped in a row (reset by a good frame): the server drops a client that sends only garbage. */
  consecutiveBad = 0;

  constructor(private readonly onSkip: (reason: SkipReason, length: number, type: number) => void = () => undefined) {}

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, chunk.length - i);
        this.skipping -= n;
        i += n;
        continue;
      }
      if (this.body) {
        const n = Math.min(this.body.length - this.bodyLen, chunk.length - i);
        this.body.set(chunk.subarray(i, i + n), this.bodyLen);
        this.bodyLen += n;
        i += n;
        if (this.bodyLen === this.body.length) {
          out.push(this.body);
          this.body = undefined;
          this.consecutiveBad = 0;
        }
        continue;
      }
      this.header[this.headerLen++] = chunk[i++];
      if (this.headerLen < 3) continue;
      this.headerLen = 0;
      const type = this.header[0];
      const len = this.header[1] | (this.header[2] << 8);
      if (type === 0 || len === 0) continue; // hasReceivedFrameHeader() is false: the header is simply dropped
      if (len > MESHCORE_MAX_FRAME_SIZE || type !== MESHCORE_MARKER_TO_RADIO) {
        this.consecutiveBad++;
        this.onSkip(len > MESHCORE_MAX_FRAME_SIZE ? 'bad-frame-length' : 'bad-frame-type', len, type);
        this.skipping = len;
        continue;
      }
      this.body = new Uint8Array(len);
      this.bodyLen = 0;
    }
    return out;
  }
}
