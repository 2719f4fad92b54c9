/**
 * CommonCLI::handleRegionCmd (src/helpers/CommonCLI.cpp): `region` (the tree), `region def`, load, save, allowf,
 * denyf, get, home, default, put, remove, list allowed|denied. Changes live in RAM until `region save`, except
 * `region default`, which the firmware saves at once. Anything else answers "Err - ??" (there is no `allow` or
 * `deny`: the firmware's verbs are `allowf` / `denyf`).
 */
import { parseTextParts } from './c-text.js';
import { cliSavePrefs, type CliHost } from './cli-host.js';
import { REGION_DENY_FLOOD, type RegionEntry, type RegionMap } from './region-map.js';

const REPLY_MAX = 160;

function skipSpaces(s: string): string {
  return s.replace(/^ +/, '');
}

/** processRegionDefSegment: "name", "name|jump" or "name,jump" (jump = a region to continue from). */
function defSegment(map: RegionMap, tok: string, cursor: { r: RegionEntry }): string | undefined {
  let name = tok;
  let jump: string | undefined;
  const cut = tok.search(/[|,]/);
  if (cut >= 0) {
    name = tok.slice(0, cut);
    jump = skipSpaces(tok.slice(cut + 1)).replace(/ +$/, '');
  }
  name = skipSpaces(name);
  if (name === '') return 'Err - empty name';
  if (jump !== undefined && jump === '') return 'Err - empty jump';
  const r = map.putRegion(name, cursor.r.id);
  if (!r) return `Err - put failed: ${name}`;
  r.flags = 0;
  if (jump !== undefined) {
    const j = map.findByNamePrefix(jump);
    if (!j) return `Err - unknown jump: ${jump}`;
    cursor.r = j;
  } else {
    cursor.r = r;
  }
  return undefined;
}

export function handleRegionCmd(host: CliHost, command: string): string {
  const map = host.regions;
  const cmd = skipSpaces(command);
  if (cmd.startsWith('region def') && (cmd.length === 10 || cmd[10] === ' ')) {
    const payload = skipSpaces(cmd.slice(10)).replace(/ +$/, '');
    if (payload === '') return 'Err - empty def';
    const cursor = { r: map.wildcard };
    for (const tok of payload.split(' ').filter((t) => t !== '')) {
      const err = defSegment(map, tok, cursor);
      if (err) return err;
    }
    return map.exportTo(REPLY_MAX);
  }

  const parts = parseTextParts(command, 4, ' ');
  const n = parts.length;
  const verb = parts[1];
  if (n === 1) return map.exportTo(REPLY_MAX);
  if (n >= 2 && verb === 'load') {
    host.startRegionsLoad();
    return '';
  }
  if (n >= 2 && verb === 'save') {
    host.prefs.discoveryModTimestamp = host.rtc.getCurrentTime();
    cliSavePrefs(host);
    return host.saveRegions() ? 'OK' : 'Err - save failed';
  }
  if (n >= 3 && (verb === 'allowf' || verb === 'denyf')) {
    const region = map.findByNamePrefix(parts[2]);
    if (!region) return 'Err - unknown region';
    if (verb === 'allowf') region.flags &= ~REGION_DENY_FLOOD;
    else region.flags |= REGION_DENY_FLOOD;
    return 'OK';
  }
  if (n >= 3 && verb === 'get') {
    const region = map.findByNamePrefix(parts[2]);
    if (!region) return 'Err - unknown region';
    const parent = map.findById(region.parent);
    const f = region.flags & REGION_DENY_FLOOD ? '' : 'F';
    return parent && parent.id !== 0 ? ` ${region.name} (${parent.name}) ${f}` : ` ${region.name} ${f}`;
  }
  if (n >= 3 && verb === 'home') {
    const home = map.findByNamePrefix(parts[2]);
    if (!home) return 'Err - unknown region';
    map.setHomeRegion(home);
    return ` home is now ${home.name}`;
  }
  if (n === 2 && verb === 'home') {
    const home = map.getHomeRegion();
    return ` home is ${home ? home.name : '*'}`;
  }
  if (n >= 3 && verb === 'default') {
    if (parts[2] === '<null>') {
      map.setDefaultRegion(null);
      host.onDefaultRegionChanged(null);
      host.saveRegions();
      return ' default scope is now <null>';
    }
    const def = map.findByNamePrefix(parts[2]) ?? map.putRegion(parts[2], 0);
    if (!def) return 'Err - region table full';
    def.flags = 0;
    map.setDefaultRegion(def);
    host.onDefaultRegionChanged(def);
    host.saveRegions();
    return ` default scope is now ${def.name}`;
  }
  if (n === 2 && verb === 'default') {
    const def = map.getDefaultRegion();
    return ` default scope is ${def ? def.name : '<null>'}`;
  }
  if (n >= 3 && verb === 'put') {
    const parent = n >= 4 ? map.findByNamePrefix(parts[3]) : map.wildcard;
    if (!parent) return 'Err - unknown parent';
    const region = map.putRegion(parts[2], parent.id);
    if (!region) return 'Err - unable to put';
    region.flags = 0;
    return 'OK - (flood allowed)';
  }
  if (n >= 3 && verb === 'remove') {
    const region = map.findByName(parts[2]);
    if (!region) return 'Err - not found';
    return map.removeRegion(region) ? 'OK' : 'Err - not empty';
  }
  if (n >= 3 && verb === 'list') {
    let invert: boolean;
    if (parts[2] === 'allowed') invert = false;
    else if (parts[2] === 'denied') invert = true;
    else return "Err - use 'allowed' or 'denied'";
    const names = map.exportNamesTo(REPLY_MAX, REGION_DENY_FLOOD, invert);
    return names === '' ? '-none-' : names;
  }
  return 'Err - ??';
}
