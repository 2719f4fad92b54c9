/**
 * Regulatory tables: which sub-band a channel is in, its duty cycle, and per-transmission dwell limits.
 * Sources:
 * - EU868: ETSI EN 300 220-2 V3.2.1 Table / CEPT ERC Rec 70-03 Annex 1, as split by Lora-net/LoRaMac-node PR #750
 *   (K/N 0.1 %), mbed-os `LoRaPHYEU868.cpp` bands, Spanish CNAF UN-39 (g1 868.0–868.6 1 %, g3 869.4–869.65 10 %),
 *   meshtastic `RDEF(EU_868, 869.4, 869.65, 10 %)` citing "line P page 22" of EN 300 220-2. Duty cycle is measured per
 *   sub-band over one hour.
 *   Not generic: the alarm sub-bands of ERC Rec 70-03 (the "Alarms" annex, Annex 7 in the 2009 numbering): a)
 *   868.6–868.7, b) 869.2–869.25 (social alarms), c) 869.25–869.3, d) 869.3–869.4, e) 869.65–869.7 MHz, each "recommended
 *   exclusively for alarm systems". A relay is no alarm system, so a channel touching any of them is refused
 *   (ChannelOutOfBandError) rather than given the alarm band's duty cycle.
 * - US915: FCC 47 CFR 15.247 (eCFR, Title 47 Chapter I Subchapter A Part 15 Subpart C). 15.247(a) admits only two kinds
 *   of system in 902–928 MHz: frequency hopping (a)(1) and digital modulation (a)(2), whose 6 dB bandwidth "shall be at
 *   least 500 kHz". A Meshtastic or MeshCore node in the US sits on one fixed channel of 62.5–500 kHz: it does not hop,
 *   and below 500 kHz it is not a DTS either. What this table enforces for such a channel is what 15.247(a)(1)(i)
 *   allows one channel of a hopping system: "if the 20 dB bandwidth of the hopping channel is less than 250 kHz, the
 *   system shall use at least 50 hopping frequencies and the average time of occupancy on any frequency shall not be
 *   greater than 0.4 seconds within a 20 second period; if the 20 dB bandwidth of the hopping channel is 250 kHz or
 *   greater, the system shall use at least 25 hopping frequencies and the average time of occupancy on any frequency
 *   shall not be greater than 0.4 seconds within a 10 second period" — so at most 400 ms per frame (the LoRaWAN
 *   US902-928 dwell) AND at most 400 ms on air per channel in any sliding 20 s (< 250 kHz) or 10 s (250–499 kHz)
 *   window (2 % and 4 %): the relay never occupies its channel more than a lawful hopper would. Channels of 500 kHz
 *   (Meshtastic ShortTurbo) are DTS under 15.247(a)(2): no time limit; 15.247(e) caps their power spectral density
 *   at 8 dBm per 3 kHz, which 30 dBm spread over 500 kHz meets (30 − 10·log10(500/3) = 7.8 dBm). The LoRa bandwidth
 *   setting stands for the 20 dB and 6 dB bandwidths (a LoRa chirp fills its nominal bandwidth).
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

/** FCC 15.247(a)(1)(i): at most `maxMs` on air per channel in any sliding window, the window set by bandwidth. */
export interface OccupancyRule {
  maxMs: number;
  /** Ascending: the first entry whose `belowBandwidthHz` exceeds the channel's bandwidth applies; none: no limit. */
  windows: ReadonlyArray<{ belowBandwidthHz: number; windowMs: number }>;
}

export interface RegionRules {
  /** EU868, US915, or a Meshtastic region's own rules (runtime/bearers/meshtastic-native/native-region.ts). */
  name: string;
  subBands: readonly SubBand[];
  dwell?: DwellRule;
  occupancy?: OccupancyRule;
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
    // 868.6–868.7: alarms only (ERC Rec 70-03 alarms annex, a).
    { id: 'eu868-n', maxPowerDbm: 14, powerReference: 'erp', lowHz: 868.7 * MHz, highHz: 869.2 * MHz, dutyCycle: 0.001 },
    // 869.2–869.4: social alarms and alarms only (b, c, d).
    { id: 'eu868-p', maxPowerDbm: 27, powerReference: 'erp', lowHz: 869.4 * MHz, highHz: 869.65 * MHz, dutyCycle: 0.1 },
    // 869.65–869.7: alarms only (e).
    { id: 'eu868-q', maxPowerDbm: 14, powerReference: 'erp', lowHz: 869.7 * MHz, highHz: 870.0 * MHz, dutyCycle: 0.01 },
  ],
};

export const US915: RegionRules = {
  name: 'US915',
  subBands: [{ id: 'us915', maxPowerDbm: 30, powerReference: 'conducted', lowHz: 902.0 * MHz, highHz: 928.0 * MHz, dutyCycle: 1 }],
  dwell: { maxMs: 400, belowBandwidthHz: 500_000 },
  occupancy: { maxMs: 400, windows: [{ belowBandwidthHz: 250_000, windowMs: 20_000 }, { belowBandwidthHz: 500_000, windowMs: 10_000 }] },
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

/** The per-channel occupancy limit for this channel width (see the file comment), or undefined when none applies. */
export function occupancyLimit(region: RegionRules, bandwidthHz: number): { maxMs: number; windowMs: number } | undefined {
  const o = region.occupancy;
  const w = o?.windows.find((x) => bandwidthHz < x.belowBandwidthHz);
  return o && w ? { maxMs: o.maxMs, windowMs: w.windowMs } : undefined;
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
