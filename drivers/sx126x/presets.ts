/**
 * Air-format presets as data: the Lattice default, Meshtastic modem presets and region plans, MeshCore defaults.
 * Sources: meshtastic/firmware src/mesh/MeshRadio.h (modemPresetToParams), src/mesh/RadioInterface.cpp (RDEF region
 * table, slot formula), src/mesh/RadioLibInterface.h (syncWord 0x2b), preamble 16; meshcore-dev/MeshCore
 * src/helpers/radiolib/CustomSX1262.h (begin(..., RADIOLIB_SX126X_SYNC_WORD_PRIVATE, power, 16, tcxo), setCRC(1)).
 */
import type { LoraCodingRate, LoraModulation } from './lora-radio.js';

export interface ModemPreset {
  bandwidthHz: number;
  spreadingFactor: number;
  codingRate: LoraCodingRate;
}

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
} as const satisfies Record<string, ModemPreset>;
export type MeshtasticPresetName = keyof typeof MeshtasticModemPresets;

export interface RegionPlan {
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
} as const satisfies Record<string, RegionPlan>;
export type MeshtasticRegionName = keyof typeof MeshtasticRegions;

export const MESHTASTIC_SYNC_WORD = 0x2b;
export const MESHTASTIC_PREAMBLE = 16;

/** djb2 as Meshtastic's RadioInterface hash() of the primary channel name. */
export function meshtasticChannelHash(name: string): number {
  let h = 5381;
  for (const b of new TextEncoder().encode(name)) h = (h * 33 + b) >>> 0;
  return h;
}

/**
 * Meshtastic slot and frequency: numSlots = floor((end - start) / (spacing + bw)); slot = hash(channel) % numSlots;
 * f = start + bw/2 + slot × (spacing + bw) (RadioInterface.cpp applyModemConfig).
 */
export function meshtasticFrequencyHz(region: MeshtasticRegionName, preset: MeshtasticPresetName, channelName = presetDisplayName(preset)): number {
  const r = MeshtasticRegions[region];
  const bwMHz = MeshtasticModemPresets[preset].bandwidthHz / 1e6;
  const slots = Math.floor((r.endMHz - r.startMHz + 1e-9) / (r.spacingMHz + bwMHz));
  const slot = meshtasticChannelHash(channelName) % slots;
  return Math.round((r.startMHz + bwMHz / 2 + slot * (r.spacingMHz + bwMHz)) * 1e6);
}

/** The default primary channel name Meshtastic uses for a preset ("LongFast", "MediumSlow", …). */
export function presetDisplayName(preset: MeshtasticPresetName): string {
  return preset.toLowerCase().split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
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

/** MeshCore radio defaults: private sync word 0x12, preamble 16, CRC on, explicit header. */
export const MeshCorePresets = {
  /** MeshCore "EU/UK (Narrow)" app preset. */
  EU_UK_NARROW: { frequencyHz: 869_618_000, bandwidthHz: 62_500, spreadingFactor: 8, codingRate: 8 },
  /** MeshCore "USA/Canada (Recommended)" app preset: 910.525 MHz, SF7, BW62.5, CR5. */
  USA_CANADA: { frequencyHz: 910_525_000, bandwidthHz: 62_500, spreadingFactor: 7, codingRate: 5 },
  /** Firmware build default (LORA_FREQ 869.525, BW 250, SF 11, CR 5 in variants' platformio.ini). */
  FIRMWARE_DEFAULT: { frequencyHz: 869_525_000, bandwidthHz: 250_000, spreadingFactor: 11, codingRate: 5 },
} as const satisfies Record<string, ModemPreset & { frequencyHz: number }>;
export type MeshCorePresetName = keyof typeof MeshCorePresets;

export function meshCoreModulation(preset: MeshCorePresetName, txPowerDbm = 22): LoraModulation {
  return { ...MeshCorePresets[preset], preambleLength: 16, syncWord: 0x12, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm };
}

/**
 * Lattice's own air format: EU868 band P (869.4–869.65 MHz, 10 % duty, 500 mW ERP), below Meshtastic's 869.525 slot;
 * SF9/BW125 for range with ~0.2 s frames; a sync word (0x24) distinct from Meshtastic 0x2B, MeshCore/private 0x12
 * and LoRaWAN 0x34 so the meshes do not decode each other's frames.
 */
export const LatticeDefault: LoraModulation = {
  frequencyHz: 869_462_500,
  spreadingFactor: 9,
  bandwidthHz: 125_000,
  codingRate: 5,
  preambleLength: 12,
  syncWord: 0x24,
  crcOn: true,
  invertIq: false,
  explicitHeader: true,
  txPowerDbm: 14,
};

/** Lattice default retuned per region (same modem settings). */
export const LatticeRegionFrequencies: Readonly<Record<string, number>> = {
  EU_868: 869_462_500,
  US: 906_875_000,
  ANZ: 916_875_000,
  IN: 865_937_500,
  EU_433: 433_875_000,
};
