/**
 * Advert app data (src/helpers/AdvertDataHelpers.cpp AdvertDataBuilder / AdvertDataParser):
 *   flags (low nibble = ADV_TYPE, 0x10 lat/lon, 0x20 feat1, 0x40 feat2, 0x80 name) · [lat i32 · lon i32, ×1e6]
 *   · [feat1 u16] · [feat2 u16] · name (rest, UTF-8, no NUL). At most MAX_ADVERT_DATA_SIZE (32) bytes; the name is
 * cut at a whole UTF-8 character (mesh::validUtf8PrefixLength).
 */
import { MAX_ADVERT_DATA_SIZE } from './packet.js';

export const ADV_TYPE = { NONE: 0, CHAT: 1, REPEATER: 2, ROOM: 3, SENSOR: 4 } as const;
export const ADV_LATLON_MASK = 0x10;
export const ADV_FEAT1_MASK = 0x20;
export const ADV_FEAT2_MASK = 0x40;
export const ADV_NAME_MASK = 0x80;

export interface AdvertData {
  type: number;
  name?: string;
  /** Degrees (stored ×1e6 as i32). */
  lat?: number;
  lon?: number;
  feat1?: number;
  feat2?: number;
}

/** The longest prefix of `bytes` (at most `max`) that ends on a UTF-8 character boundary. */
function utf8Prefix(bytes: Uint8Array, max: number): Uint8Array {
  let n = Math.min(bytes.length, Math.max(0, max));
  while (n > 0 && n < bytes.length && (bytes[n] & 0xc0) === 0x80) n--;
  return bytes.subarray(0, n);
}

export function encodeAdvertData(d: AdvertData): Uint8Array {
  const out = new Uint8Array(MAX_ADVERT_DATA_SIZE);
  const dv = new DataView(out.buffer);
  out[0] = d.type & 0x0f;
  let i = 1;
  if (d.lat !== undefined && d.lon !== undefined) {
    out[0] |= ADV_LATLON_MASK;
    dv.setInt32(i, Math.trunc(d.lat * 1e6), true);
    dv.setInt32(i + 4, Math.trunc(d.lon * 1e6), true);
    i += 8;
  }
  if (d.feat1) {
    out[0] |= ADV_FEAT1_MASK;
    dv.setUint16(i, d.feat1, true);
    i += 2;
  }
  if (d.feat2) {
    out[0] |= ADV_FEAT2_MASK;
    dv.setUint16(i, d.feat2, true);
    i += 2;
  }
  if (d.name) {
    const name = utf8Prefix(new TextEncoder().encode(d.name), MAX_ADVERT_DATA_SIZE - i);
    if (name.length > 0) {
      out[0] |= ADV_NAME_MASK;
      out.set(name, i);
      i += name.length;
    }
  }
  return out.slice(0, i);
}

/**
 * AdvertDataParser: undefined when the data is shorter than its flags say (isValid() false). A name flag with no
 * bytes left gives no name (BaseChatMesh::onAdvertRecv then ignores the advert).
 */
export function decodeAdvertData(data: Uint8Array): AdvertData | undefined {
  if (data.length === 0) return undefined;
  const flags = data[0];
  let need = 1;
  if (flags & ADV_LATLON_MASK) need += 8;
  if (flags & ADV_FEAT1_MASK) need += 2;
  if (flags & ADV_FEAT2_MASK) need += 2;
  if (data.length < need) return undefined;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: AdvertData = { type: flags & 0x0f };
  let i = 1;
  if (flags & ADV_LATLON_MASK) {
    out.lat = dv.getInt32(i, true) / 1e6;
    out.lon = dv.getInt32(i + 4, true) / 1e6;
    i += 8;
  }
  if (flags & ADV_FEAT1_MASK) {
    out.feat1 = dv.getUint16(i, true);
    i += 2;
  }
  if (flags & ADV_FEAT2_MASK) {
    out.feat2 = dv.getUint16(i, true);
    i += 2;
  }
  if (flags & ADV_NAME_MASK && data.length > i) {
    const raw = data.subarray(i, Math.min(data.length, MAX_ADVERT_DATA_SIZE));
    const nul = raw.indexOf(0);
    out.name = new TextDecoder().decode(nul >= 0 ? raw.subarray(0, nul) : raw);
  }
  return out;
}
