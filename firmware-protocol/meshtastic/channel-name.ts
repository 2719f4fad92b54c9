/**
 * Channel display names. An empty primary channel name means "the modem preset's name"
 * (firmware src/DisplayFormatters.cpp getModemPresetDisplayName; "Custom" when use_preset is false).
 */
import { Config } from '@meshtastic/protobufs';

const P = Config.Config_LoRaConfig_ModemPreset;
const PRESET_NAMES: Record<number, string> = {
  [P.LONG_FAST]: 'LongFast',
  [P.LONG_SLOW]: 'LongSlow',
  [P.VERY_LONG_SLOW]: 'VLongSlow',
  [P.MEDIUM_SLOW]: 'MediumSlow',
  [P.MEDIUM_FAST]: 'MediumFast',
  [P.SHORT_SLOW]: 'ShortSlow',
  [P.SHORT_FAST]: 'ShortFast',
  [P.LONG_MODERATE]: 'LongMod',
  [P.SHORT_TURBO]: 'ShortTurbo',
  [P.LONG_TURBO]: 'LongTurbo',
};

export function presetDisplayName(lora: { usePreset: boolean; modemPreset: number } | undefined): string {
  if (!lora) return 'LongFast';
  if (!lora.usePreset) return 'Custom';
  return PRESET_NAMES[lora.modemPreset] ?? 'Invalid';
}

export function channelDisplayName(name: string, index: number, lora: { usePreset: boolean; modemPreset: number } | undefined): string {
  if (name) return name;
  return index === 0 ? presetDisplayName(lora) : `Channel ${index}`;
}
