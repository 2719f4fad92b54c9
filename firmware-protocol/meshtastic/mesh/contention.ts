/**
 * The contention window: how long a node waits before it transmits (firmware src/mesh/RadioInterface.cpp
 * computeSlotTimeMsec, getCWsize, getTxDelayMsec, getTxDelayMsecWeighted, getTxDelayMsecWeightedWorst,
 * getRetransmissionMsec; constants from RadioInterface.h). Pure functions of the modulation, SNR, channel
 * utilisation and a random source, so tests check them against the formulas.
 */
import { symbolTimeMs, type LoraModulation } from '../../../lib/lora/modulation.js';
import type { MeshRole } from './role.js';
import { rebroadcastsEarly } from './role.js';

/** RadioInterface.h CWmin / CWmax. */
export const CW_MIN = 3;
export const CW_MAX = 8;
/** RadioInterface.h NUM_SYM_CAD (RadioLib ≥ 6.3 default, AN1200.48). */
export const NUM_SYM_CAD = 2;
/** RadioInterface.h PROCESSING_TIME_MSEC: "time to construct, process and construct a packet again". */
export const PROCESSING_TIME_MSEC = 4500;
/** RadioInterface.cpp getCWsize SNR_MIN / SNR_MAX. */
export const SNR_MIN = -20;
export const SNR_MAX = 10;

/** An integer in [0, maxExclusive) (Arduino `random(0, max)`; 0 when max ≤ 0, as `random(a, b)` returns a when a ≥ b). */
export type RandomSource = (maxExclusive: number) => number;

/**
 * Arduino `long map(long x, long in_min, long in_max, long out_min, long out_max)`: the float argument is truncated to
 * long and the division truncates toward zero; the result is NOT clamped.
 */
export function arduinoMap(x: number, inMin: number, inMax: number, outMin: number, outMax: number): number {
  const run = inMax - inMin;
  if (run === 0) return 0;
  return Math.trunc((Math.trunc(x) - inMin) * (outMax - outMin) / run) + outMin;
}

/**
 * RadioInterface::computeSlotTimeMsec (sub-GHz): max(2.25, NUM_SYM_CAD + 0.5) symbols of CAD + 0.2 ms propagation
 * + 0.4 ms turnaround + 7 ms MAC processing, truncated to whole ms (uint32_t). LongFast (SF11, 250 kHz) → 28 ms.
 */
export function slotTimeMs(m: Pick<LoraModulation, 'spreadingFactor' | 'bandwidthHz'>): number {
  return Math.trunc(Math.max(2.25, NUM_SYM_CAD + 0.5) * symbolTimeMs(m) + (0.2 + 0.4 + 7));
}

/**
 * RadioInterface::getCWsize: map(snr, −20, 10, 3, 8). The firmware keeps it in a uint8_t; below about −26 dB the
 * map goes under 0 and the firmware would wrap: we stop at 0 instead (an empty window, the earliest slot).
 */
export function cwSizeForSnr(snrDb: number): number {
  return Math.max(0, arduinoMap(snrDb, SNR_MIN, SNR_MAX, CW_MIN, CW_MAX));
}

/** map(channel utilisation %, 0, 100, CWmin, CWmax) as getTxDelayMsec and getRetransmissionMsec use it. */
export function cwSizeForUtilization(channelUtilPercent: number): number {
  return Math.max(0, arduinoMap(channelUtilPercent, 0, 100, CW_MIN, CW_MAX));
}

/** RadioInterface::getTxDelayMsec: our own packets wait random(0, 2^CW) slots, CW from channel utilisation. */
export function txDelayMs(slotMs: number, channelUtilPercent: number, random: RandomSource): number {
  return random(2 ** cwSizeForUtilization(channelUtilPercent)) * slotMs;
}

/**
 * RadioInterface::getTxDelayMsecWeighted: a rebroadcast waits by the SNR it was heard with (weak = far = early).
 * ROUTER: random(0, 2·CW) slots; every other role: 2·CWmax slots (the routers' window) + random(0, 2^CW) slots.
 */
export function txDelayWeightedMs(role: MeshRole, snrDb: number, slotMs: number, random: RandomSource): number {
  const cw = cwSizeForSnr(snrDb);
  if (rebroadcastsEarly(role)) return random(2 * cw) * slotMs;
  return 2 * CW_MAX * slotMs + random(2 ** cw) * slotMs;
}

/** RadioInterface::getTxDelayMsecWeightedWorst: the end of a client's window for this SNR (the "late" window). */
export function txDelayWeightedWorstMs(snrDb: number, slotMs: number): number {
  return 2 * CW_MAX * slotMs + 2 ** cwSizeForSnr(snrDb) * slotMs;
}

/**
 * RadioInterface::getRetransmissionMsec: 2·airtime + (2^CW + 2·CWmax + 2^((CWmax+CWmin)/2))·slot + 4500 ms, CW from
 * channel utilisation ("assuming we pick max. of CWsize and there will be a client with SNR at half the range").
 */
export function retransmissionMs(packetAirtimeMs: number, slotMs: number, channelUtilPercent: number): number {
  const cw = cwSizeForUtilization(channelUtilPercent);
  return 2 * packetAirtimeMs + (2 ** cw + 2 * CW_MAX + 2 ** Math.trunc((CW_MAX + CW_MIN) / 2)) * slotMs + PROCESSING_TIME_MSEC;
}
