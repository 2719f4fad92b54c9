/**
 * Listen before talk for the SX126x driver: the CAD parameters RadioLib sets for the spreading factor, and the
 * back-off after a busy channel, scaled to the modulation's symbol and frame time instead of a fixed 50–500 ms (which
 * is shorter than one LongFast frame, so a second CAD would land in the same frame).
 */
import { symbolTimeMs, type LoraModulation } from '../../lib/lora/modulation.js';
import { CadExitMode, CadSymbols } from './params.js';

/** CADs before a transmit gives up with Sx126xChannelBusyError (the first one included). */
export const LBT_DEFAULT_ATTEMPTS = 5;

export interface CadParams {
  /** Symbols the CAD listens for, and its SetCadParams code. */
  symbols: 4;
  symbolCode: number;
  detPeak: number;
  detMin: number;
  exitMode: number;
}

/**
 * SetCadParams as RadioLib's setCad() builds them when the caller leaves them at default (jgromes/RadioLib
 * src/modules/SX126x/SX126x_commands.cpp, after a7db7947 "Optimize CAD for improved detection rate and SF5/SF6",
 * following DS.SX1261-2 application section on CAD): 4 symbols, detPeak = SF + 13, detMin = 10, back to standby.
 */
export function cadParamsFor(spreadingFactor: number): CadParams {
  return { symbols: 4, symbolCode: CadSymbols[4], detPeak: spreadingFactor + 13, detMin: 10, exitMode: CadExitMode.Standby };
}

/**
 * One contention slot: the time to notice that a neighbour started sending — the CAD (symbols + 0.5 on SX126x),
 * air propagation over 30 km, TX/RX turnaround and MAC processing (meshtastic/firmware:src/mesh/RadioInterface.cpp
 * computeSlotTimeMsec: 0.2 + 0.4 + 7 ms).
 */
export function cadSlotMs(m: Pick<LoraModulation, 'spreadingFactor' | 'bandwidthHz'>): number {
  return (cadParamsFor(m.spreadingFactor).symbols + 0.5) * symbolTimeMs(m) + 7.6;
}

/** Contention window exponents (meshtastic/firmware:src/mesh/RadioInterface.h CWmin 3, CWmax 8). */
const CW_MIN = 3;
const CW_MAX = 8;

/**
 * How long to wait after the `attempt`-th busy CAD (1-based): one frame time (what was detected is a frame of the
 * same preset, on the air for about as long as ours) plus a random number of contention slots from a window that
 * doubles with every busy CAD (binary exponential back-off, as the firmware widens its window with utilisation).
 */
export function lbtBackoffMs(m: Pick<LoraModulation, 'spreadingFactor' | 'bandwidthHz'>, frameMs: number, attempt: number, random: () => number): number {
  const cw = Math.min(CW_MIN + Math.max(0, attempt - 1), CW_MAX);
  return frameMs + Math.floor(random() * 2 ** cw) * cadSlotMs(m);
}

/**
 * The quiet time after a frame ended on the air before this radio may CAD and send: one slot, so the sender of that
 * frame (its next fragment, an ACK it awaits) goes first — the short/long inter-frame space of 802.11 — plus a random
 * number of slots from the smallest contention window, as the firmware draws a new random transmit delay after every
 * reception (meshtastic/firmware:src/mesh/RadioLibInterface.cpp ISR_RX: setTransmitDelay, getTxDelayMsec).
 */
export function postRxQuietMs(m: Pick<LoraModulation, 'spreadingFactor' | 'bandwidthHz'>, random: () => number): number {
  return (1 + Math.floor(random() * 2 ** CW_MIN)) * cadSlotMs(m);
}
