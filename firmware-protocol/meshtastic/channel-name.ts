/**
 * Channel display names. An empty primary channel name means "the modem preset's name"
 * (firmware src/DisplayFormatters.cpp getModemPresetDisplayName; "Custom" when use_preset is false).
 */
import { modemPresetDisplayName } from './ota/channel-keys.js';

/** The preset's display name as firmware 2.7.26 shows it (one table: ota/channel-keys.ts; VERY_LONG_SLOW is
 * "Invalid" there, not "VLongSlow"). */
export function presetDisplayName(lora: { usePreset: boolean; modemPreset: number } | undefined): string {
  return lora ? modemPresetDisplayName(lora) : 'LongFast';
}

export function channelDisplayName(name: string, index: number, lora: { usePreset: boolean; modemPreset: number } | undefined): string {
  if (name) return name;
  return index === 0 ? presetDisplayName(lora) : `Channel ${index}`;
}
