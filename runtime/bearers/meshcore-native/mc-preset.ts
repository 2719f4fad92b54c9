/**
 * The radio settings of a `lora:` entry with `protocol: meshcore`: a MeshCore app preset by name
 * (lib/lora/meshcore-presets.ts) or explicit `freqHz` / `bwHz` / `sf` / `cr`, each explicit key overriding the
 * preset's value (a community on 869.432 MHz writes `preset: EU_NARROW` + `freqHz`). The air format around them is
 * MeshCore's whatever the channel: sync word 0x12, CRC on, explicit header, preamble 32 symbols at SF ≤ 8 and 16
 * above (RadioLibWrappers.h preambleLengthForSF).
 */
import { meshCorePreamble, MeshCorePresets, MESHCORE_SYNC_WORD, type MeshCorePresetName } from '../../../lib/lora/meshcore-presets.js';
import type { LoraCodingRate, LoraModulation } from '../../../lib/lora/modulation.js';

/**
 * Config spellings → the preset table. `EU_NARROW` is the and the app's "EU/UK (Narrow)", the firmware's
 * default since v1.10; `EU_LEGACY` its earlier default ("EU/UK (Deprecated)": 869.525 MHz / 250 kHz / SF11 / CR5);
 * `US` the app's "USA/Canada (Recommended)".
 */
const BY_NAME: ReadonlyMap<string, MeshCorePresetName> = new Map<string, MeshCorePresetName>([
  ['EU_NARROW', 'EU_UK_NARROW'],
  ['EU_UK_NARROW', 'EU_UK_NARROW'],
  ['EU_LEGACY', 'FIRMWARE_DEFAULT'],
  ['EU_UK_DEPRECATED', 'FIRMWARE_DEFAULT'],
  ['FIRMWARE_DEFAULT', 'FIRMWARE_DEFAULT'],
  ['US', 'USA_CANADA'],
  ['USA_CANADA', 'USA_CANADA'],
]);

/** Every preset name `protocol: meshcore` accepts. */
export const MC_PRESET_NAMES: readonly string[] = [...BY_NAME.keys()];
/** The preset a MeshCore radio takes when the entry names none. */
export const MC_DEFAULT_PRESET = 'EU_NARROW';

/** SX126x LoRa bandwidths (SetModulationParams BW codes), as `bwHz` takes them. */
export const MC_BANDWIDTHS_HZ = [7_810, 10_420, 15_630, 20_830, 31_250, 41_670, 62_500, 125_000, 250_000, 500_000] as const;

export function mcPreset(name: string): MeshCorePresetName | undefined {
  return BY_NAME.get(name);
}

/** The four numbers of a MeshCore channel, as config gives them. */
export interface McRadioKeys {
  preset?: string;
  freqHz?: number;
  bwHz?: number;
  sf?: number;
  cr?: number;
  txPowerDbm?: number;
}

/**
 * The channel's modulation: the preset's values (default EU_NARROW) with the explicit keys over them. Undefined when
 * the preset name is unknown (config check reports it).
 */
export function mcModulation(k: McRadioKeys): LoraModulation | undefined {
  const preset = mcPreset(k.preset ?? MC_DEFAULT_PRESET);
  if (!preset) return undefined;
  const p = MeshCorePresets[preset];
  const sf = k.sf ?? p.spreadingFactor;
  return {
    frequencyHz: k.freqHz ?? p.frequencyHz,
    bandwidthHz: k.bwHz ?? p.bandwidthHz,
    spreadingFactor: sf,
    codingRate: (k.cr ?? p.codingRate) as LoraCodingRate,
    preambleLength: meshCorePreamble(sf),
    syncWord: MESHCORE_SYNC_WORD,
    crcOn: true,
    invertIq: false,
    explicitHeader: true,
    // The firmware's default TX power (LORA_TX_POWER 22 in the SX1262 variants); the region's limit is applied by
    // the settings (mc-settings.ts).
    txPowerDbm: k.txPowerDbm ?? 22,
  };
}
