/**
 * MeshCore companion serial/TCP framing.
 *
 * host → radio: `'<'` (0x3C) · u16 LE length · payload; radio → host: `'>'` (0x3E) · u16 LE length · payload.
 * Source: meshcore-dev/MeshCore src/helpers/ArduinoSerialInterface.cpp (writeFrame / checkRecvFrame) and
 * src/helpers/esp32/SerialWifiInterface.cpp (TCP port 5000 uses the same 3-byte header). The firmware never writes
 * a frame above MAX_FRAME_SIZE (writeFrame returns 0 instead) and never a zero-length one, so a decoder that meets
 * either is looking at garbage and resyncs by dropping one byte and scanning for the next marker.
 */

/** src/helpers/BaseSerialInterface.h: 176 since 2026-05 (172 before; a decoder accepting 176 reads both). */
export const MESHCORE_MAX_FRAME_SIZE = 176;
/** Frame marker the app writes (host → radio). */
export const MESHCORE_MARKER_TO_RADIO = 0x3c;
/** Frame marker the firmware writes (radio → host). */
export const MESHCORE_MARKER_FROM_RADIO = 0x3e;
export const MESHCORE_HEADER_SIZE = 3;

/** Encodes one frame: marker · u16 LE length · payload. Throws RangeError for empty or oversize payloads. */
export function encodeMeshCoreFrame(
  payload: Uint8Array,
  marker: number = MESHCORE_MARKER_TO_RADIO,
  maxFrameSize: number = MESHCORE_MAX_FRAME_SIZE,
): Uint8Array {
  if (payload.length === 0) throw new RangeError('MeshCore frame payload is empty');
  if (payload.length > maxFrameSize) {
    throw new RangeError(`MeshCore frame payload is ${payload.length} bytes, maximum ${maxFrameSize}`);
  }
  const out = new Uint8Array(MESHCORE_HEADER_SIZE + payload.length);
  out[0] = marker;
  out[1] = payload.length & 0xff;
  out[2] = payload.length >> 8;
  out.set(payload, MESHCORE_HEADER_SIZE);
  return out;
}

export interface MeshCoreFrameDecoderOptions {
  /** The marker to look for; the host decodes `'>'` (default), the simulated radio `'<'`. */
  marker?: number;
  maxFrameSize?: number;
  /**
   * Optional plausibility check on a complete payload (e.g. "first byte is a known response code"). A payload
   * that fails is treated as garbage: one byte is dropped and the scan restarts inside it, so a real frame hidden
   * behind a false marker is still found.
   */
  accept?: (payload: Uint8Array) => boolean;
}

export interface MeshCoreFrameDecoderStats {
  frames: number;
  /** Bytes dropped while scanning for a marker or after a false start. */
  discardedBytes: number;
  /** False starts: a marker followed by an impossible length or a payload `accept` refused. */
  resyncs: number;
}

/**
 * Incremental decoder: `push(chunk)` returns every complete payload (copies; the internal buffer is reused).
 * Bytes are copied once into a preallocated buffer that only grows when one chunk exceeds it.
 */
export class MeshCoreFrameDecoder {
  readonly marker: number;
  readonly maxFrameSize: number;
  private readonly accept?: (payload: Uint8Array) => boolean;
  private buf: Uint8Array;
  private start = 0;
  private end = 0;
  readonly stats: MeshCoreFrameDecoderStats = { frames: 0, discardedBytes: 0, resyncs: 0 };

  constructor(options: MeshCoreFrameDecoderOptions = {}) {
    this.marker = options.marker ?? MESHCORE_MARKER_FROM_RADIO;
    this.maxFrameSize = options.maxFrameSize ?? MESHCORE_MAX_FRAME_SIZE;
    this.accept = options.accept;
    this.buf = new Uint8Array(4096);
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.end - this.start;
  }

  /** Drops a partial frame (e.g. after the link reconnected); counted as discarded. */
  reset(): void {
    this.stats.discardedBytes += this.end - this.start;
    this.start = 0;
    this.end = 0;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    this.append(chunk);
    const frames: Uint8Array[] = [];
    const buf = this.buf;
    const marker = this.marker;
    while (this.start < this.end) {
      const s = this.start;
      if (buf[s] !== marker) {
        // Scan to the next marker in one step rather than byte by byte.
        let next = buf.indexOf(marker, s + 1);
        if (next < 0 || next >= this.end) next = this.end;
        this.stats.discardedBytes += next - s;
        this.start = next;
        continue;
      }
      if (this.end - s < MESHCORE_HEADER_SIZE) break;
      const len = buf[s + 1] | (buf[s + 2] << 8);
      if (len === 0 || len > this.maxFrameSize) {
        this.falseStart();
        continue;
      }
      if (this.end - s < MESHCORE_HEADER_SIZE + len) break;
      const payload = buf.slice(s + MESHCORE_HEADER_SIZE, s + MESHCORE_HEADER_SIZE + len);
      if (this.accept && !this.accept(payload)) {
        this.falseStart();
        continue;
      }
      this.start = s + MESHCORE_HEADER_SIZE + len;
      this.stats.frames++;
      frames.push(payload);
    }
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    return frames;
  }

  private falseStart(): void {
    this.stats.resyncs++;
    this.stats.discardedBytes++;
    this.start++;
  }

  private append(chunk: Uint8Array): void {
    const held = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (held + chunk.length <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(this.buf.length * 2, held + chunk.length));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      }
      this.start = 0;
      this.end = held;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}
