/**
 * Calibration from the shunt value and the maximum expected current, as each datasheet computes it. Pure functions:
 * the drivers program what these return and convert readings with the LSB the programmed value really gives
 * (after truncation), not the one asked for.
 */
import { PowerSensorConfigError } from './errors.js';
import { Ina219, Ina226, Ina260, Ina3221 } from './registers.js';

export interface Calibration {
  /** Calibration register value. */
  cal: number;
  /** Amps per Current-register LSB that `cal` gives. */
  currentLsbA: number;
  /** Watts per Power-register LSB (INA219: 20 × Current_LSB, INA226: 25 ×). */
  powerLsbW: number;
}

export interface Ina219Calibration extends Calibration {
  /** PG1:PG0, the smallest PGA range that holds maxCurrentA × shuntOhms. */
  pga: 0 | 1 | 2 | 3;
}

/** trunc() of a quotient that is an integer on paper (0.04096 / (0.001 × 0.002) = 20480) but may land a hair below
 * it in binary floating point. */
const trunc = (x: number) => Math.floor(x * (1 + 1e-12));

export function checkShunt(shuntOhms: number, maxCurrentA: number): void {
  if (!(Number.isFinite(shuntOhms) && shuntOhms > 0)) throw new PowerSensorConfigError('shuntOhms', `must be a positive number of ohms, got ${shuntOhms}`);
  if (!(Number.isFinite(maxCurrentA) && maxCurrentA > 0)) throw new PowerSensorConfigError('maxCurrentA', `must be a positive number of amps, got ${maxCurrentA}`);
}

/**
 * INA219 (SBOS448G §8.5.1): Current_LSB = Maximum Expected Current / 2^15 (Eq. 2), Cal = trunc(0.04096 /
 * (Current_LSB × RSHUNT)) (Eq. 1), Power_LSB = 20 × Current_LSB (Eq. 3). The Calibration register's bit 0 is void,
 * so Cal is rounded down to even; a Cal above FFFEh (a very small maxCurrentA) is clamped, which only makes the LSB
 * coarser than asked (the datasheet allows any LSB between Eq. 2's minimum and the 12-bit maximum).
 */
export function ina219Calibration(shuntOhms: number, maxCurrentA: number): Ina219Calibration {
  checkShunt(shuntOhms, maxCurrentA);
  const shuntV = maxCurrentA * shuntOhms;
  const pga = Ina219.PGA_FULL_SCALE_V.findIndex((fs) => shuntV <= fs + 1e-12);
  if (pga < 0) throw new PowerSensorConfigError('maxCurrentA', `${maxCurrentA} A through ${shuntOhms} Ω drops ${(shuntV * 1e3).toFixed(1)} mV, beyond the INA219's ±320 mV shunt range; at most ${(0.32 / shuntOhms).toFixed(3)} A with this shunt`);
  const minLsb = maxCurrentA / 2 ** 15;
  const cal = Math.min(trunc(Ina219.CAL_SCALE / (minLsb * shuntOhms)), 0xfffe) & Ina219.CAL_WRITE_MASK;
  const currentLsbA = Ina219.CAL_SCALE / (cal * shuntOhms);
  return { cal, currentLsbA, powerLsbW: Ina219.POWER_LSB_RATIO * currentLsbA, pga: pga as 0 | 1 | 2 | 3 };
}

/**
 * INA226 (SBOS547 §7.5 "Programming", Eq. 1–2): Current_LSB = Maximum Expected Current / 2^15, CAL = trunc(0.00512 /
 * (Current_LSB × RSHUNT)), Power_LSB = 25 × Current_LSB. The register holds 15 bits (FS14:FS0). The shunt ADC
 * saturates at ±81.92 mV, so maxCurrentA × shuntOhms must stay inside it.
 */
export function ina226Calibration(shuntOhms: number, maxCurrentA: number): Calibration {
  checkShunt(shuntOhms, maxCurrentA);
  const shuntV = maxCurrentA * shuntOhms;
  if (shuntV > Ina226.SHUNT_FULL_SCALE_V + 1e-12) throw new PowerSensorConfigError('maxCurrentA', `${maxCurrentA} A through ${shuntOhms} Ω drops ${(shuntV * 1e3).toFixed(2)} mV, beyond the INA226's ±81.92 mV shunt range; at most ${(Ina226.SHUNT_FULL_SCALE_V / shuntOhms).toFixed(4)} A with this shunt`);
  const minLsb = maxCurrentA / 2 ** 15;
  const cal = Math.min(trunc(Ina226.CAL_SCALE / (minLsb * shuntOhms)), Ina226.CAL_WRITE_MASK);
  const currentLsbA = Ina226.CAL_SCALE / (cal * shuntOhms);
  return { cal, currentLsbA, powerLsbW: Ina226.POWER_LSB_RATIO * currentLsbA };
}

/** INA3221 (SBOS576C): no calibration register; amps = shunt volts / shuntOhms, inside ±163.8 mV. */
export function checkIna3221Shunt(shuntOhms: number, maxCurrentA: number): void {
  checkShunt(shuntOhms, maxCurrentA);
  const shuntV = maxCurrentA * shuntOhms;
  if (shuntV > Ina3221.SHUNT_FULL_SCALE_V + 1e-12) throw new PowerSensorConfigError('maxCurrentA', `${maxCurrentA} A through ${shuntOhms} Ω drops ${(shuntV * 1e3).toFixed(1)} mV, beyond the INA3221's ±163.8 mV shunt range; at most ${(Ina3221.SHUNT_FULL_SCALE_V / shuntOhms).toFixed(3)} A with this shunt`);
}

/** INA260 (SBOS656C §8.3.1–8.3.2): the 2 mΩ shunt is inside; ±15 A continuous. */
export function checkIna260Current(maxCurrentA: number): void {
  if (!(Number.isFinite(maxCurrentA) && maxCurrentA > 0)) throw new PowerSensorConfigError('maxCurrentA', `must be a positive number of amps, got ${maxCurrentA}`);
  if (maxCurrentA > Ina260.MAX_CURRENT_A) throw new PowerSensorConfigError('maxCurrentA', `the INA260's integrated shunt carries at most ${Ina260.MAX_CURRENT_A} A continuously, got ${maxCurrentA}`);
}
