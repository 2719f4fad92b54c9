/**
 * One `lora:` entry with `protocol: meshtastic` (lora-config.ts, native-config.ts) as what the native node is made
 * of, in one place: the firmware preset and region, the channel modulation (the primary channel's name places it:
 * RadioInterface::applyModemConfig), the duty-cycle rules, and the device side's first-start settings (owner,
 * channels, role, hop limit). A saved device state (admin changes from an app) wins over the config's owner and
 * channels after the first start, as the firmware's saved prefs win over its defaults.
 */
import { meshtasticModulation, presetDisplayName, type MeshtasticPresetName, type MeshtasticRegionName } from '../../../lib/lora/meshtastic-presets.js';
import type { LoraModulation } from '../../../lib/lora/modulation.js';
import type { RegionRules } from '../../../lib/lora/regions.js';
import type { LoraConfig } from '../lora/lora-config.js';
import { NativeConfigError } from './errors.js';
import { NATIVE_DEFAULTS, type NativeRole } from './native-config.js';
import { nativePreset } from './native-preset.js';
import { nativeRegionRules } from './native-region.js';

export interface NativeChannelSetting {
  index: number;
  /** As configured; '' = the preset's name. */
  name: string;
  /** The decoded key: 0 bytes none, 1 byte a default-key index, 16/32 bytes AES. */
  psk: Uint8Array;
  /** module_settings.position_precision; 0 (default) = the channel shares no position. */
  positionPrecision?: number;
}

export interface NativeSettings {
  name: string;
  preset: MeshtasticPresetName;
  region: MeshtasticRegionName;
  modulation: LoraModulation;
  rules: RegionRules;
  role: NativeRole;
  longName?: string;
  shortName?: string;
  channels: NativeChannelSetting[];
  hopLimit: number;
  nodeNum?: number;
  /** The client API; `orAnyPort`: when `port` is taken, one the system picks (the simulated default's 4403). */
  api?: { host: string; port: number; orAnyPort?: boolean };
  /** `lora[].position` as a place on Earth: the node's fixed position (config.position.fixed_position). */
  fixedPosition?: { latitudeI: number; longitudeI: number; altitude: number };
}

/** The firmware's name for a new node: `Meshtastic xxxx` and `xxxx`, the last four hex digits of its number
 * (NodeDB::installDefaultDeviceState: "Meshtastic %04x", getNodeNum() & 0xffff). */
export function defaultOwner(nodeNum: number): { longName: string; shortName: string } {
  const tail = (nodeNum & 0xffff).toString(16).padStart(4, '0');
  return { longName: `Meshtastic ${tail}`, shortName: tail };
}

export function nativeSettings(l: LoraConfig): NativeSettings {
  const preset = nativePreset(l.preset);
  if (!preset) throw new NativeConfigError(l.name, `${l.preset} is no Meshtastic modem preset`);
  const region = l.region as MeshtasticRegionName;
  const m = l.meshtastic ?? NATIVE_DEFAULTS;
  const channels = m.channels.map((c, index) => ({ index, name: c.name, psk: new Uint8Array(Buffer.from(c.psk, 'base64')), positionPrecision: c.positionPrecision ?? 0 }));
  const geo = l.position !== undefined && !Array.isArray(l.position) ? l.position : undefined;
  // The primary channel's name (the preset's display name when unnamed) picks the frequency slot.
  const primary = channels[0]?.name || presetDisplayName(preset);
  let modulation: LoraModulation;
  try {
    modulation = meshtasticModulation(region, preset, l.txPowerDbm ?? 22, primary);
  } catch (err) {
    throw new NativeConfigError(l.name, (err as Error).message);
  }
  return {
    name: l.name, preset, region, modulation, rules: nativeRegionRules(region), role: m.role,
    ...(m.longName !== undefined ? { longName: m.longName } : {}),
    ...(m.shortName !== undefined ? { shortName: m.shortName } : {}),
    channels, hopLimit: m.hopLimit,
    ...(m.nodeNum !== undefined ? { nodeNum: m.nodeNum } : {}),
    ...(m.api ? { api: { host: m.api.host, port: m.api.port } } : {}),
    // Position.latitude_i / longitude_i: degrees × 1e7 (mesh.proto).
    ...(geo ? { fixedPosition: { latitudeI: Math.round(geo.lat * 1e7), longitudeI: Math.round(geo.lon * 1e7), altitude: Math.round(geo.alt ?? 0) } } : {}),
  };
}
