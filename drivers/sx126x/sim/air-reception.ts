/**
 * The reception decision of the shared simulated air (shared-air.ts): how strong a frame arrives, whether it can be
 * demodulated, and whether an overlapping frame spoils it. Pure functions; the link model is link-model.ts.
 *
 * Path loss is log-distance (link-model.ts pathLossDb: free-space loss at 1 m, then 10·n·log10(d), n = 3 by
 * default), the SNR is taken against thermal noise in the bandwidth (-174 dBm/Hz + 10·log10(BW) + NF), and a frame
 * is demodulated when the SNR reaches the SX126x limit for its SF (DemodSnrLimitDb: SF7 -7.5 dB … SF12 -20 dB).
 * Whatever the model says, antennas within `alwaysHearM` (1 km) always hear each other: with the defaults a link of
 * 1 km at 868–928 MHz clears the limit by 5 dB or more at every SF and bandwidth anyway, so the rule only matters
 * for a model made harsher by options.
 */
import { distanceM, type AirTuning } from './air-channel.js';
import { DemodSnrLimitDb, noiseFloorDbm, pathLossDb } from './link-model.js';

export interface AirModel {
  /** Conducted power of every transmitter, dBm (0 dBi antennas). Default 14: the EU868 limit of most sub-bands. */
  txPowerDbm: number;
  /** Log-distance path-loss exponent (2 free space, 2.7–3.5 suburban). Default 3. */
  pathLossExponent: number;
  /** Receiver noise figure, dB (SX1262 ≈ 6). */
  noiseFigureDb: number;
  /** Antennas closer than this always hear each other, metres. Default 1000. */
  alwaysHearM: number;
  /**
   * Capture margin, dB: a frame survives an overlapping co-SF frame only when it arrives at least this much stronger;
   * closer than that, both are lost at that receiver. 6 dB: the capture threshold measured with SX1276 modems by
   * Bor, Roedig, Voigt and Alonso, "Do LoRa Low-Power Wide-Area Networks Scale?", MSWiM 2016 §3.3, and used by their
   * simulator LoRaSim (loraDir.py powerCollision: powerThreshold = 6 dB); also this emulator's chip default
   * (emulated-sx126x.ts captureThresholdDb).
   */
  captureMarginDb: number;
}

export const DEFAULT_AIR_MODEL: Readonly<AirModel> = {
  txPowerDbm: 14,
  pathLossExponent: 3,
  noiseFigureDb: 6,
  alwaysHearM: 1000,
  captureMarginDb: 6,
};

/** A frame as it arrives at one receiver. */
export interface ArrivingSignal {
  /** Level at the receiver's antenna, dBm (0.5 dB steps, as the SX126x reports RssiPkt). */
  rssiDbm: number;
  /** Against the thermal noise in the bandwidth, dB (0.25 dB steps and the -32..31.75 range of SnrPkt). */
  snrDb: number;
  distanceM: number;
  /** The receiver can demodulate it (before any collision): within alwaysHearM, or SNR at the SF's limit. */
  audible: boolean;
}

/** The unrounded level of a transmission from `tx` at the position of `rx`, dBm. */
export function levelDbm(tx: AirTuning, rx: Pick<AirTuning, 'x' | 'y'>, model: AirModel): number {
  return model.txPowerDbm - pathLossDb(distanceM(tx, rx), tx.freqHz, model.pathLossExponent);
}

/** How a frame sent with `tx` arrives at an antenna tuned with `rx` (same channel assumed: the caller checks it). */
export function arriving(tx: AirTuning, rx: Pick<AirTuning, 'x' | 'y'>, model: AirModel): ArrivingSignal {
  const d = distanceM(tx, rx);
  const level = levelDbm(tx, rx, model);
  const snr = level - noiseFloorDbm(tx.bwHz, model.noiseFigureDb);
  const limit = DemodSnrLimitDb[tx.sf] ?? 0;
  return {
    rssiDbm: Math.round(level * 2) / 2,
    snrDb: Math.max(-32, Math.min(31.75, Math.round(snr * 4) / 4)),
    distanceM: d,
    audible: d <= model.alwaysHearM || snr >= limit,
  };
}

/**
 * Capture: a wanted frame arriving at `wantedDbm` survives an overlapping interferer arriving at `interfererDbm` when
 * it is at least the capture margin stronger (equal levels: both lost).
 */
export function survives(wantedDbm: number, interfererDbm: number, model: Pick<AirModel, 'captureMarginDb'>): boolean {
  return wantedDbm - interfererDbm >= model.captureMarginDb;
}

/** Two frames on the air over [start, end) overlap in time (touching ends do not). */
export function overlapInTime(a: { startAt: number; endAt: number }, b: { startAt: number; endAt: number }): boolean {
  return a.startAt < b.endAt && b.startAt < a.endAt;
}
