/**
 * Changes the runtime makes to the repeater from configuration (meshcore.name, meshcore.adminPassword,
 * meshcore.region, …), held to the bounds the firmware's CLI enforces so that a configured repeater is one the
 * CLI could have made; a bad value throws RepeaterPrefsError and changes nothing. Unlike the CLI, configuration
 * does not switch the default 2-minute zero-hop advert off.
 */
import { utf8Length } from './c-text.js';
import { isValidNodeName } from './cli-set.js';
import { RepeaterPrefsError } from './errors.js';
import type { RepeaterPrefs } from './prefs.js';
import { REGION_DENY_FLOOD, type RegionEntry, type RegionMap } from './region-map.js';

type Check = (v: unknown) => string | undefined;
const num = (lo: number, hi: number, int = true): Check => (v) =>
  typeof v !== 'number' || !Number.isFinite(v) || (int && !Number.isInteger(v)) || v < lo || v > hi ? `must be ${int ? 'an integer' : 'a number'} in ${lo}..${hi}` : undefined;
const str = (maxBytes: number, extra?: (s: string) => string | undefined): Check => (v) => {
  if (typeof v !== 'string') return 'must be a string';
  if (utf8Length(v) > maxBytes) return `must be at most ${maxBytes} bytes`;
  return extra?.(v);
};
const flag = num(0, 1);

/** CommonCLI `set` bounds per field. */
const CHECKS: Record<keyof RepeaterPrefs, Check> = {
  nodeName: str(31, (s) => (isValidNodeName(s) ? undefined : 'may not contain [ ] \\ : , ? *')),
  nodeLat: num(-90, 90, false),
  nodeLon: num(-180, 180, false),
  password: str(15),
  guestPassword: str(15),
  ownerInfo: str(119),
  airtimeFactor: num(0, 9, false),
  freq: num(150, 2500, false),
  bw: num(7, 500, false),
  sf: num(5, 12),
  cr: num(5, 8),
  txPowerDbm: num(-9, 30),
  disableFwd: flag,
  advertInterval: num(0, 120),
  floodAdvertInterval: (v) => (num(0, 168)(v) ?? ((v as number) > 0 && (v as number) < 3 ? 'must be 0 (off) or 3..168 hours' : undefined)),
  rxDelayBase: num(0, 20, false),
  txDelayFactor: num(0, 2, false),
  directTxDelayFactor: num(0, 2, false),
  allowReadOnly: flag,
  multiAcks: num(0, 1),
  floodMax: num(0, 64),
  floodMaxUnscoped: num(0, 64),
  floodMaxAdvert: num(0, 64),
  interferenceThreshold: num(0, 255),
  agcResetInterval: num(0, 255),
  powersavingEnabled: flag,
  gpsEnabled: flag,
  gpsInterval: num(0, 0xffffffff),
  advertLocPolicy: num(0, 2),
  discoveryModTimestamp: num(0, 0xffffffff),
  adcMultiplier: num(0, 10, false),
  rxBoostedGain: flag,
  radioFemRxgain: flag,
  radioFemTxgain: flag,
  pathHashMode: num(0, 2),
  loopDetect: num(0, 3),
  cadEnabled: flag,
};

/** Validates every field first, then applies them all (all or nothing). */
export function applyPrefsPatch(prefs: RepeaterPrefs, patch: Partial<RepeaterPrefs>): void {
  const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof RepeaterPrefs, unknown][];
  for (const [k, v] of entries) {
    const check = CHECKS[k];
    if (!check) throw new RepeaterPrefsError(String(k), 'is not a repeater pref');
    const err = check(v);
    if (err) throw new RepeaterPrefsError(k, err);
  }
  for (const [k, v] of entries) (prefs as unknown as Record<string, unknown>)[k] = v;
}

/**
 * `region default <name>` / `region default <null>` (CommonCLI::handleRegionCmd): the region is created when
 * unknown, allowed to flood, made the default scope of our own floods, and the map saved.
 */
export function setDefaultScope(regions: RegionMap, name: string | null, changed: (r: RegionEntry | null) => void, save: () => boolean): string | null {
  if (name === null) {
    if (regions.getDefaultRegion() === null) return null;
    regions.setDefaultRegion(null);
    changed(null);
    save();
    return null;
  }
  if (name === '' || name === '*' || name === '#') throw new RepeaterPrefsError('defaultScope', `'${name}' is not a region name`);
  const current = regions.getDefaultRegion();
  const def = regions.findByNamePrefix(name) ?? regions.putRegion(name, 0);
  if (!def) throw new RepeaterPrefsError('defaultScope', `'${name}' has characters a region name may not have, or the region table is full`);
  if (current === def && def.flags === 0) return def.name;
  def.flags = 0;
  regions.setDefaultRegion(def);
  changed(def);
  save();
  return def.name;
}

/** `region allowf *` / `region denyf *` + `region save`. */
export function setUnscopedFloods(regions: RegionMap, allow: boolean, save: () => boolean): void {
  const flags = allow ? regions.wildcard.flags & ~REGION_DENY_FLOOD : regions.wildcard.flags | REGION_DENY_FLOOD;
  if (flags === regions.wildcard.flags) return;
  regions.wildcard.flags = flags;
  save();
}
