/**
 * The repeater's region table (src/helpers/RegionMap.cpp): a tree of named regions under the wildcard "*" (id 0),
 * each with flags (REGION_DENY_FLOOD), a home and a default region, and the firmware's /regions2 file layout
 * (3 reserved bytes · default_id u16 · home_id u16 · wildcard flags u8 · next_id u16, then per region id u16 ·
 * parent u16 · name char[31] · flags u8 · 128 pad bytes). A flood is forwarded only when its region allows floods:
 * TRANSPORT_FLOOD matches a region by transport code (findMatch), plain FLOOD matches the wildcard, so `denyf *`
 * drops every unscoped flood (MyMesh::onRecvPacket).
 */
import type { McPacket } from '../ota/packet.js';
import { regionNamesText } from '../ota/anon-replies.js';
import { regionScopeKey, transportCode } from '../ota/transport-code.js';
import { cString } from './c-text.js';

export const REGION_DENY_FLOOD = 0x01;
export const REGION_DENY_DIRECT = 0x02;
/** MAX_REGION_ENTRIES. */
export const MAX_REGION_ENTRIES = 32;
const NAME_SIZE = 31;
const RECORD_SIZE = 2 + 2 + NAME_SIZE + 1 + 128;
const HEADER_SIZE = 3 + 2 + 2 + 1 + 2;

export interface RegionEntry {
  id: number;
  parent: number;
  flags: number;
  name: string;
}

/** RegionMap::is_name_char: alphanumerics, '-', '$', '#', and everything from 'A' up (accented letters). */
export function isRegionNameChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return c === '-' || c === '$' || c === '#' || (c >= '0' && c <= '9') || code >= 0x41;
}

/**
 * TransportKeyStore::getAutoKeyFor with its cache: findMatch runs for every scoped flood heard, so a region's key
 * (SHA-256 of '#name', ota/transport-code.ts) is worked out once, not per packet. Names are few (32 regions).
 */
const autoKeys = new Map<string, Uint8Array>();
function autoKey(name: string): Uint8Array {
  let k = autoKeys.get(name);
  if (!k) {
    k = regionScopeKey(name);
    if (autoKeys.size > 256) autoKeys.clear();
    autoKeys.set(name, k);
  }
  return k;
}

const skipHash = (name: string): string => (name.startsWith('#') ? name.slice(1) : name);

export class RegionMap {
  readonly wildcard: RegionEntry = { id: 0, parent: 0, flags: 0, name: '*' };
  private regions: RegionEntry[] = [];
  private nextId = 1;
  private homeId = 0;
  private defaultId = 0;

  get count(): number {
    return this.regions.length;
  }

  entries(): readonly RegionEntry[] {
    return this.regions;
  }

  /** RegionMap::putRegion: null on a bad name, a region made its own parent, or a full table. New = deny flood. */
  putRegion(name: string, parentId: number, id = 0): RegionEntry | null {
    for (const ch of name) if (!isRegionNameChar(ch)) return null;
    let region = this.findByName(name);
    if (region) {
      if (region.id === parentId) return null;
      region.parent = parentId;
    } else {
      if (id === 0 && this.regions.length >= MAX_REGION_ENTRIES) return null;
      region = { id: id === 0 ? this.nextId++ : id, parent: parentId, flags: REGION_DENY_FLOOD, name: cString(name, NAME_SIZE) };
      this.regions.push(region);
    }
    return region;
  }

  /** RegionMap::getTransportKeysFor: '$' private (none yet), '#' hashtag, or a bare name read as '#name'. */
  transportKeysFor(region: RegionEntry): Uint8Array[] {
    if (region.name.startsWith('$')) return [];
    return [autoKey(region.name)];
  }

  /** RegionMap::findMatch: the first region not masked off whose key gives the packet's transport code 0. */
  findMatch(packet: Pick<McPacket, 'payloadType' | 'payload' | 'transportCodes'>, mask: number): RegionEntry | null {
    for (const region of this.regions) {
      if ((region.flags & mask) !== 0) continue;
      for (const key of this.transportKeysFor(region)) {
        if (transportCode(key, packet.payloadType, packet.payload) === packet.transportCodes[0]) return region;
      }
    }
    return null;
  }

  findByName(name: string): RegionEntry | null {
    if (name === '*') return this.wildcard;
    const n = skipHash(name);
    return this.regions.find((r) => skipHash(r.name) === n) ?? null;
  }

  /** RegionMap::findByNamePrefix: an exact name wins, else the LAST region whose name starts with the prefix. */
  findByNamePrefix(prefix: string): RegionEntry | null {
    if (prefix === '*') return this.wildcard;
    const p = skipHash(prefix);
    let partial: RegionEntry | null = null;
    for (const r of this.regions) {
      const n = skipHash(r.name);
      if (n === p) return r;
      if (n.startsWith(p)) partial = r;
    }
    return partial;
  }

  findById(id: number): RegionEntry | null {
    if (id === 0) return this.wildcard;
    return this.regions.find((r) => r.id === id) ?? null;
  }

  getHomeRegion(): RegionEntry | null {
    return this.findById(this.homeId);
  }

  setHomeRegion(r: RegionEntry | null): void {
    this.homeId = r ? r.id : 0;
  }

  getDefaultRegion(): RegionEntry | null {
    return this.defaultId === 0 ? null : this.findById(this.defaultId);
  }

  setDefaultRegion(r: RegionEntry | null): void {
    this.defaultId = r ? r.id : 0;
  }

  /** RegionMap::removeRegion: not the wildcard, not a region with children. */
  removeRegion(region: RegionEntry): boolean {
    if (region.id === 0) return false;
    if (this.regions.some((r) => r.parent === region.id)) return false;
    const i = this.regions.findIndex((r) => r.id === region.id);
    if (i < 0) return false;
    this.regions.splice(i, 1);
    return true;
  }

  /** RegionMap::resetFrom (the temp map of `region load`): empty, same next id. */
  resetFrom(src: RegionMap): void {
    this.regions = [];
    this.nextId = src.nextId;
  }

  /** `region_map = temp_map` at the end of `region load`. */
  copyFrom(src: RegionMap): void {
    this.regions = src.regions.map((r) => ({ ...r }));
    this.nextId = src.nextId;
    this.homeId = src.homeId;
    this.defaultId = src.defaultId;
    this.wildcard.flags = src.wildcard.flags;
  }

  /** RegionMap::exportTo(char*, max_len): the indented tree, "name^" for home, " F" when floods are allowed. */
  exportTo(maxLen: number): string {
    let out = '';
    const print = (indent: number, r: RegionEntry): void => {
      out += ' '.repeat(indent);
      out += `${skipHash(r.name)}${r.id === this.homeId ? '^' : ''}${r.flags & REGION_DENY_FLOOD ? '' : ' F'}\n`;
      for (const c of this.regions) if (c.parent === r.id) print(indent + 1, c);
    };
    print(0, this.wildcard);
    // BufStream keeps max_len − 1 bytes
    return truncateBytes(out, maxLen - 1);
  }

  /** The regions exportNamesTo lists: whether the wildcard matches, and the names (in table order) that do. */
  namesMatching(mask: number, invert = false): { wildcard: boolean; names: string[] } {
    const matches = (flags: number): boolean => (invert ? (flags & mask) !== 0 : (flags & mask) === 0);
    return { wildcard: matches(this.wildcard.flags), names: this.regions.filter((r) => matches(r.flags)).map((r) => r.name) };
  }

  /** RegionMap::exportNamesTo: comma-separated names whose flags & mask are clear (or set, with invert). */
  exportNamesTo(maxLen: number, mask: number, invert = false): string {
    const { wildcard, names } = this.namesMatching(mask, invert);
    return new TextDecoder().decode(regionNamesText(wildcard, names, maxLen));
  }

  /** The /regions2 file. */
  encode(): Uint8Array {
    const out = new Uint8Array(HEADER_SIZE + RECORD_SIZE * this.regions.length);
    const dv = new DataView(out.buffer);
    dv.setUint16(3, this.defaultId, true);
    dv.setUint16(5, this.homeId, true);
    out[7] = this.wildcard.flags;
    dv.setUint16(8, this.nextId, true);
    let o = HEADER_SIZE;
    for (const r of this.regions) {
      dv.setUint16(o, r.id, true);
      dv.setUint16(o + 2, r.parent, true);
      out.set(new TextEncoder().encode(r.name).subarray(0, NAME_SIZE - 1), o + 4);
      out[o + 4 + NAME_SIZE] = r.flags;
      o += RECORD_SIZE;
    }
    return out;
  }

  /** RegionMap::load: false (and the table as far as it read) on a short or corrupt file. */
  decode(bytes: Uint8Array): boolean {
    this.regions = [];
    this.nextId = 1;
    this.defaultId = 0;
    this.homeId = 0;
    if (bytes.length < HEADER_SIZE) return false;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.defaultId = dv.getUint16(3, true);
    this.homeId = dv.getUint16(5, true);
    this.wildcard.flags = bytes[7];
    this.nextId = dv.getUint16(8, true);
    let o = HEADER_SIZE;
    while (this.regions.length < MAX_REGION_ENTRIES && o < bytes.length) {
      if (o + RECORD_SIZE > bytes.length) return false;
      const nameBytes = bytes.subarray(o + 4, o + 4 + NAME_SIZE);
      const nul = nameBytes.indexOf(0);
      const r: RegionEntry = {
        id: dv.getUint16(o, true),
        parent: dv.getUint16(o + 2, true),
        name: new TextDecoder().decode(nul >= 0 ? nameBytes.subarray(0, nul) : nameBytes),
        flags: bytes[o + 4 + NAME_SIZE],
      };
      if (r.id >= this.nextId) this.nextId = r.id + 1;
      this.regions.push(r);
      o += RECORD_SIZE;
    }
    return true;
  }
}

function truncateBytes(s: string, max: number): string {
  const b = new TextEncoder().encode(s);
  if (b.length <= max) return s;
  return new TextDecoder().decode(b.subarray(0, Math.max(0, max)));
}
