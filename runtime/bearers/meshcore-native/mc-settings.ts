/**
 * One `lora:` entry with `protocol: meshcore` (lora-config.ts, mc-native-config.ts) as what the native MeshCore node
 * is made of, in one place: the channel's modulation (preset or explicit keys, MeshCore's air format), the duty-cycle
 * law of its region (the same sub-band rules a native Meshtastic node keeps, so one board's radios share one budget:
 * native-region.ts), the transmit power held to the region's limit, and the node's first-start settings (role,
 * name, channels with their secrets, companion port, passwords, region scope).
 */
import { MeshtasticRegions, type MeshtasticRegionName } from '../../../lib/lora/meshtastic-presets.js';
import type { LoraModulation } from '../../../lib/lora/modulation.js';
import { maxConductedDbm, subBandFor, type RegionRules } from '../../../lib/lora/regions.js';
import { hashtagChannelSecret, PUBLIC_CHANNEL_SECRET } from '../../../firmware-protocol/meshcore/channel-secret.js';
import type { LoraConfig } from '../lora/lora-config.js';
import { nativeRegionRules } from '../meshtastic-native/native-region.js';
import { McConfigError } from './errors.js';
import { decodeChannelKey, MC_NATIVE_DEFAULTS, type McRole } from './mc-native-config.js';
import { MC_DEFAULT_PRESET, mcModulation } from './mc-preset.js';

export interface McChannelSetting {
  index: number;
  /** As the apps show it: `Public` for the public channel (the firmware's slot 0), `#name` for hashtag channels. */
  name: string;
  /** 16 bytes. */
  secret: Uint8Array;
}

export interface McNativeSettings {
  /** Bearer name (`lora[].name`). */
  name: string;
  /** The preset as configured (`EU_NARROW`), or `custom` when explicit keys changed it. */
  preset: string;
  region: MeshtasticRegionName;
  modulation: LoraModulation;
  rules: RegionRules;
  role: McRole;
  /** Advert name; undefined = the firmware's default for a new node (the key's first bytes). */
  nodeName?: string;
  channels: McChannelSetting[];
  /** The companion TCP server; `orAnyPort`: when `port` is taken, one the system picks (the simulated default's 5000). */
  companion?: { host: string; port: number; orAnyPort?: boolean };
  adminPassword?: string;
  guestPassword?: string;
  /** `#de` or null (unscoped). */
  floodScope: string | null;
}

/** A channel as config names it → slot name and secret (companion_radio MyMesh::begin names slot 0 "Public"). */
export function channelSetting(index: number, c: { name: string; key?: string }): McChannelSetting {
  if (c.key !== undefined) {
    const secret = decodeChannelKey(c.key);
    if (!secret) throw new RangeError(`channel ${c.name}: not a 16-byte key`);
    return { index, name: c.name, secret };
  }
  if (c.name.toLowerCase() === 'public') return { index, name: 'Public', secret: PUBLIC_CHANNEL_SECRET };
  if (c.name.startsWith('#')) return { index, name: c.name, secret: hashtagChannelSecret(c.name) };
  throw new RangeError(`channel ${c.name} needs a key`);
}

export function mcNativeSettings(l: LoraConfig): McNativeSettings {
  const region = (l.region in MeshtasticRegions ? l.region : undefined) as MeshtasticRegionName | undefined;
  if (!region) throw new McConfigError(l.name, `${l.region} is no region a MeshCore node knows`);
  const rules = nativeRegionRules(region);
  const base = mcModulation({ preset: l.preset ?? MC_DEFAULT_PRESET, ...pick(l) });
  if (!base) throw new McConfigError(l.name, `${l.preset} is no MeshCore preset`);
  let band;
  try {
    band = subBandFor(rules, base.frequencyHz, base.bandwidthHz);
  } catch (err) {
    throw new McConfigError(l.name, (err as Error).message);
  }
  // The region's limit on the chip's setting, as meshtasticModulation holds a native Meshtastic node to it (the
  // antenna is taken as a dipole: ERP = conducted power).
  const modulation = { ...base, txPowerDbm: Math.min(base.txPowerDbm, Math.floor(maxConductedDbm(band, 2.15))) };
  const m = l.meshcore ?? MC_NATIVE_DEFAULTS;
  const custom = l.freqHz !== undefined || l.bwHz !== undefined || l.sf !== undefined || l.cr !== undefined;
  return {
    name: l.name, preset: custom ? 'custom' : (l.preset ?? MC_DEFAULT_PRESET), region, modulation, rules, role: m.role,
    ...(m.name !== undefined ? { nodeName: m.name } : {}),
    channels: m.channels.map((c, i) => channelSetting(i, c)),
    ...(m.companion ? { companion: { host: m.companion.host, port: m.companion.port } } : {}),
    ...(m.adminPassword !== undefined ? { adminPassword: m.adminPassword } : {}),
    ...(m.guestPassword !== undefined ? { guestPassword: m.guestPassword } : {}),
    floodScope: m.region,
  };
}

function pick(l: LoraConfig): { freqHz?: number; bwHz?: number; sf?: number; cr?: number; txPowerDbm?: number } {
  return {
    ...(l.freqHz !== undefined ? { freqHz: l.freqHz } : {}),
    ...(l.bwHz !== undefined ? { bwHz: l.bwHz } : {}),
    ...(l.sf !== undefined ? { sf: l.sf } : {}),
    ...(l.cr !== undefined ? { cr: l.cr } : {}),
    ...(l.txPowerDbm !== undefined ? { txPowerDbm: l.txPowerDbm } : {}),
  };
}
