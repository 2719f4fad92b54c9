/**
 * The firmware's serial wire interface, byte for byte: SerialSimInterface = ArduinoSerialInterface.cpp: always
 * "connected" (isConnected() returns true), scans for '<', len 0 → back to idle, frames longer than MAX_FRAME_SIZE
 * are read fully and truncated; writes immediately. (TCP is the companion's own server,
 * companion/companion-server.ts, with esp32/SerialWifiInterface.cpp's framing rules and several clients.)
 */
import { MESHCORE_MAX_FRAME_SIZE, MESHCORE_MARKER_FROM_RADIO, MESHCORE_MARKER_TO_RADIO } from '../../framing/meshcore-frame.js';

export interface ByteSink {
  write(bytes: Uint8Array): void;
}

export interface SimInterface {
  readonly kind: 'serial' | 'tcp';
  isConnected(): boolean;
  writeFrame(payload: Uint8Array): boolean;
  /** One firmware loop step on the receive side: at most one complete command frame. */
  checkRecvFrame(): Uint8Array | null;
  /** Whether another loop iteration has work (buffered bytes or queued output). */
  hasWork(): boolean;
  /** Raw bytes from the host. */
  receive(bytes: Uint8Array): void;
  /** Drops receive state (reboot, reconnect). */
  reset(): void;
}

function header(len: number): Uint8Array {
  return Uint8Array.of(MESHCORE_MARKER_FROM_RADIO, len & 0xff, len >> 8);
}

/** Input buffer shared by both: bytes are consumed from the front. */
class Inbox {
  private chunks: Uint8Array[] = [];
  private size = 0;
  get available(): number {
    return this.size;
  }
  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.size += b.length;
  }
  read(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      const take = Math.min(c.length, n - filled);
      out.set(c.subarray(0, take), filled);
      filled += take;
      if (take === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(take);
    }
    this.size -= n;
    return out;
  }
  clear(): void {
    this.chunks = [];
    this.size = 0;
  }
}

export class SerialSimInterface implements SimInterface {
  readonly kind = 'serial' as const;
  private inbox = new Inbox();
  private state: 'idle' | 'hdr' | 'len1' | 'body' = 'idle';
  private frameLen = 0;
  private rx = new Uint8Array(MESHCORE_MAX_FRAME_SIZE);
  private rxLen = 0;
  /** When set, each frame is written in pieces (fault injection: split frames). */
  splitWrites = false;

  constructor(private readonly sink: ByteSink) {}

  isConnected(): boolean {
    return true;
  }

  writeFrame(payload: Uint8Array): boolean {
    if (payload.length > MESHCORE_MAX_FRAME_SIZE) return false;
    if (this.splitWrites) {
      const all = new Uint8Array(3 + payload.length);
      all.set(header(payload.length));
      all.set(payload, 3);
      for (let i = 0; i < all.length; i += 2) this.sink.write(all.subarray(i, i + 2));
    } else {
      this.sink.write(header(payload.length));
      this.sink.write(payload);
    }
    return true;
  }

  receive(bytes: Uint8Array): void {
    this.inbox.push(bytes);
  }

  hasWork(): boolean {
    return this.inbox.available > 0;
  }

  reset(): void {
    this.inbox.clear();
    this.state = 'idle';
  }

  checkRecvFrame(): Uint8Array | null {
    while (this.inbox.available > 0) {
      const c = this.inbox.read(1)[0];
      switch (this.state) {
        case 'idle':
          if (c === MESHCORE_MARKER_TO_RADIO) this.state = 'hdr';
          break;
        case 'hdr':
          this.frameLen = c;
          this.state = 'len1';
          break;
        case 'len1':
          this.frameLen |= c << 8;
          this.rxLen = 0;
          this.state = this.frameLen > 0 ? 'body' : 'idle';
          break;
        default:
          if (this.rxLen < MESHCORE_MAX_FRAME_SIZE) this.rx[this.rxLen] = c;
          this.rxLen++;
          if (this.rxLen >= this.frameLen) {
            const len = Math.min(this.frameLen, MESHCORE_MAX_FRAME_SIZE);
            this.state = 'idle';
            return this.rx.slice(0, len);
          }
      }
    }
    return null;
  }
}
