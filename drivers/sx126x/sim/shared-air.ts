/**
 * The shared simulated air behind `lattice sim air` (AIR-PROTOCOL.md): antennas tune, transmit, and hear each other
 * by the rules of air-channel.ts (same channel) and air-reception.ts (range, capture). Transport-free: the TCP
 * server (air-server.ts) gives each connection an antenna whose sink writes the protocol's lines; tests give sinks
 * that record. Time comes from an injected TimerClock, so tests run the air in virtual time.
 *
 * A frame is on the air from its `tx` for its time on air (the Semtech formula, lib/lora/time-on-air.ts, explicit
 * header and payload CRC as every mesh here sends). When it ends, its sender gets `txdone` (always, collision or
 * not) and every receiver that was tuned to its channel when it started, is still tuned to it, heard it (range),
 * transmitted at no time during it (half duplex) and was not hit by a collision gets `rx`.
 */
import type { CancelTimer, TimerClock } from '../../../lib/clock/timer-clock.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import { interferes, sameChannel, type AirTuning } from './air-channel.js';
import { arriving, DEFAULT_AIR_MODEL, levelDbm, survives, type AirModel } from './air-reception.js';

/** What the air says to one antenna (the protocol's air → client lines). */
export type AirEvent =
  | { op: 'tuned' }
  | { op: 'txdone'; airtimeMs: number }
  | { op: 'rx'; data: Uint8Array; rssiDbm: number; snrDb: number }
  | { op: 'error'; error: 'busy' | 'untuned' };

export interface AirAntennaSink {
  send(event: AirEvent): void;
}

/** Counters of the air (the `stats` answer). */
export interface AirStats {
  /** Antennas attached now. */
  antennas: number;
  /** Frames put on the air. */
  frames: number;
  /** `rx` lines delivered. */
  deliveries: number;
  /** Receptions lost to an overlapping co-SF frame within the capture margin. */
  collisions: number;
  /** Receptions lost because the receiver transmitted during the frame (half duplex). */
  halfDuplex: number;
  /** `tx` refused: the antenna's previous frame was still on the air. */
  busy: number;
  /** `tx` refused: the antenna never tuned. */
  untuned: number;
  /** Lines ignored: blank, not JSON, unknown op, bad fields (counted by the transport). */
  ignoredLines: number;
}

interface Antenna {
  readonly id: number;
  readonly sink: AirAntennaSink;
  tuning: AirTuning | undefined;
  /** The frame it is sending now. */
  onAir: Frame | undefined;
  attached: boolean;
}

interface Reception {
  rssiDbm: number;
  snrDb: number;
  /** Unrounded level, for capture comparisons. */
  level: number;
  lost: 'collision' | 'half-duplex' | undefined;
}

interface Frame {
  readonly from: Antenna;
  readonly tuning: AirTuning;
  readonly data: Uint8Array;
  readonly startAt: number;
  readonly endAt: number;
  readonly airtimeMs: number;
  readonly receivers: Map<Antenna, Reception>;
}

export interface SharedAirInit {
  clock: TimerClock;
  model?: Partial<AirModel>;
}

/** The handle of one antenna on the air. */
export interface AirAntenna {
  readonly id: number;
  tune(tuning: AirTuning): void;
  transmit(data: Uint8Array): void;
  detach(): void;
}

export class SharedAir {
  readonly model: AirModel;
  private readonly antennas = new Set<Antenna>();
  private readonly active = new Set<Frame>();
  private readonly timers = new Set<CancelTimer>();
  private nextId = 1;
  private readonly counts = { frames: 0, deliveries: 0, collisions: 0, halfDuplex: 0, busy: 0, untuned: 0, ignoredLines: 0 };

  constructor(private readonly init: SharedAirInit) {
    this.model = { ...DEFAULT_AIR_MODEL, ...init.model };
  }

  /** A new antenna, untuned (it hears nothing until it tunes). */
  attach(sink: AirAntennaSink): AirAntenna {
    const a: Antenna = { id: this.nextId++, sink, tuning: undefined, onAir: undefined, attached: true };
    this.antennas.add(a);
    return {
      id: a.id,
      tune: (t) => this.tune(a, t),
      transmit: (data) => this.transmit(a, data),
      detach: () => {
        a.attached = false;
        this.antennas.delete(a);
      },
    };
  }

  /** A line the transport could not take (blank, not JSON, unknown op, bad fields). */
  countIgnoredLine(): void {
    this.counts.ignoredLines++;
  }

  stats(): AirStats {
    return { antennas: this.antennas.size, ...this.counts };
  }

  /** Frames on the air now. */
  get framesOnAir(): number {
    return this.active.size;
  }

  /** Cancels every pending frame end (the server stops). */
  close(): void {
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.active.clear();
  }

  private tune(a: Antenna, t: AirTuning): void {
    a.tuning = { ...t };
    a.sink.send({ op: 'tuned' });
  }

  private transmit(a: Antenna, data: Uint8Array): void {
    if (!a.tuning) {
      this.counts.untuned++;
      a.sink.send({ op: 'error', error: 'untuned' });
      return;
    }
    if (a.onAir) {
      this.counts.busy++;
      a.sink.send({ op: 'error', error: 'busy' });
      return;
    }
    const t = a.tuning;
    const airtimeMs = timeOnAirMs(
      { spreadingFactor: t.sf, bandwidthHz: t.bwHz, codingRate: t.cr, preambleLength: t.preamble, explicitHeader: true, crcOn: true },
      data.length,
    );
    const now = this.init.clock.now();
    const frame: Frame = { from: a, tuning: { ...t }, data: Uint8Array.from(data), startAt: now, endAt: now + airtimeMs, airtimeMs, receivers: new Map() };
    this.counts.frames++;
    // Half duplex: whoever starts sending loses what it was hearing.
    for (const other of this.active) {
      const r = other.receivers.get(a);
      if (r && !r.lost) r.lost = 'half-duplex';
    }
    for (const rx of this.antennas) {
      if (rx === a || !rx.tuning || !sameChannel(frame.tuning, rx.tuning)) continue;
      const s = arriving(frame.tuning, rx.tuning, this.model);
      if (!s.audible) continue;
      frame.receivers.set(rx, { rssiDbm: s.rssiDbm, snrDb: s.snrDb, level: levelDbm(frame.tuning, rx.tuning, this.model), lost: rx.onAir ? 'half-duplex' : undefined });
    }
    for (const other of this.active) if (interferes(frame.tuning, other.tuning)) this.collide(frame, other);
    a.onAir = frame;
    this.active.add(frame);
    const cancel = this.init.clock.setTimer(airtimeMs, () => {
      this.timers.delete(cancel);
      this.end(frame);
    }, { name: 'air-frame-end' });
    this.timers.add(cancel);
  }

  /** Two overlapping co-SF frames: at each receiver of either, the other one's level decides by capture. */
  private collide(a: Frame, b: Frame): void {
    for (const [wanted, other] of [[a, b], [b, a]] as const) {
      for (const [rx, r] of wanted.receivers) {
        if (r.lost || !rx.tuning) continue;
        const interferer = levelDbm(other.tuning, rx.tuning, this.model);
        if (!survives(r.level, interferer, this.model)) r.lost = 'collision';
      }
    }
  }

  private end(frame: Frame): void {
    this.active.delete(frame);
    const from = frame.from;
    if (from.onAir === frame) from.onAir = undefined;
    if (from.attached) from.sink.send({ op: 'txdone', airtimeMs: frame.airtimeMs });
    for (const [rx, r] of frame.receivers) {
      if (r.lost === 'collision') this.counts.collisions++;
      else if (r.lost === 'half-duplex') this.counts.halfDuplex++;
      // Gone, or tuned away (and not back) since the frame started: nothing heard.
      if (r.lost || !rx.attached || !rx.tuning || !sameChannel(frame.tuning, rx.tuning)) continue;
      this.counts.deliveries++;
      rx.sink.send({ op: 'rx', data: frame.data, rssiDbm: r.rssiDbm, snrDb: r.snrDb });
    }
  }
}
