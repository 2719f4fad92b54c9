/**
 * What a `lora:` radio speaks on the air (`protocol`): `lattice` (our own frames, runtime/bearers/lora),
 * `meshtastic` (a native Meshtastic node, runtime/bearers/meshtastic-native) or `meshcore` (a native MeshCore
 * repeater and companion, runtime/bearers/meshcore-native). The checks here are the per-entry rules the protocol adds
 * to the entry's schema (lora-config.ts), reported with every other issue.
 */
import { PRESETS, REGION_PLANS } from '../../../lib/lora/lattice-presets.js';
import { MeshtasticRegions, type MeshtasticRegionName } from '../../../lib/lora/meshtastic-presets.js';
import type { ConfigIssue } from '../../config/errors.js';
import { child, fail } from '../../config/schema-kit.js';
import { NATIVE_PRESET_NAMES } from '../meshtastic-native/native-preset.js';
import { nativeRegionRules } from '../meshtastic-native/native-region.js';
import { MC_DEFAULT_PRESET, MC_PRESET_NAMES, mcModulation, type McRadioKeys } from '../meshcore-native/mc-preset.js';
import { subBandFor } from '../../../lib/lora/regions.js';

export const LORA_PROTOCOLS = ['lattice', 'meshtastic', 'meshcore'] as const;
export type LoraProtocol = (typeof LORA_PROTOCOLS)[number];

/** The keys only `protocol: meshcore` reads. */
const MESHCORE_KEYS = ['meshcore', 'freqHz', 'bwHz', 'sf', 'cr'] as const;

const LATTICE_PRESETS = [...Object.keys(PRESETS), 'LongMod'];

/** The rules of one (partial, one-layer) `lora:` entry that depend on its protocol. */
export function checkLoraProtocols(v: Record<string, unknown>, path: string, issues: ConfigIssue[]): void {
  const protocol = (v.protocol as string | undefined) ?? 'lattice';
  if (protocol === 'meshcore') {
    checkMeshcoreEntry(v, path, issues);
    return;
  }
  for (const key of MESHCORE_KEYS) {
    if (v[key] !== undefined) fail(issues, child(path, key), `is only read with protocol: meshcore (a native MeshCore node); add \`protocol: meshcore\` or remove ${key === 'meshcore' ? 'the block' : 'it'}`);
  }
  if (protocol !== 'meshtastic') {
    if (v.meshtastic !== undefined) fail(issues, child(path, 'meshtastic'), 'is only read with protocol: meshtastic (a native Meshtastic node); add `protocol: meshtastic` or remove the block');
    if (typeof v.preset === 'string' && !LATTICE_PRESETS.includes(v.preset)) {
      fail(issues, child(path, 'preset'), `${v.preset} is a ${MC_PRESET_NAMES.includes(v.preset) ? 'MeshCore' : 'Meshtastic'} spelling; Lattice radios take ${LATTICE_PRESETS.join(', ')}`);
    }
    if (typeof v.region === 'string' && !(v.region in REGION_PLANS)) {
      fail(issues, child(path, 'region'), `Lattice radios run in ${Object.keys(REGION_PLANS).join(' or ')} (its duty-cycle tables); ${v.region} only with protocol: meshtastic`);
    }
    return;
  }
  if (typeof v.preset === 'string' && !NATIVE_PRESET_NAMES.includes(v.preset)) {
    fail(issues, child(path, 'preset'), `${v.preset} is no Meshtastic modem preset (LongFast, LongSlow, LongMod, MediumFast, MediumSlow, ShortFast, ShortSlow, ShortTurbo, LongTurbo)`);
  }
  if (typeof v.region === 'string' && !(v.region in MeshtasticRegions)) {
    fail(issues, child(path, 'region'), `must be a Meshtastic region (${Object.keys(MeshtasticRegions).join(', ')})`);
  }
}

/** A `protocol: meshcore` entry: its preset or explicit channel, its region (the duty-cycle law), the channel in it. */
function checkMeshcoreEntry(v: Record<string, unknown>, path: string, issues: ConfigIssue[]): void {
  if (v.meshtastic !== undefined) fail(issues, child(path, 'meshtastic'), 'is only read with protocol: meshtastic; a MeshCore node takes a `meshcore:` block');
  if (typeof v.preset === 'string' && !MC_PRESET_NAMES.includes(v.preset)) {
    fail(issues, child(path, 'preset'), `${v.preset} is no MeshCore preset (${MC_PRESET_NAMES.join(', ')}); or give freqHz, bwHz, sf and cr`);
    return;
  }
  if (typeof v.region === 'string' && !(v.region in MeshtasticRegions)) {
    fail(issues, child(path, 'region'), `must be a region (${Object.keys(MeshtasticRegions).join(', ')}): it sets the duty cycle and power the node keeps`);
    return;
  }
  const region = (v.region as MeshtasticRegionName | undefined) ?? 'EU_868';
  const m = mcModulation({ ...(v as McRadioKeys), preset: (v.preset as string | undefined) ?? MC_DEFAULT_PRESET });
  if (!m) return;
  try {
    subBandFor(nativeRegionRules(region), m.frequencyHz, m.bandwidthHz);
  } catch (err) {
    const where = v.freqHz !== undefined || v.bwHz !== undefined ? 'freqHz' : 'preset';
    fail(issues, child(path, where), `the channel ${m.frequencyHz / 1e6} MHz ± ${m.bandwidthHz / 2e3} kHz is outside region ${region}: ${(err as Error).message}`);
  }
}

/** Two native nodes cannot serve their client API (Meshtastic) or companion port (MeshCore) on the same address. */
export function checkNativeApis(radios: ReadonlyArray<{ protocol: string; meshtastic?: { api?: { host: string; port: number } }; meshcore?: { companion?: { host: string; port: number } } }>, issues: ConfigIssue[]): void {
  const seen = new Map<string, number>();
  radios.forEach((r, i) => {
    const [api, key] = r.protocol === 'meshtastic' ? [r.meshtastic?.api, 'meshtastic.api'] : r.protocol === 'meshcore' ? [r.meshcore?.companion, 'meshcore.companion'] : [undefined, ''];
    if (!api) return;
    const addr = `${api.host}:${api.port}`;
    const prev = seen.get(addr);
    if (prev !== undefined) issues.push({ path: `lora[${i}].${key}`, message: `${addr} is already the client port of lora[${prev}]; give each native node its own port` });
    else seen.set(addr, i);
  });
}
