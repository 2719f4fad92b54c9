/**
 * PA settings per output power for the SX126x high-power PA: RadioLib's measured tables (jgromes/RadioLib
 * src/modules/SX126x/SX1262.cpp and SX1268.cpp `paOptimizedTable`, from RadioLib#1628 and radiolib-org/power-tests),
 * one row per dBm from -9 to +22: SetPaConfig(paDutyCycle, hpMax, deviceSel 0, paLut 1) then SetTxParams(paVal).
 * The table's paVal is what SetTxParams gets, not the wanted power: the pair (duty cycle, hpMax) sets how much the PA
 * can give, paVal trims within it (SX1262::setOutputPower(power, optimize = true)). Both chips have only the
 * high-power PA bonded out, so deviceSel is always 0 (DS.SX1261-2 §13.1.14: 1 selects the SX1261's low-power PA).
 * Data only.
 */
import type { Sx126xVariant } from './variant.js';

/** One row: [paDutyCycle, hpMax, paVal]. */
export type PaRow = readonly [paDutyCycle: number, hpMax: number, paVal: number];

export const PA_MIN_DBM = -9;
export const PA_MAX_DBM = 22;

/** SX1262.cpp paOptimizedTable, index = dBm + 9. */
const SX1262_PA: readonly PaRow[] = [
  [2, 2, -5], [2, 1, 0], [1, 1, 3], [1, 2, 0], [1, 1, 6], [1, 2, 3], [2, 2, 2], [4, 1, 6], // -9 .. -2
  [1, 1, 11], [2, 1, 11], [1, 1, 14], [2, 1, 14], [1, 1, 20], [1, 1, 22], [2, 2, 11], [3, 1, 21], // -1 .. +6
  [1, 2, 17], [4, 2, 13], [1, 2, 20], [1, 2, 22], [2, 2, 21], [3, 2, 21], [1, 4, 19], [1, 4, 20], // +7 .. +14
  [3, 3, 20], [2, 5, 19], [1, 6, 22], [2, 5, 22], [3, 5, 22], [3, 6, 22], [4, 6, 22], [4, 7, 22], // +15 .. +22
];

/** SX1268.cpp paOptimizedTable, index = dBm + 9. */
const SX1268_PA: readonly PaRow[] = [
  [2, 1, -3], [2, 1, -2], [1, 1, 0], [4, 1, -1], [2, 1, 2], [2, 2, 0], [2, 2, 1], [1, 2, 3], // -9 .. -2
  [1, 3, 3], [1, 2, 5], [1, 1, 9], [4, 1, 8], [2, 2, 7], [1, 1, 13], [4, 1, 11], [1, 1, 19], // -1 .. +6
  [2, 1, 19], [4, 1, 17], [1, 6, 12], [1, 2, 16], [4, 1, 22], [2, 2, 18], [1, 2, 21], [2, 2, 21], // +7 .. +14
  [3, 2, 21], [2, 3, 20], [1, 6, 20], [1, 5, 22], [2, 5, 22], [3, 5, 22], [3, 7, 22], [4, 7, 22], // +15 .. +22
];

export const PaTables: Readonly<Record<Sx126xVariant, readonly PaRow[]>> = { sx1262: SX1262_PA, sx1268: SX1268_PA };

/** What the driver sends for an output power: SetPaConfig(paDutyCycle, hpMax, deviceSel, paLut), SetTxParams(txParamsDbm). */
export interface PaSettings {
  paDutyCycle: number;
  hpMax: number;
  deviceSel: 0;
  paLut: 1;
  txParamsDbm: number;
}

export function paSettings(variant: Sx126xVariant, dbm: number): PaSettings {
  if (!Number.isInteger(dbm) || dbm < PA_MIN_DBM || dbm > PA_MAX_DBM)
    throw new RangeError(`output power must be an integer ${PA_MIN_DBM}..${PA_MAX_DBM} dBm for ${variant}, got ${dbm}`);
  const [paDutyCycle, hpMax, txParamsDbm] = PaTables[variant][dbm - PA_MIN_DBM]!;
  return { paDutyCycle, hpMax, deviceSel: 0, paLut: 1, txParamsDbm };
}

/**
 * The power the high-power PA radiates for a SetPaConfig/SetTxParams pair, for the emulator: a row of the variant's
 * table gives its dBm; otherwise the datasheet's own optimal settings (DS.SX1261-2 table 13-21: +22 at (4,7), +20 at
 * (3,5), +17 at (2,3), +14 at (2,2), each with SetTxParams +22) scaled by the SetTxParams value below +22; any other
 * pair is taken at its SetTxParams value (an approximation: the emulator does not model the PA curve).
 */
export function radiatedDbm(variant: Sx126xVariant, paDutyCycle: number, hpMax: number, txParamsDbm: number): number {
  const i = PaTables[variant].findIndex(([d, h, p]) => d === paDutyCycle && h === hpMax && p === txParamsDbm);
  if (i >= 0) return i + PA_MIN_DBM;
  const datasheet: Record<string, number> = { '4,7': 22, '3,5': 20, '2,3': 17, '2,2': 14 };
  const top = datasheet[`${paDutyCycle},${hpMax}`];
  return top === undefined ? txParamsDbm : top - (22 - txParamsDbm);
}
