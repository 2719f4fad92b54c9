/**
 * A Meshtastic modem preset as config names it: the apps' display name (`LongFast`, `LongMod`, `MediumSlow`…, as
 * `lora.preset` takes it for Lattice radios) or the firmware's enum name (`LONG_FAST`, config.proto ModemPreset).
 * Every preset of the firmware's table (src/mesh/MeshRadio.h modemPresetToParams, lib/lora/meshtastic-presets.ts).
 */
import { MeshtasticModemPresets, presetDisplayName, type MeshtasticPresetName } from '../../../lib/lora/meshtastic-presets.js';

const PRESET_NAMES = Object.keys(MeshtasticModemPresets) as MeshtasticPresetName[];

/** Display names, with `LongModerate` (how lattice-presets.ts spells LongMod) too. */
const BY_NAME = new Map<string, MeshtasticPresetName>([
  ...PRESET_NAMES.map((p) => [presetDisplayName(p), p] as const),
  ...PRESET_NAMES.map((p) => [p, p] as const),
  ['LongModerate', 'LONG_MODERATE'],
]);

/** Every spelling config accepts for `protocol: meshtastic`. */
export const NATIVE_PRESET_NAMES: readonly string[] = [...BY_NAME.keys()];

export function nativePreset(name: string): MeshtasticPresetName | undefined {
  return BY_NAME.get(name);
}
