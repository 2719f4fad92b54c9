/**
 * Radio link model for the simulated air: log-distance path loss, thermal noise and the SX126x demodulator SNR
 * limits (DS.SX1261-2 table 6-1 footnotes / AN1200.22: SF5 -2.5 … SF12 -20 dB).
 */
export const DemodSnrLimitDb: Readonly<Record<number, number>> = { 5: -2.5, 6: -5, 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20 };

export interface LinkModelOptions {
  /** Path-loss exponent n (2 = free space; 2.7–3.5 typical suburban). Default 3. */
  pathLossExponent?: number;
  /** Receiver noise figure, dB (SX1262 ≈ 6 dB with boosted gain off). */
  noiseFigureDb?: number;
}

/** Free-space loss at 1 m (20 log10 f_MHz - 27.55) plus 10 n log10(d). */
export function pathLossDb(distanceM: number, frequencyHz: number, exponent = 3): number {
  const d = Math.max(distanceM, 1);
  return 20 * Math.log10(frequencyHz / 1e6) - 27.55 + 10 * exponent * Math.log10(d);
}

/** Thermal noise in the channel: -174 dBm/Hz + 10 log10(BW) + NF. */
export function noiseFloorDbm(bandwidthHz: number, noiseFigureDb = 6): number {
  return -174 + 10 * Math.log10(bandwidthHz) + noiseFigureDb;
}

/** Power sum of two dBm levels. */
export function addDbm(a: number, b: number): number {
  return 10 * Math.log10(10 ** (a / 10) + 10 ** (b / 10));
}
