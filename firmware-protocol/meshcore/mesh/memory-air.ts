/**
 * An in-memory LoRa air for several MeshCore (or any PacketRadio) nodes, in the injected clock's time.
 * Each node gets a PacketRadio; who hears whom is an explicit set of links (one-way or both ways) with the SNR and
 * RSSI a receiver reports. A frame occupies the air for its time on air (lib/lora/time-on-air with the air's
 * modulation): while it is on air its receivers report channelBusy() (RadioLibWrapper::isReceiving), a receiver
 * that is itself transmitting misses it (half duplex), and with `collisions` two frames overlapping at one receiver
 * are both lost there. Frames are delivered when they end. Used by the mesh tests, the repeater / companion / native
 * parts and the `lattice sim meshcore` simulator: it lives outside testing/ so that the simulator (production code,
 * runtime/layering.test.ts) may use it.
 */
import type { Clock } from '../../../lib/clock/clock.js';
import type { LoraModulation } from '../../../lib/lora/modulation.js';
import type { PacketRadio, PacketRadioFrame } from '../../../lib/lora/packet-radio.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';

export interface AirLink {
  snrDb: number;
  rssiDbm: number;
}

export interface MemoryAirOptions {
  clock: Clock;
  modulation: LoraModulation;
  /** Overlapping frames at one receiver are both lost there (default false: every frame in reach arrives). */
  collisions?: boolean;
  /** Link quality when link() is given none. */
  defaultLink?: AirLink;
}

export interface AirTransmission {
  from: string;
  bytes: Uint8Array;
  startMs: number;
  endMs: number;
  /** Who received it intact. */
  heardBy: string[];
}

interface Reception {
  from: string;
  endMs: number;
  lost: boolean;
}

export class MemoryRadio implements PacketRadio {
  private readonly listeners = new Set<(f: PacketRadioFrame) => void>();
  /** Receptions in progress. */
  readonly receiving = new Set<Reception>();
  transmittingUntil = -Infinity;
  transmitted = 0;
  received = 0;
  noiseFloor: number | undefined = -120;

  constructor(readonly name: string, private readonly air: MemoryAir) {}

  transmit(frame: Uint8Array): Promise<{ airtimeMs: number }> {
    return this.air.transmitFrom(this, frame);
  }

  async channelBusy(): Promise<boolean> {
    return this.receiving.size > 0;
  }

  onReceive(listener: (frame: PacketRadioFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  noiseFloorDbm(): number | undefined {
    return this.noiseFloor;
  }

  /** Hands a frame to the listeners as if it had been received (tests inject malformed frames this way). */
  deliver(frame: PacketRadioFrame): void {
    this.received++;
    for (const l of [...this.listeners]) {
      try {
        l(frame);
      } catch {
        // a listener's failure is its own; the air goes on
      }
    }
  }
}

export class MemoryAir {
  private readonly radios = new Map<string, MemoryRadio>();
  /** from → to → quality. */
  private readonly links = new Map<string, Map<string, AirLink>>();
  readonly transmissions: AirTransmission[] = [];
  private readonly defaultLink: AirLink;

  constructor(private readonly options: MemoryAirOptions) {
    this.defaultLink = options.defaultLink ?? { snrDb: 8, rssiDbm: -80 };
  }

  /** The radio of node `name` (created on first use). */
  radio(name: string): MemoryRadio {
    let r = this.radios.get(name);
    if (!r) {
      r = new MemoryRadio(name, this);
      this.radios.set(name, r);
    }
    return r;
  }

  /** `to` hears `from` (one way). */
  linkOneWay(from: string, to: string, quality: Partial<AirLink> = {}): this {
    let m = this.links.get(from);
    if (!m) this.links.set(from, (m = new Map()));
    m.set(to, { ...this.defaultLink, ...quality });
    return this;
  }

  /** a and b hear each other. */
  link(a: string, b: string, quality: Partial<AirLink> = {}): this {
    return this.linkOneWay(a, b, quality).linkOneWay(b, a, quality);
  }

  unlink(a: string, b: string): this {
    this.links.get(a)?.delete(b);
    this.links.get(b)?.delete(a);
    return this;
  }

  /** Each node hears its neighbours in the list only (a line of nodes). */
  chain(names: string[], quality: Partial<AirLink> = {}): this {
    for (let i = 0; i + 1 < names.length; i++) this.link(names[i], names[i + 1], quality);
    return this;
  }

  /** Every node hears every other. */
  fullMesh(names: string[], quality: Partial<AirLink> = {}): this {
    for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) this.link(names[i], names[j], quality);
    return this;
  }

  airtimeMs(length: number): number {
    return timeOnAirMs(this.options.modulation, length);
  }

  /** Transmissions by `name` so far. */
  sentBy(name: string): AirTransmission[] {
    return this.transmissions.filter((t) => t.from === name);
  }

  /** @internal MemoryRadio.transmit. */
  async transmitFrom(radio: MemoryRadio, frame: Uint8Array): Promise<{ airtimeMs: number }> {
    const clock = this.options.clock;
    const bytes = frame.slice();
    const air = this.airtimeMs(bytes.length);
    const start = clock.now();
    const end = start + air;
    radio.transmittingUntil = end;
    radio.transmitted++;
    // Half duplex: whatever this radio was receiving is lost.
    for (const r of radio.receiving) r.lost = true;
    const receptions: [MemoryRadio, Reception, AirLink][] = [];
    for (const [to, quality] of this.links.get(radio.name) ?? []) {
      const rx = this.radios.get(to);
      if (!rx || to === radio.name) continue;
      const rec: Reception = { from: radio.name, endMs: end, lost: rx.transmittingUntil > start };
      if (this.options.collisions && rx.receiving.size > 0) {
        rec.lost = true;
        for (const other of rx.receiving) other.lost = true;
      }
      rx.receiving.add(rec);
      receptions.push([rx, rec, quality]);
    }
    const t: AirTransmission = { from: radio.name, bytes, startMs: start, endMs: end, heardBy: [] };
    this.transmissions.push(t);
    await clock.sleep(air);
    for (const [rx, rec, quality] of receptions) {
      rx.receiving.delete(rec);
      if (rec.lost) continue;
      t.heardBy.push(rx.name);
      rx.deliver({ bytes: bytes.slice(), snrDb: quality.snrDb, rssiDbm: quality.rssiDbm });
    }
    return { airtimeMs: air };
  }
}
