/**
 * Meshtastic's air format as data: modem presets, region plans, sync word and preamble, and the modulation a
 * Meshtastic node uses for a region and preset. Sources: meshtastic/firmware src/mesh/MeshRadio.h
 * (modemPresetToParams), src/mesh/RadioInterface.cpp (RDEF region table, slot formula), src/DisplayFormatters.cpp
 * (getModemPresetDisplayName: the default primary channel name), src/mesh/RadioLibInterface.h (syncWord 0x2b),
 * preamble 16.
 */
import { channelFrequencyHz, type ChannelBand } from './channel-slot.js';
import type { LoraModulation, ModemPreset } from './modulation.js';

/** Meshtastic modem presets (MeshRadio.h modemPresetToParams, non-wide LoRa). */
export const MeshtasticModemPresets = {
  SHORT_TURBO: { bandwidthHz: 500_000, spreadingFactor: 7, codingRate: 5 },
  SHORT_FAST: { bandwidthHz: 250_000, spreadingFactor: 7, codingRate: 5 },
  SHORT_SLOW: { bandwidthHz: 250_000, spreadingFactor: 8, codingRate: 5 },
  MEDIUM_FAST: { bandwidthHz: 250_000, spreadingFactor: 9, codingRate: 5 },
  MEDIUM_SLOW: { bandwidthHz: 250_000, spreadingFactor: 10, codingRate: 5 },
  LONG_FAST: { bandwidthHz: 250_000, spreadingFactor: 11, codingRate: 5 },
  LONG_MODERATE: { bandwidthHz: 125_000, spreadingFactor: 11, codingRate: 8 },
  LONG_SLOW: { bandwidthHz: 125_000, spreadingFactor: 12, codingRate: 8 },
  LONG_TURBO: { bandwidthHz: 500_000, spreadingFactor: 11, codingRate: 8 },
} as const satisfies Record<string, ModemPreset>;
export type MeshtasticPresetName = keyof typeof MeshtasticModemPresets;

/** The name Meshtastic shows for a preset, which is also the default primary channel's name, so it places the
 * channel (DisplayFormatters::getModemPresetDisplayName, long form). */
const DISPLAY_NAMES: Record<MeshtasticPresetName, string> = {
  SHORT_TURBO: 'ShortTurbo',
  SHORT_FAST: 'ShortFast',
  SHORT_SLOW: 'ShortSlow',
  MEDIUM_FAST: 'MediumFast',
  MEDIUM_SLOW: 'MediumSlow',
  LONG_FAST: 'LongFast',
  LONG_MODERATE: 'LongMod',
  LONG_SLOW: 'LongSlow',
  LONG_TURBO: 'LongTurbo',
};

export function presetDisplayName(preset: MeshtasticPresetName): string {
  return DISPLAY_NAMES[preset];
}

/** One row of Meshtastic's region table. */
export interface MeshtasticRegion {
  startMHz: number;
  endMHz: number;
  /** Duty-cycle limit in percent as Meshtastic encodes it (100 = none). */
  dutyCyclePercent: number;
  /** Channel spacing in MHz between slots. */
  spacingMHz: number;
  powerLimitDbm: number;
}

/** Meshtastic RDEF(name, start, end, duty, spacing, power, …) rows (RadioInterface.cpp regions[]). */
export const MeshtasticRegions = {
  US: { startMHz: 902.0, endMHz: 928.0, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 30 },
  EU_433: { startMHz: 433.0, endMHz: 434.0, dutyCyclePercent: 10, spacingMHz: 0, powerLimitDbm: 10 },
  EU_868: { startMHz: 869.4, endMHz: 869.65, dutyCyclePercent: 10, spacingMHz: 0, powerLimitDbm: 27 },
  CN: { startMHz: 470.0, endMHz: 510.0, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 19 },
  JP: { startMHz: 920.5, endMHz: 923.5, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 13 },
  ANZ: { startMHz: 915.0, endMHz: 928.0, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 30 },
  KR: { startMHz: 920.0, endMHz: 923.0, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 23 },
  TW: { startMHz: 920.0, endMHz: 925.0, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 27 },
  RU: { startMHz: 868.7, endMHz: 869.2, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 20 },
  IN: { startMHz: 865.0, endMHz: 867.0, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 30 },
  NZ_865: { startMHz: 864.0, endMHz: 868.0, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 36 },
  TH: { startMHz: 920.0, endMHz: 925.0, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 16 },
  ANZ_433: { startMHz: 433.05, endMHz: 434.79, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 14 },
  UA_433: { startMHz: 433.0, endMHz: 434.7, dutyCyclePercent: 10, spacingMHz: 0, powerLimitDbm: 10 },
  MY_433: { startMHz: 433.0, endMHz: 435.0, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 20 },
  PH_433: { startMHz: 433.0, endMHz: 434.7, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 10 },
  KZ_433: { startMHz: 433.075, endMHz: 434.775, dutyCyclePercent: 100, spacingMHz: 0, powerLimitDbm: 10 },
} as const satisfies Record<string, MeshtasticRegion>;
export type MeshtasticRegionName = keyof typeof MeshtasticRegions;

export const MESHTASTIC_SYNC_WORD = 0x2b;
export const MESHTASTIC_PREAMBLE = 16;

/** A region's band in whole hertz, for the slot rule. */
export function meshtasticBand(region: MeshtasticRegionName): ChannelBand {
  const r = MeshtasticRegions[region];
  return { lowHz: Math.round(r.startMHz * 1e6), highHz: Math.round(r.endMHz * 1e6), spacingHz: Math.round(r.spacingMHz * 1e6) };
}

/** Where a Meshtastic node puts a channel: the slot rule in the region's band (channel-slot.ts). */
export function meshtasticFrequencyHz(region: MeshtasticRegionName, preset: MeshtasticPresetName, channelName = presetDisplayName(preset)): number {
  return channelFrequencyHz(meshtasticBand(region), MeshtasticModemPresets[preset].bandwidthHz, channelName);
}

export function meshtasticModulation(region: MeshtasticRegionName, preset: MeshtasticPresetName, txPowerDbm = 22, channelName?: string): LoraModulation {
  const p = MeshtasticModemPresets[preset];
  return {
    frequencyHz: meshtasticFrequencyHz(region, preset, channelName),
    ...p,
    preambleLength: MESHTASTIC_PREAMBLE,
    syncWord: MESHTASTIC_SYNC_WORD,
    crcOn: true,
    invertIq: false,
    explicitHeader: true,
    txPowerDbm: Math.min(txPowerDbm, MeshtasticRegions[region].powerLimitDbm),
  };
}
