/**
 * The simulated air joining emulated SX126x chips. Each chip has a position; the received level follows a
 * log-distance path-loss model (or a per-link override), the SNR is taken against thermal noise, and a frame is
 * decodable when its SNR clears the demodulator limit for its SF. Every chip tuned within the channel hears the start
 * and end of every frame; the chip decides (like the real modem) whether it locks on, whether a later frame collides
 * with the one it is receiving, and whether SF/BW/IQ/sync word/header/CRC settings let it decode.
 */
import type { AirFrame, AirPort, Heard } from './air-frame.js';
import type { EmulatedSx126x } from './emulated-sx126x.js';
import { DemodSnrLimitDb, noiseFloorDbm, pathLossDb, type LinkModelOptions } from './link-model.js';
import type { SimClock } from './sim-clock.js';

export interface AirNodePlacement {
  x: number;
  y: number;
  /** Antenna gain minus cable loss, dB (added on both transmit and receive). */
  antennaGainDb?: number;
}

export interface SimulatedAirOptions extends LinkModelOptions {
  clock: SimClock;
}

export class SimulatedAir implements AirPort {
  private readonly nodes = new Map<EmulatedSx126x, AirNodePlacement>();
  private readonly overrides = new Map<string, number | 'blocked'>();
  private readonly active = new Set<AirFrame>();
  private nextId = 1;
  /** Every frame ever sent, for tests and traces. */
  readonly log: AirFrame[] = [];

  constructor(private readonly opts: SimulatedAirOptions) {}

  attach(chip: EmulatedSx126x, placement: AirNodePlacement): void {
    this.nodes.set(chip, { ...placement });
    chip.air = this;
  }

  move(chip: EmulatedSx126x, x: number, y: number): void {
    const p = this.nodes.get(chip);
    if (!p) throw new Error(`${chip.name} is not on this air`);
    p.x = x;
    p.y = y;
  }

  /** Fix the path loss between two chips (both directions), or block the link entirely. */
  setLink(a: EmulatedSx126x, b: EmulatedSx126x, loss: number | 'blocked' | undefined): void {
    for (const key of [`${a.name}>${b.name}`, `${b.name}>${a.name}`]) {
      if (loss === undefined) this.overrides.delete(key);
      else this.overrides.set(key, loss);
    }
  }

  noiseFloorDbm(bandwidthHz: number): number {
    return noiseFloorDbm(bandwidthHz, this.opts.noiseFigureDb ?? 6);
  }

  /** The level of a frame from `from` at `to`, or undefined when the link is blocked. */
  linkLevel(from: EmulatedSx126x, to: EmulatedSx126x, txPowerDbm: number, frequencyHz: number): number | undefined {
    const a = this.nodes.get(from);
    const b = this.nodes.get(to);
    if (!a || !b) return undefined;
    const o = this.overrides.get(`${from.name}>${to.name}`);
    if (o === 'blocked') return undefined;
    const loss = o ?? pathLossDb(Math.hypot(a.x - b.x, a.y - b.y), frequencyHz, this.opts.pathLossExponent ?? 3);
    return txPowerDbm + (a.antennaGainDb ?? 0) + (b.antennaGainDb ?? 0) - loss;
  }

  transmit(chip: EmulatedSx126x, f: Omit<AirFrame, 'id' | 'startAt' | 'endAt' | 'truncated'>, durationMs: number): AirFrame {
    const now = this.opts.clock.now();
    const frame: AirFrame = { ...f, id: this.nextId++, startAt: now, endAt: now + durationMs, truncated: false };
    this.active.add(frame);
    this.log.push(frame);
    for (const other of this.nodes.keys()) {
      if (other === chip || !sameChannel(frame, other.tunedFrf, other.tunedBandwidthHz)) continue;
      const heard = this.heardBy(other, frame);
      if (heard) other.airStart(heard);
    }
    this.opts.clock.schedule(durationMs, () => {
      this.active.delete(frame);
      for (const other of this.nodes.keys()) if (other !== chip) other.airEnd(frame);
    });
    return frame;
  }

  truncate(frame: AirFrame): void {
    frame.truncated = true;
  }

  hearing(chip: EmulatedSx126x, frf: number, bandwidthHz: number): Heard[] {
    const out: Heard[] = [];
    for (const frame of this.active) {
      if (frame.from === chip.name) continue;
      if (!sameChannel(frame, frf, bandwidthHz)) continue;
      const h = this.heardBy(chip, frame);
      if (h) out.push(h);
    }
    return out;
  }

  private heardBy(chip: EmulatedSx126x, frame: AirFrame): Heard | undefined {
    const sender = [...this.nodes.keys()].find((c) => c.name === frame.from);
    if (!sender) return undefined;
    const rssi = this.linkLevel(sender, chip, frame.txPowerDbm, frame.frequencyHz);
    if (rssi === undefined) return undefined;
    const snr = rssi - this.noiseFloorDbm(frame.bandwidthHz);
    return { frame, rssiDbm: rssi, snrDb: snr, decodable: snr >= (DemodSnrLimitDb[frame.sf] ?? 0) };
  }
}

/** Same channel when the carriers are closer than a quarter of the bandwidth (LoRa tolerates ±25 % BW offset). */
function sameChannel(frame: AirFrame, frf: number, bandwidthHz: number): boolean {
  const stepHz = 32e6 / 2 ** 25;
  return Math.abs(frame.frf - frf) * stepHz < Math.min(frame.bandwidthHz, bandwidthHz) / 4;
}
