/**
 * Test support: a shared LoRa channel in memory on a TimerClock. Radios join by name; links are explicit
 * (`link(a, b, snrDb)`, symmetric). A frame occupies the air for its time on air; when it ends, every linked radio
 * that is not transmitting itself hears it (half duplex, never itself). CAD reports busy while a linked radio
 * transmits. No collisions: the mesh's contention window is what the tests look at, and an overlap would make them
 * depend on random draws. Every transmission is logged with its start and end.
 */
import type { TimerClock } from '../../../../lib/clock/timer-clock.js';
import type { LoraModulation } from '../../../../lib/lora/modulation.js';
import { timeOnAirMs } from '../../../../lib/lora/time-on-air.js';
import type { MeshRadio, MeshRadioFrame } from '../mesh-radio.js';

export interface AirTransmission {
  radio: string;
  bytes: Uint8Array;
  startAt: number;
  endAt: number;
}

class MemoryRadio implements MeshRadio {
  readonly listeners = new Set<(f: MeshRadioFrame) => void>();
  transmittingUntil = 0;

  constructor(readonly name: string, private readonly air: MemoryAir) {}

  transmit(frame: Uint8Array): Promise<{ airtimeMs: number }> {
    return this.air.transmit(this, frame);
  }

  channelBusy(): Promise<boolean> {
    return Promise.resolve(this.air.busyFor(this));
  }

  onReceive(listener: (f: MeshRadioFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export class MemoryAir {
  readonly log: AirTransmission[] = [];
  private readonly radios = new Map<string, MemoryRadio>();
  private readonly links = new Map<string, Map<string, number>>();

  constructor(private readonly clock: TimerClock, private readonly modulation: LoraModulation) {}

  join(name: string): MeshRadio {
    const r = new MemoryRadio(name, this);
    this.radios.set(name, r);
    this.links.set(name, new Map());
    return r;
  }

  link(a: string, b: string, snrDb = 5): void {
    this.links.get(a)!.set(b, snrDb);
    this.links.get(b)!.set(a, snrDb);
  }

  /** Delivers a frame to one radio as if heard from an unseen transmitter (crafted headers in tests). */
  inject(name: string, bytes: Uint8Array, snrDb = 5): void {
    for (const l of this.radios.get(name)!.listeners) l({ bytes: bytes.slice(), snrDb, rssiDbm: -60 - (10 - snrDb) });
  }

  /** Transmissions by one radio. */
  sentBy(name: string): AirTransmission[] {
    return this.log.filter((t) => t.radio === name);
  }

  /** @internal */
  busyFor(r: MemoryRadio): boolean {
    const now = this.clock.now();
    for (const [other] of this.links.get(r.name)!) if (this.radios.get(other)!.transmittingUntil > now) return true;
    return false;
  }

  /** @internal */
  transmit(r: MemoryRadio, frame: Uint8Array): Promise<{ airtimeMs: number }> {
    const now = this.clock.now();
    if (r.transmittingUntil > now) return Promise.reject(new Error(`${r.name}: busy`));
    const airtimeMs = Math.ceil(timeOnAirMs(this.modulation, frame.length));
    r.transmittingUntil = now + airtimeMs;
    const bytes = frame.slice();
    this.log.push({ radio: r.name, bytes, startAt: now, endAt: now + airtimeMs });
    return new Promise((resolve) => {
      this.clock.setTimer(airtimeMs, () => {
        for (const [other, snrDb] of this.links.get(r.name)!) {
          const o = this.radios.get(other)!;
          if (o.transmittingUntil > this.clock.now()) continue; // half duplex
          for (const l of o.listeners) l({ bytes: bytes.slice(), snrDb, rssiDbm: -60 - (10 - snrDb) });
        }
        resolve({ airtimeMs });
      }, { name: 'air' });
    });
  }
}
