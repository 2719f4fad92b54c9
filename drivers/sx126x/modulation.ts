/**
 * Pure conversions from a LoraModulation to SX126x parameter bytes, with input checks. Symbol time, the LDRO rule and
 * time on air are the chip-independent LoRa model in lib/lora/.
 */
import type { LoraModulation } from './lora-radio.js';
import { ImageCalibrationBands, LoraBandwidth, XTAL_HZ } from './params.js';
import { Variants, type Sx126xVariant } from './variant.js';

/** frf = round(f × 2^25 / 32 MHz) (datasheet §13.4.1; RadioLib FREQUENCY_STEP_SIZE 0.9536743164 Hz). */
export function frequencyToFrf(hz: number): number {
  if (!Number.isFinite(hz) || hz <= 0) throw new RangeError(`frequency must be a positive number of Hz, got ${hz}`);
  return Math.round((hz * 2 ** 25) / XTAL_HZ) >>> 0;
}

export function frfToFrequency(frf: number): number {
  return (frf * XTAL_HZ) / 2 ** 25;
}

/** CalibrateImage (f1, f2) for a frequency; the band table first, else RadioLib's ±4 MHz custom range rule. */
export function imageCalibration(hz: number): [number, number] {
  const mhz = Math.trunc(hz / 1e6);
  for (const b of ImageCalibrationBands) if (mhz >= b.fromMHz && mhz <= b.toMHz) return [b.f1, b.f2];
  // RadioLib SX126x::calibrateImageRejection(freq - 4, freq + 4): odd floor/ceil in 4 MHz steps.
  let f1 = Math.floor((hz / 1e6 - 4 - 1) / 4);
  let f2 = Math.ceil((hz / 1e6 + 4 + 1) / 4);
  if (f1 % 2 === 0) f1 -= 1;
  if (f2 % 2 === 0) f2 += 1;
  return [f1 & 0xff, f2 & 0xff];
}

export function bandwidthCode(hz: number): number {
  for (const b of LoraBandwidth) if (b.hz === hz) return b.code;
  throw new RangeError(`bandwidth ${hz} Hz is not an SX126x LoRa bandwidth (${LoraBandwidth.map((b) => b.hz).join(', ')})`);
}

export function bandwidthFromCode(code: number): number {
  for (const b of LoraBandwidth) if (b.code === code) return b.hz;
  throw new RangeError(`0x${code.toString(16)} is not an SX126x LoRa bandwidth code`);
}

/**
 * Sync word register pair (0x0740, 0x0741). One-byte SX127x form s -> ((s & 0xF0) | 4, ((s & 0x0F) << 4) | 4)
 * (RadioLib setSyncWord(s, 0x44)); values above 0xFF are already the register pair.
 */
export function syncWordRegisters(syncWord: number): [number, number] {
  if (!Number.isInteger(syncWord) || syncWord < 0 || syncWord > 0xffff)
    throw new RangeError(`sync word must be 0..0xFFFF, got ${syncWord}`);
  if (syncWord <= 0xff) return [(syncWord & 0xf0) | 0x04, ((syncWord & 0x0f) << 4) | 0x04];
  return [syncWord >> 8, syncWord & 0xff];
}

/** The register pair as one 16-bit number, the form the air compares on. */
export function syncWordValue(syncWord: number): number {
  const [msb, lsb] = syncWordRegisters(syncWord);
  return (msb << 8) | lsb;
}

/** Checks every field; throws RangeError naming the first bad one. */
export function validateModulation(m: LoraModulation, variant: Sx126xVariant = 'sx1262'): void {
  const v = Variants[variant];
  if (!Number.isFinite(m.frequencyHz) || m.frequencyHz < v.minFrequencyHz || m.frequencyHz > v.maxFrequencyHz)
    throw new RangeError(`frequencyHz ${m.frequencyHz} outside ${variant} range ${v.minFrequencyHz}..${v.maxFrequencyHz}`);
  if (!Number.isInteger(m.spreadingFactor) || m.spreadingFactor < 5 || m.spreadingFactor > 12)
    throw new RangeError(`spreadingFactor must be 5..12, got ${m.spreadingFactor}`);
  bandwidthCode(m.bandwidthHz);
  if (![5, 6, 7, 8].includes(m.codingRate)) throw new RangeError(`codingRate must be 5..8 (4/5..4/8), got ${m.codingRate}`);
  if (!Number.isInteger(m.preambleLength) || m.preambleLength < 1 || m.preambleLength > 0xffff)
    throw new RangeError(`preambleLength must be 1..65535, got ${m.preambleLength}`);
  syncWordRegisters(m.syncWord);
  if (!Number.isInteger(m.txPowerDbm) || m.txPowerDbm < v.minPowerDbm || m.txPowerDbm > v.maxPowerDbm)
    throw new RangeError(`txPowerDbm must be an integer ${v.minPowerDbm}..${v.maxPowerDbm} for ${variant}, got ${m.txPowerDbm}`);
  if (m.implicitPayloadLength !== undefined && (!Number.isInteger(m.implicitPayloadLength) || m.implicitPayloadLength < 1 || m.implicitPayloadLength > 255))
    throw new RangeError(`implicitPayloadLength must be 1..255, got ${m.implicitPayloadLength}`);
}
