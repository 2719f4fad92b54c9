/**
 * MeshCore's air format as data: its app presets and the radio defaults every MeshCore node uses (private sync word
 * 0x12, CRC on, explicit header, preamble by SF). Source: meshcore-dev/MeshCore src/helpers/radiolib/CustomSX1262.h
 * (begin(..., RADIOLIB_SX126X_SYNC_WORD_PRIVATE, power, 16, tcxo), setCRC(1)), the variants' platformio.ini, and
 * meshcore-dev/MeshCore:src/helpers/radiolib/RadioLibWrappers.h (preambleLengthForSF, applied by updatePreamble
 * whenever the SF is set: the 16 of begin() is only the start value).
 */
import type { LoraModulation, ModemPreset } from './modulation.js';

export const MeshCorePresets = {
  /** MeshCore "EU/UK (Narrow)" app preset. */
  EU_UK_NARROW: { frequencyHz: 869_618_000, bandwidthHz: 62_500, spreadingFactor: 8, codingRate: 8 },
  /** MeshCore "USA/Canada (Recommended)" app preset: 910.525 MHz, SF7, BW62.5, CR5. */
  USA_CANADA: { frequencyHz: 910_525_000, bandwidthHz: 62_500, spreadingFactor: 7, codingRate: 5 },
  /** Firmware build default (LORA_FREQ 869.525, BW 250, SF 11, CR 5 in variants' platformio.ini). */
  FIRMWARE_DEFAULT: { frequencyHz: 869_525_000, bandwidthHz: 250_000, spreadingFactor: 11, codingRate: 5 },
} as const satisfies Record<string, ModemPreset & { frequencyHz: number }>;
export type MeshCorePresetName = keyof typeof MeshCorePresets;

export const MESHCORE_SYNC_WORD = 0x12;

/** MeshCore's preamble: 32 symbols at SF ≤ 8, 16 above (RadioLibWrappers::preambleLengthForSF, firmware 1.17.1). */
export function meshCorePreamble(spreadingFactor: number): number {
  return spreadingFactor <= 8 ? 32 : 16;
}

export function meshCoreModulation(preset: MeshCorePresetName, txPowerDbm = 22): LoraModulation {
  const p = MeshCorePresets[preset];
  return { ...p, preambleLength: meshCorePreamble(p.spreadingFactor), syncWord: MESHCORE_SYNC_WORD, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm };
}
