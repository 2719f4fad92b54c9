/**
 * Regulatory tables: which sub-band a channel is in, its duty cycle, and per-transmission dwell limits.
 * Sources:
 * - EU868: ETSI EN 300 220-2 V3.2.1 Table / CEPT ERC Rec 70-03 Annex 1, as split by Lora-net/LoRaMac-node PR #750
 *   (K/N 0.1 %), mbed-os `LoRaPHYEU868.cpp` bands, Spanish CNAF UN-39 (g1 868.0–868.6 1 %, g3 869.4–869.65 10 %),
 *   meshtastic `RDEF(EU_868, 869.4, 869.65, 10 %)` citing "line P page 22" of EN 300 220-2. Duty cycle is measured per
 *   sub-band over one hour. Where the sources give a range (869.2–869.4: 0.1–1 %) we take the stricter value.
 * - US915: FCC 47 CFR 15.247; LoRaWAN US902-928 regional parameters: 400 ms dwell per transmission below 500 kHz
 *   bandwidth, no duty cycle.
 */
import { ChannelOutOfBandError } from '../errors.js';
import { ANZ433, CN470, EU433, KZ433, MY433, PH433, UA433 } from './regions-sub-810.js';

export interface SubBand {
  id: string;
  lowHz: number;
  highHz: number;
  /** Fraction of each rolling hour this sub-band may be on the air (0.01 = 1 %); 1 = unlimited. */
  dutyCycle: number;
  /** Radiated power limit: ERP in dBm for EU868 (ERC 70-03 Annex 1), conducted dBm for US915 (15.247(b)(3)). */
  maxPowerDbm: number;
  powerReference: 'erp' | 'conducted';
}

export interface DwellRule {
  maxMs: number;
  /** The rule applies to channels narrower than this (FCC 15.247: hybrid/FHSS below 500 kHz). */
  belowBandwidthHz: number;
}

export interface RegionRules {
  /** EU868, US915, or a Meshtastic region's own rules (runtime/bearers/meshtastic-native/native-region.ts). */
  name: string;
  subBands: readonly SubBand[];
  dwell?: DwellRule;
}

export type RegionName = 'EU868' | 'US915' | 'EU433' | 'CN470' | 'ANZ433' | 'UA433' | 'MY433' | 'PH433' | 'KZ433';

/** One hour: the ETSI duty-cycle observation period. */
export const DUTY_CYCLE_WINDOW_MS = 3_600_000;

const MHz = 1_000_000;

export const EU868: RegionRules = {
  name: 'EU868',
  subBands: [
    { id: 'eu868-k', maxPowerDbm: 14, powerReference: 'erp', lowHz: 863.0 * MHz, highHz: 865.0 * MHz, dutyCycle: 0.001 },
    { id: 'eu868-l', maxPowerDbm: 14, powerReference: 'erp', lowHz: 865.0 * MHz, highHz: 868.0 * MHz, dutyCycle: 0.01 },
    { id: 'eu868-m', maxPowerDbm: 14, powerReference: 'erp', lowHz: 868.0 * MHz, highHz: 868.6 * MHz, dutyCycle: 0.01 },
    { id: 'eu868-alarm-868.6', maxPowerDbm: 10, powerReference: 'erp', lowHz: 868.6 * MHz, highHz: 868.7 * MHz, dutyCycle: 0.01 },
    { id: 'eu868-n', maxPowerDbm: 14, powerReference: 'erp', lowHz: 868.7 * MHz, highHz: 869.2 * MHz, dutyCycle: 0.001 },
    { id: 'eu868-869.2', maxPowerDbm: 10, powerReference: 'erp', lowHz: 869.2 * MHz, highHz: 869.4 * MHz, dutyCycle: 0.001 },
    { id: 'eu868-p', maxPowerDbm: 27, powerReference: 'erp', lowHz: 869.4 * MHz, highHz: 869.65 * MHz, dutyCycle: 0.1 },
    { id: 'eu868-alarm-869.65', maxPowerDbm: 14, powerReference: 'erp', lowHz: 869.65 * MHz, highHz: 869.7 * MHz, dutyCycle: 0.1 },
    { id: 'eu868-q', maxPowerDbm: 14, powerReference: 'erp', lowHz: 869.7 * MHz, highHz: 870.0 * MHz, dutyCycle: 0.01 },
  ],
};

export const US915: RegionRules = {
  name: 'US915',
  subBands: [{ id: 'us915', maxPowerDbm: 30, powerReference: 'conducted', lowHz: 902.0 * MHz, highHz: 928.0 * MHz, dutyCycle: 1 }],
  dwell: { maxMs: 400, belowBandwidthHz: 500_000 },
};

/** With the regions below 810 MHz for SX1268 boards (./regions-sub-810.ts). */
export const REGIONS: Readonly<Record<RegionName, RegionRules>> = { EU868, US915, EU433, CN470, ANZ433, UA433, MY433, PH433, KZ433 };

/** The sub-band holding the whole channel (centre ± bandwidth/2), or ChannelOutOfBandError. */
export function subBandFor(region: RegionRules, frequencyHz: number, bandwidthHz: number): SubBand {
  const low = frequencyHz - bandwidthHz / 2;
  const high = frequencyHz + bandwidthHz / 2;
  for (const band of region.subBands) {
    if (low >= band.lowHz && high <= band.highHz) return band;
  }
  throw new ChannelOutOfBandError(region.name, frequencyHz, bandwidthHz);
}

/** Per-transmission dwell limit for this channel width, or undefined when the region has none. */
export function dwellLimitMs(region: RegionRules, bandwidthHz: number): number | undefined {
  const d = region.dwell;
  return d && bandwidthHz < d.belowBandwidthHz ? d.maxMs : undefined;
}

/**
 * Highest conducted power (dBm) the chip may be set to in this sub-band with an antenna of `antennaGainDbi`
 * (minus cable loss). ERP = EIRP − 2.15 dB = conducted + gain(dBi) − 2.15 (a half-wave dipole's gain). US915: 1 W conducted
 * with antennas up to 6 dBi; above that the limit drops dB for dB (47 CFR 15.247(b)(4)).
 */
export function maxConductedDbm(band: SubBand, antennaGainDbi: number): number {
  if (band.powerReference === 'erp') return band.maxPowerDbm - antennaGainDbi + 2.15;
  return band.maxPowerDbm - Math.max(0, antennaGainDbi - 6);
}

export function budgetMs(band: SubBand, windowMs = DUTY_CYCLE_WINDOW_MS): number {
  return band.dutyCycle * windowMs;
}
