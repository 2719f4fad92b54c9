/**
 * One client on a byte stream (a TCP socket, a serial port): the firmware's stream framing (StreamAPI.cpp
 * handleRecStream, reused from framing/meshtastic-stream.ts) in front of a PhoneApi. The firmware skips whatever is
 * not a frame forever; a server with several clients is stricter so that one broken client cannot hold resources:
 * with a `policy`, more than `maxNoiseBytes` outside frames since the last good frame, or a frame header with a
 * length over 512, is a protocol violation and the transport drops that client (and only it). The Python client's
 * 32 wake-up bytes (0xC3) before its first frame stay well inside the allowance.
 */
import { MeshtasticStreamDecoder } from '../../framing/meshtastic-stream.js';
import type { DeviceService } from './device-service.js';
import type { PhoneApi, ClientSink } from './phone-api.js';

export interface StreamPolicy {
  /** Bytes outside frames tolerated since the last good frame. */
  maxNoiseBytes: number;
  onViolation(reason: 'garbage' | 'bad-length'): void;
}

export class StreamClient {
  readonly api: PhoneApi;
  private readonly decoder = new MeshtasticStreamDecoder({ firmwareExact: true });
  private noise = 0;
  private violated = false;

  constructor(service: DeviceService, sink: ClientSink, private readonly policy?: StreamPolicy) {
    this.api = service.attach(sink);
  }

  /** True while a frame is partly received (the transport times a stall from here). */
  get midFrame(): boolean {
    return this.decoder.midFrame;
  }

  get decoderStats(): MeshtasticStreamDecoder['stats'] {
    return this.decoder.stats;
  }

  receive(bytes: Uint8Array): void {
    if (this.violated) return;
    const badBefore = this.decoder.stats.badLengths;
    for (const e of this.decoder.push(bytes)) {
      if (e.type === 'frame') {
        this.noise = 0;
        this.api.handleToRadio(e.payload);
      } else {
        this.noise += e.bytes.length;
      }
    }
    if (this.policy) {
      if (this.decoder.stats.badLengths > badBefore) return this.violate('bad-length');
      if (this.noise > this.policy.maxNoiseBytes) return this.violate('garbage');
    }
    this.api.drain();
  }

  /** The device rebooted: the half frame is gone with its RAM. */
  resetFraming(): void {
    this.decoder.reset();
  }

  private violate(reason: 'garbage' | 'bad-length'): void {
    this.violated = true;
    this.policy!.onViolation(reason);
  }
}
