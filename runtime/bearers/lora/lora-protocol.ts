/**
 * What a `lora:` radio speaks on the air (`protocol`): `lattice` (our own frames, runtime/bearers/lora), or
 * `meshtastic` (a native Meshtastic node, runtime/bearers/meshtastic-native). `meshcore` is named so a config asking
 * for it gets a clear answer: a native MeshCore node is not built yet. The checks here are the per-entry rules the
 * protocol adds to the entry's schema (lora-config.ts), reported with every other issue.
 */
import { PRESETS, REGION_PLANS } from '../../../lib/lora/lattice-presets.js';
import { MeshtasticRegions } from '../../../lib/lora/meshtastic-presets.js';
import type { ConfigIssue } from '../../config/errors.js';
import { child, fail } from '../../config/schema-kit.js';
import { NATIVE_PRESET_NAMES } from '../meshtastic-native/native-preset.js';

export const LORA_PROTOCOLS = ['lattice', 'meshtastic', 'meshcore'] as const;
/** The protocols a radio can run today (`meshcore` is refused at config check). */
export type LoraProtocol = 'lattice' | 'meshtastic';

const LATTICE_PRESETS = [...Object.keys(PRESETS), 'LongMod'];

/** The rules of one (partial, one-layer) `lora:` entry that depend on its protocol. */
export function checkLoraProtocols(v: Record<string, unknown>, path: string, issues: ConfigIssue[]): void {
  const protocol = (v.protocol as string | undefined) ?? 'lattice';
  if (protocol === 'meshcore') {
    fail(issues, child(path, 'protocol'), 'meshcore is not supported yet: a native MeshCore node on the SX126x is issue 14 ("Native MeshCore"); until then drive a MeshCore companion radio under `meshcore:`');
    return;
  }
  if (protocol !== 'meshtastic') {
    if (v.meshtastic !== undefined) fail(issues, child(path, 'meshtastic'), 'is only read with protocol: meshtastic (a native Meshtastic node); add `protocol: meshtastic` or remove the block');
    if (typeof v.preset === 'string' && !LATTICE_PRESETS.includes(v.preset)) {
      fail(issues, child(path, 'preset'), `${v.preset} is a Meshtastic spelling; Lattice radios take ${LATTICE_PRESETS.join(', ')}`);
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

/** Two native nodes cannot serve their client API on the same address. */
export function checkNativeApis(radios: ReadonlyArray<{ protocol: string; meshtastic?: { api?: { host: string; port: number } } }>, issues: ConfigIssue[]): void {
  const seen = new Map<string, number>();
  radios.forEach((r, i) => {
    const api = r.protocol === 'meshtastic' ? r.meshtastic?.api : undefined;
    if (!api) return;
    const key = `${api.host}:${api.port}`;
    const prev = seen.get(key);
    if (prev !== undefined) issues.push({ path: `lora[${i}].meshtastic.api`, message: `${key} is already the client API of lora[${prev}]; give each native node its own port` });
    else seen.set(key, i);
  });
}
