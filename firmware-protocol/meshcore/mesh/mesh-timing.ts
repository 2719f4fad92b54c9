/**
 * The mesh's default timings (src/Mesh.cpp, src/Dispatcher.cpp), used when the application does not override them
 * (MeshHandler.retransmitDelayMs / directRetransmitDelayMs), and Radio::getEstAirtimeFor.
 *
 * Note (firmware v1.17.1 vs the issue brief): the "random 0..5 × t with t = airtime × 0.5 flood / 0.3 direct" rule
 * is examples/simple_repeater/MyMesh::getRetransmitDelay with its prefs (tx_delay_factor 0.5,
 * direct_tx_delay_factor 0.3, nextInt(0, 5t + 1)): the repeater application's override, not the mesh's. The base
 * Mesh::getRetransmitDelay is nextInt(0, 5) × t with t = (airtime × 52 / 50) / 2 (integer ms), and
 * Mesh::getDirectRetransmitDelay is 0.
 */
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import type { LoraModulation } from '../../../lib/lora/modulation.js';

/** Dispatcher::getCADFailMaxDuration: after this long busy, the pending transmission is forced. */
export const CAD_FAIL_MAX_DURATION_MS = 4000;

/** RNG::nextInt(min, max): an integer in [min, max). */
export function nextInt(random: () => number, min: number, max: number): number {
  if (max <= min) return min;
  return min + Math.min(max - min - 1, Math.floor(random() * (max - min)));
}

/** RadioLibWrapper::getEstAirtimeFor: RadioLib's time on air in µs / 1000, i.e. whole ms rounded down. */
export function estAirtimeMs(modulation: LoraModulation, length: number): number {
  return Math.floor(timeOnAirMs(modulation, Math.max(0, Math.min(255, length))));
}

/** Mesh::getRetransmitDelay (the base class default), for a packet of `rawLength` bytes on air. */
export function defaultFloodDelayMs(airtimeMs: number, random: () => number): number {
  const t = Math.floor(Math.floor((airtimeMs * 52) / 50) / 2);
  return nextInt(random, 0, 5) * t;
}

/** Mesh::getCADFailRetryDelay: 120, 240 or 360 ms before looking at the channel again. */
export function cadFailRetryDelayMs(random: () => number): number {
  return nextInt(random, 1, 4) * 120;
}

/** RadioLibWrapper snr_threshold: the SNR (dB) below which SF7..SF12 cannot decode. */
const SNR_THRESHOLD_DB = [-7.5, -10, -12.5, -15, -17.5, -20];

/** RadioLibWrapper::packetScoreInt: 0..1, the SNR margin over the SF's threshold / 10, less for long frames. */
export function packetScore(snrDb: number, spreadingFactor: number, length: number): number {
  if (spreadingFactor < 7) return 0;
  const threshold = SNR_THRESHOLD_DB[Math.min(12, spreadingFactor) - 7];
  if (snrDb < threshold) return 0;
  const successRate = (snrDb - threshold) / 10;
  const collisionPenalty = 1 - length / 256;
  return Math.max(0, Math.min(1, successRate * collisionPenalty));
}

/** The apps' calcRxDelay (simple_repeater, companion_radio MyMesh): (base^(0.85 − score) − 1) × airtime; 0 when base ≤ 0. */
export function rxDelayFromBase(base: number, score: number, airtimeMs: number): number {
  if (!(base > 0)) return 0;
  return Math.trunc((Math.pow(base, 0.85 - score) - 1) * airtimeMs);
}

/** Dispatcher::checkRecv: a score delay under this is not applied; MAX_RX_DELAY_MILLIS caps it. */
export const MIN_RX_DELAY_MS = 50;
export const MAX_RX_DELAY_MS = 32_000;
