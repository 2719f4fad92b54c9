/**
 * What decides whether two antennas of the shared simulated air (shared-air.ts, AIR-PROTOCOL.md) are on the same
 * LoRa channel, and whether two frames interfere. Pure functions over a tuning as the protocol's `tune` carries it.
 */

/** One antenna's tuning as the `tune` request gives it (AIR-PROTOCOL.md). */
export interface AirTuning {
  /** Centre frequency, Hz. */
  freqHz: number;
  /** LoRa bandwidth, Hz (the SX126x values: 7810 … 500000). */
  bwHz: number;
  /** Spreading factor 5..12. */
  sf: number;
  /** Coding rate denominator 5..8 (4/5 … 4/8): airtime only, never reception (the explicit header carries it). */
  cr: number;
  /** One-byte sync word as RadioLib's setSyncWord takes it: Meshtastic 0x2B = 43, MeshCore and Lattice 0x12 = 18. */
  syncWord: number;
  /** Preamble symbols as programmed: airtime only (a receiver locks on any preamble at least as long as its own
   * minimum, and the meshes here all agree on theirs). */
  preamble: number;
  /** Position, metres. */
  x: number;
  y: number;
}

/**
 * Carriers closer than a quarter of the (narrower) bandwidth are one channel. LoRa demodulates with a carrier offset
 * up to ±25 % of the bandwidth (Semtech AN1200.26 "LoRa and LoRaWAN: a technical overview" §frequency offset;
 * SX1261-2 datasheet §6.1.1: offsets within BW/4 are tracked), and the firmwares' float maths (Meshtastic
 * RadioInterface::applyModemConfig: freq = freqStart + bw/2000 + slot × bw/1000 in float) lands tens of Hz off.
 */
export function carriersMatch(a: Pick<AirTuning, 'freqHz' | 'bwHz'>, b: Pick<AirTuning, 'freqHz' | 'bwHz'>): boolean {
  return Math.abs(a.freqHz - b.freqHz) < Math.min(a.bwHz, b.bwHz) / 4;
}

/**
 * Same channel: a receiver tuned to `rx` demodulates a frame sent with `tx`. Bandwidth, SF and sync word must be
 * equal and the carriers match; `cr` and `preamble` do not decide (the explicit header carries the coding rate).
 */
export function sameChannel(tx: AirTuning, rx: AirTuning): boolean {
  return tx.sf === rx.sf && tx.bwHz === rx.bwHz && tx.syncWord === rx.syncWord && carriersMatch(tx, rx);
}

/**
 * Two frames interfere when they share SF and bandwidth on matching carriers, whatever their sync words (the energy
 * is on the air either way). Different SFs are quasi-orthogonal and do not collide (Semtech AN1200.22 "LoRa
 * Modulation Basics" §4: signals of different SF are orthogonal; Croce et al., "Impact of LoRa Imperfect
 * Orthogonality", IEEE Commun. Lett. 2018, measure their rejection at 16 dB and more).
 */
export function interferes(a: AirTuning, b: AirTuning): boolean {
  return a.sf === b.sf && a.bwHz === b.bwHz && carriersMatch(a, b);
}

/** Distance between two antennas, metres. */
export function distanceM(a: Pick<AirTuning, 'x' | 'y'>, b: Pick<AirTuning, 'x' | 'y'>): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * The SX126x sync word register pair (0x0740/0x0741) as the one-byte form the air speaks: the high nibbles of the two
 * registers, as RadioLib's setSyncWord(s, 0x44) spreads them (0x1424 -> 0x12, 0x3444 -> 0x34, 0x24B4 -> 0x2B;
 * lib/lora/modulation.ts, LoraModulation.syncWord).
 */
export function syncWordByte(registerPair: number): number {
  return ((registerPair >> 8) & 0xf0) | ((registerPair >> 4) & 0x0f);
}

/** The one-byte sync word as the register pair with control nibbles 0x4 (RadioLib setSyncWord(s, 0x44)). */
export function syncWordPair(byte: number): number {
  return (((byte & 0xf0) | 0x04) << 8) | (((byte & 0x0f) << 4) | 0x04);
}
