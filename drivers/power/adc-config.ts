/**
 * Configuration-register words from averaging and conversion-time choices, and how long one full conversion
 * then takes (which bounds how long init() waits for the first result).
 */
import { PowerSensorConfigError } from './errors.js';
import { AVERAGES, CONVERSION_US, INA219_ADC, Ina219, Ina2xxConfig } from './registers.js';

export type Averages = (typeof AVERAGES)[number];
export type ConversionUs = (typeof CONVERSION_US)[number];

export interface Ina2xxAdcOptions {
  /** Samples averaged (AVG): 1, 4, 16, 64, 128, 256, 512 or 1024. Default 16. */
  averages?: number;
  /** Bus voltage conversion time in µs (VBUSCT): 140, 204, 332, 588, 1100, 2116, 4156 or 8244. Default 1100. */
  busConversionUs?: number;
  /** Shunt voltage (INA260: current) conversion time in µs (VSHCT/ISHCT), same values. Default 1100. */
  shuntConversionUs?: number;
}

export interface AdcWord {
  /** Configuration register bits 11:0 (AVG, VBUSCT, VSHCT, MODE continuous). */
  bits: number;
  /** One shunt + bus conversion with averaging, ms (per channel on the INA3221). */
  conversionMs: number;
}

function indexIn(table: readonly number[], value: number, key: string): number {
  const i = table.indexOf(value);
  if (i < 0) throw new PowerSensorConfigError(key, `must be one of ${table.join(', ')}, got ${value}`);
  return i;
}

/** INA226 / INA260 / INA3221 configuration bits 11:0, MODE 111 (shunt and bus, continuous). */
export function ina2xxAdcWord(options: Ina2xxAdcOptions = {}): AdcWord {
  const averages = options.averages ?? 16;
  const bus = options.busConversionUs ?? 1100;
  const shunt = options.shuntConversionUs ?? 1100;
  const avg = indexIn(AVERAGES, averages, 'averages');
  const vbus = indexIn(CONVERSION_US, bus, 'busConversionUs');
  const vsh = indexIn(CONVERSION_US, shunt, 'shuntConversionUs');
  const bits = (avg << Ina2xxConfig.AVG_SHIFT) | (vbus << Ina2xxConfig.VBUSCT_SHIFT) | (vsh << Ina2xxConfig.VSHCT_SHIFT) | Ina2xxConfig.MODE_CONTINUOUS;
  return { bits, conversionMs: (averages * (bus + shunt)) / 1000 };
}

/** Decodes AVG/VBUSCT/VSHCT bits back to a conversion time (ms) for one channel, for the emulators. */
export function ina2xxConversionMs(config: number): number {
  const avg = AVERAGES[(config >> Ina2xxConfig.AVG_SHIFT) & 7]!;
  const bus = CONVERSION_US[(config >> Ina2xxConfig.VBUSCT_SHIFT) & 7]!;
  const shunt = CONVERSION_US[(config >> Ina2xxConfig.VSHCT_SHIFT) & 7]!;
  return (avg * (bus + shunt)) / 1000;
}

export interface Ina219AdcOptions {
  /** 12-bit samples averaged for both shunt (SADC) and bus (BADC): 1, 2, 4, 8, 16, 32, 64 or 128. Default 8. */
  samples?: number;
}

/** INA219 configuration: BRNG 32 V, PGA from the calibration, BADC = SADC = 12-bit × samples, MODE 111. */
export function ina219ConfigWord(pga: number, options: Ina219AdcOptions = {}): AdcWord {
  const samples = options.samples ?? 8;
  const adc = INA219_ADC.find((a) => a.bits === 12 && a.samples === samples);
  if (!adc) throw new PowerSensorConfigError('samples', `must be one of ${INA219_ADC.filter((a) => a.bits === 12).map((a) => a.samples).join(', ')}, got ${samples}`);
  const c = Ina219.config;
  const bits = c.BRNG_32V | (pga << c.PG_SHIFT) | (adc.code << c.BADC_SHIFT) | (adc.code << c.SADC_SHIFT) | c.MODE_MASK;
  return { bits, conversionMs: (2 * adc.us) / 1000 };
}

/** INA219 conversion time (ms) of a configuration word: bus plus shunt, each from Table 5. */
export function ina219ConversionMs(config: number): number {
  const c = Ina219.config;
  const us = (code: number) => (INA219_ADC.find((a) => a.code === code) ?? INA219_ADC.find((a) => a.code === (code & 0b0011))!).us;
  // Codes 0X00–0X11 with bit 3 clear are the single-sample resolutions; 1000 is 12-bit like 0011 (Table 5).
  const norm = (code: number) => (code & 0b1000 ? (code === 0b1000 ? 0b0011 : code) : code & 0b0011);
  return (us(norm((config >> c.BADC_SHIFT) & 0xf)) + us(norm((config >> c.SADC_SHIFT) & 0xf))) / 1000;
}
