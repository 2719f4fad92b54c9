/**
 * A small in-process LoRa air for bearer unit tests (the full chip emulation is drivers/sx126x/testing). Radios
 * hear each other when `inRange(a, b)`; a packet arrives at the end of its time on air (Semtech formula, scaled by
 * `timeScale`) at every in-range radio that is receiving, is not transmitting itself during the packet, and heard no
 * other overlapping in-range packet (a collision destroys both, as with equal-power LoRa packets on one channel).
 * CAD reports activity while any in-range packet is on the air. Radios with different frequency/SF/BW/sync word
 * do not hear each other. Faults: `dropNext(n)` loses the next n packets at every receiver.
 *
 * Its radios pass the LoraRadio contract suite (testing/fake-lora-air.test.ts) like the SX126x driver: they refuse
 * what the driver refuses (bad modulation, use before configure or after close, a payload the header cannot carry)
 * and an aborted transmission is cut off the air, as the driver's standby cuts it.
 */
import { Sx126xPayloadError, Sx126xStateError } from '../../../../drivers/sx126x/errors.js';
import type { LoraModulation, LoraRadio, LoraRadioEvent, RxPacket } from '../../../../drivers/sx126x/lora-radio.js';
import { validateModulation } from '../../../../drivers/sx126x/modulation.js';
import { timeOnAirMs } from '../../../../lib/lora/time-on-air.js';

interface OnAir {
  from: FakeRadio;
  payload: Uint8Array;
  start: number;
  end: number;
  collided: Set<FakeRadio>;
}

export class FakeLoraAir {
  readonly radios: FakeRadio[] = [];
  private onAir: OnAir[] = [];
  private drop = 0;
  /** Loses every packet this returns true for (e.g. only ACK frames). */
  dropIf?: (payload: Uint8Array, from: number) => boolean;
  /** Every packet put on the air, for assertions: [sender index, bytes]. */
  readonly log: Array<[number, Uint8Array]> = [];

  constructor(
    readonly inRange: (a: number, b: number) => boolean = () => true,
    readonly timeScale = 0.01,
  ) {}

  radio(): FakeRadio {
    const r = new FakeRadio(this, this.radios.length);
    this.radios.push(r);
    return r;
  }

  dropNext(n: number): void {
    this.drop += n;
  }

  now(): number {
    return performance.now() / this.timeScale;
  }

  /** True when `listener` hears something on the air now. */
  busyFor(listener: FakeRadio): boolean {
    return this.onAir.some((p) => p.from !== listener && this.compatible(p.from, listener) && this.inRange(p.from.index, listener.index));
  }

  begin(from: FakeRadio, payload: Uint8Array, airtimeMs: number): OnAir {
    const now = this.now();
    const packet: OnAir = { from, payload, start: now, end: now + airtimeMs, collided: new Set() };
    for (const other of this.onAir) {
      for (const rx of this.radios) {
        if (this.inRange(other.from.index, rx.index) && this.inRange(from.index, rx.index)) {
          packet.collided.add(rx);
          other.collided.add(rx);
        }
      }
    }
    this.onAir.push(packet);
    this.log.push([from.index, payload]);
    return packet;
  }

  /** The transmitter stopped mid-packet (standby): what was on the air reaches nobody. */
  cut(packet: OnAir): void {
    this.onAir = this.onAir.filter((p) => p !== packet);
  }

  end(packet: OnAir): void {
    this.onAir = this.onAir.filter((p) => p !== packet);
    let lost = this.drop > 0;
    if (lost) this.drop--;
    if (this.dropIf?.(packet.payload, packet.from.index)) lost = true;
    for (const rx of this.radios) {
      if (rx === packet.from || !this.inRange(packet.from.index, rx.index) || !this.compatible(packet.from, rx)) continue;
      if (lost || packet.collided.has(rx) || !rx.receiving || rx.transmittingSince < packet.end && rx.transmittingUntil > packet.start) continue;
      rx.deliver({ payload: new Uint8Array(packet.payload), rssi: -80 - rx.index, snr: 7.5, crcError: false, receivedAt: Date.now() });
    }
  }

  private compatible(a: FakeRadio, b: FakeRadio): boolean {
    const x = a.modulation;
    const y = b.modulation;
    return !!x && !!y && x.frequencyHz === y.frequencyHz && x.spreadingFactor === y.spreadingFactor && x.bandwidthHz === y.bandwidthHz && x.syncWord === y.syncWord;
  }
}

export class FakeRadio implements LoraRadio {
  modulation?: LoraModulation;
  receiving = false;
  transmittingSince = Number.POSITIVE_INFINITY;
  transmittingUntil = Number.NEGATIVE_INFINITY;
  transmits = 0;
  /** The next n transmit() calls fail like a TX timeout (the chip never raised TxDone). */
  failTransmits = 0;
  cads = 0;
  closed = false;
  /** Set true to play a radio that listens before talking itself (the SX126x driver): callers must not CAD again. */
  listensBeforeTalk = false;
  private listeners = new Set<(p: RxPacket) => void>();
  private eventListeners = new Set<(e: LoraRadioEvent) => void>();

  constructor(readonly air: FakeLoraAir, readonly index: number) {}

  async configure(m: LoraModulation): Promise<void> {
    this.usable();
    validateModulation(m);
    this.modulation = { ...m };
    this.receiving = false;
  }

  async transmit(payload: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<{ airtimeMs: number }> {
    if (payload.length < 1 || payload.length > 255) throw new Sx126xPayloadError(payload.length, 255);
    const m = this.configured();
    if (!m.explicitHeader && payload.length !== (m.implicitPayloadLength ?? 255)) throw new Sx126xPayloadError(payload.length, m.implicitPayloadLength ?? 255);
    opts.signal?.throwIfAborted();
    if (this.failTransmits > 0) {
      this.failTransmits--;
      throw new Error('TxDone never came (TX timeout)');
    }
    const airtimeMs = timeOnAirMs(m, payload.length);
    const packet = this.air.begin(this, payload, airtimeMs);
    this.transmits++;
    this.transmittingSince = packet.start;
    this.transmittingUntil = packet.end;
    // Node truncates timer delays to whole milliseconds: wait until the packet's nominal end has really passed, so
    // TxDone never comes before the last symbol left the antenna (a half-duplex radio cannot hear before that).
    // An abort meanwhile rejects at once and cuts the packet off the air (the driver puts the chip in standby).
    const signal = opts.signal;
    while (this.air.now() < packet.end) {
      await new Promise<void>((resolve) => {
        const onAbort = () => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, Math.max(1, Math.ceil((packet.end - this.air.now()) * this.air.timeScale)));
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      if (signal?.aborted) {
        this.air.cut(packet);
        this.transmittingUntil = this.air.now();
        throw signal.reason;
      }
    }
    this.air.end(packet);
    return { airtimeMs };
  }

  async startReceive(): Promise<void> {
    this.configured();
    this.receiving = true;
  }

  async channelActivity(): Promise<boolean> {
    this.configured();
    this.cads++;
    return this.air.busyFor(this);
  }

  private usable(): void {
    if (this.closed) throw new Sx126xStateError('radio is closed');
  }

  private configured(): LoraModulation {
    this.usable();
    if (!this.modulation) throw new Sx126xStateError('configure() the radio before using it');
    return this.modulation;
  }

  onPacket(listener: (p: RxPacket) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  onEvent(listener: (e: LoraRadioEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => {
      this.eventListeners.delete(listener);
    };
  }

  /** Test side: the radio reports something it handled by itself (a re-initialisation, a busy CAD). */
  emitEvent(e: LoraRadioEvent): void {
    for (const l of this.eventListeners) l(e);
  }

  deliver(p: RxPacket): void {
    for (const l of this.listeners) l(p);
  }

  async standby(): Promise<void> {
    this.receiving = false;
  }

  async close(): Promise<void> {
    this.receiving = false;
    this.closed = true;
  }
}
