/**
 * The contact record shared by RESP_CODE_CONTACT (0x03), PUSH_CODE_NEW_ADVERT (0x8A) and CMD_ADD_UPDATE_CONTACT
 * (0x09): MyMesh.cpp writeContactRespFrame / updateContactFromFrame.
 * pk[32] · type · flags · out_path_len · out_path[64] · name[32] · last_advert u32 · lat i32 · lon i32 · lastmod u32
 */
import { FrameReader, FrameWriter } from './bytes.js';
import { MAX_PATH_SIZE, PUB_KEY_SIZE } from './codes.js';

export interface Contact {
  publicKey: Uint8Array;
  /** ADV_TYPE_* (1 chat, 2 repeater, 3 room, 4 sensor). */
  type: number;
  flags: number;
  /** Encoded path length byte (v1.14+: bits 0–5 hop count, bits 6–7 hash size − 1); 0xFF = unknown (flood). */
  outPathLen: number;
  outPath: Uint8Array;
  name: string;
  /** Sender clock of the last advert, seconds. */
  lastAdvert: number;
  /** Degrees × 1e6. */
  lat: number;
  lon: number;
  /** Device clock when the record last changed, seconds. */
  lastMod: number;
}

/** Bytes of the record after the code byte. */
export const CONTACT_RECORD_SIZE = PUB_KEY_SIZE + 3 + MAX_PATH_SIZE + 32 + 4 + 4 + 4 + 4;

export function readContactRecord(r: FrameReader): Contact {
  const publicKey = r.bytes(PUB_KEY_SIZE, 'public key');
  const type = r.u8('type');
  const flags = r.u8('flags');
  const outPathLen = r.u8('out_path_len');
  const outPath = r.bytes(MAX_PATH_SIZE, 'out_path');
  const name = r.cstring(32, 'name');
  const lastAdvert = r.u32('last_advert');
  // lat/lon/lastmod are always written by the firmware; they are optional only in ADD_UPDATE_CONTACT.
  const lat = r.remaining >= 8 ? r.i32('lat') : 0;
  const lon = r.remaining >= 4 ? r.i32('lon') : 0;
  const lastMod = r.remaining >= 4 ? r.u32('lastmod') : 0;
  return { publicKey, type, flags, outPathLen, outPath, name, lastAdvert, lat, lon, lastMod };
}

export function writeContactRecord(w: FrameWriter, c: Contact, withLastMod = true): FrameWriter {
  w.fixed(c.publicKey, PUB_KEY_SIZE).u8(c.type).u8(c.flags).u8(c.outPathLen).fixed(c.outPath, MAX_PATH_SIZE);
  w.cstring(c.name, 32).u32(c.lastAdvert).i32(c.lat).i32(c.lon);
  if (withLastMod) w.u32(c.lastMod);
  return w;
}
