/**
 * The repeater's answers to requests (examples/simple_repeater/MyMesh.cpp): handleLoginReq and the anonymous
 * sub-requests (ANON_REQ: regions 0x01, owner 0x02, clock 0x03, each carrying the path to reply along), and
 * handleRequest for REQ from a client in the ACL (GET_STATUS, GET_TELEMETRY_DATA, GET_ACCESS_LIST, GET_NEIGHBOURS,
 * GET_OWNER_INFO). Each returns the RESPONSE plaintext (tag or our time first) or undefined where the firmware
 * returns 0 (no reply). Routing the reply is the repeater's job (repeater.ts).
 *
 * v1.17.1's repeater has no KEEP_ALIVE (0x02) branch: such a request gets no reply (handleRequest returns 0), and so
 * here. Layouts are pure and can move to ../ota/ with the other codecs.
 */
import type { McPath } from '../mesh/mesh-handler.js';
import { decodePathLen, PUB_KEY_SIZE, type PathHashSize } from '../ota/packet.js';
import { ClientACL, isAdmin, PERM_ACL_ADMIN, PERM_ACL_GUEST, PERM_ACL_ROLE_MASK, type ClientInfo } from './client-acl.js';
import type { NeighbourTable } from './neighbours.js';
import type { RepeaterPrefs } from './prefs.js';
import { REGION_DENY_FLOOD, type RegionMap } from './region-map.js';
import { encodeRepeaterStats, type RepeaterStats } from './repeater-stats.js';
import type { RtcClock } from './rtc-clock.js';
import { lppVoltage, TELEM_CHANNEL_SELF } from './telemetry-lpp.js';

export const REQ_TYPE = {
  GET_STATUS: 0x01,
  KEEP_ALIVE: 0x02,
  GET_TELEMETRY_DATA: 0x03,
  GET_ACCESS_LIST: 0x05,
  GET_NEIGHBOURS: 0x06,
  GET_OWNER_INFO: 0x07,
} as const;
export const ANON_REQ_TYPE = { REGIONS: 0x01, OWNER: 0x02, BASIC: 0x03 } as const;
export const RESP_SERVER_LOGIN_OK = 0;
/** FIRMWARE_VER_LEVEL: the login answer's last byte (2 = GET_OWNER_INFO is understood). */
export const FIRMWARE_VER_LEVEL = 2;
/** sizeof(reply_data) = MAX_PACKET_PAYLOAD. */
const REPLY_DATA_SIZE = 184;

const u32le = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
};
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** RateLimiter (examples/simple_repeater/RateLimiter.h): at most `maximum` in a window of `secs` (RTC seconds). */
export class RateLimiter {
  private start = 0;
  private count = 0;
  constructor(private readonly maximum: number, private readonly secs: number) {}
  allow(now: number): boolean {
    if (now < this.start + this.secs) {
      this.count++;
      return this.count <= this.maximum;
    }
    this.start = now;
    this.count = 1;
    return true;
  }
}

/** Bytes of a NUL-terminated string at `from` (the firmware sets data[len] = 0 first). */
export function cStringAt(data: Uint8Array, from: number): Uint8Array {
  const end = data.indexOf(0, from);
  return data.subarray(from, end < 0 ? data.length : end);
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

export type LoginResult =
  | { ok: true; client: ClientInfo; reply: Uint8Array }
  | { ok: false; why: 'password' | 'replay' };

/**
 * MyMesh::handleLoginReq. A blank password logs in a client already in the ACL; otherwise the admin password, then
 * the guest password (empty by default, so a blank password is a guest login). The request timestamp must be newer
 * than the client's last one (replay guard; a brand-new client starts at 0). A successful non-guest login marks the
 * ACL dirty (`aclChanged`); a flooded login forgets the stored out path.
 */
export function handleLoginReq(
  ctx: { acl: ClientACL; prefs: RepeaterPrefs; rtc: RtcClock; random: () => number; aclChanged(): void },
  senderPublicKey: Uint8Array,
  secret: Uint8Array,
  senderTimestamp: number,
  password: Uint8Array,
  isFlood: boolean,
): LoginResult {
  let client: ClientInfo | undefined;
  if (password.length === 0) client = ctx.acl.getClient(senderPublicKey, PUB_KEY_SIZE);
  if (!client) {
    let perms: number;
    if (sameBytes(password, utf8(ctx.prefs.password))) perms = PERM_ACL_ADMIN;
    else if (sameBytes(password, utf8(ctx.prefs.guestPassword))) perms = PERM_ACL_GUEST;
    else return { ok: false, why: 'password' };
    client = ctx.acl.putClient(senderPublicKey, 0);
    if (senderTimestamp <= client.lastTimestamp) return { ok: false, why: 'replay' };
    client.lastTimestamp = senderTimestamp >>> 0;
    client.lastActivity = ctx.rtc.getCurrentTime();
    client.permissions = (client.permissions & ~0x03) | perms;
    client.sharedSecret = secret.slice(0, PUB_KEY_SIZE);
    if (perms !== PERM_ACL_GUEST) ctx.aclChanged();
  }
  if (isFlood) client.outPath = undefined;
  const reply = new Uint8Array(13);
  reply.set(u32le(ctx.rtc.getCurrentTimeUnique()), 0);
  reply[4] = RESP_SERVER_LOGIN_OK;
  reply[5] = 0; // legacy keep-alive interval
  reply[6] = isAdmin(client) ? 1 : 0;
  reply[7] = client.permissions;
  for (let i = 8; i < 12; i++) reply[i] = Math.floor(ctx.random() * 256);
  reply[12] = FIRMWARE_VER_LEVEL;
  return { ok: true, client, reply };
}

/**
 * The reply path an anonymous sub-request carries: path_len byte then the path (Packet::isValidPathLen,
 * writePath). Bytes past the end of the data read as the cipher's zero padding, as the firmware reads them.
 */
export function readReplyPath(data: Uint8Array, at: number): McPath | undefined {
  const pathLen = data[at] ?? 0;
  const pl = decodePathLen(pathLen);
  if (!pl || pl.count * pl.size > 64) return undefined;
  const bytes = new Uint8Array(pl.count * pl.size);
  bytes.set(data.subarray(at + 1, at + 1 + bytes.length));
  return { hashSize: pl.size as PathHashSize, bytes };
}

/** handleAnonRegionsReq: tag · our time · names of the regions that allow floods. */
export function anonRegionsReply(regions: RegionMap, senderTimestamp: number, now: number): Uint8Array {
  return concat(u32le(senderTimestamp), u32le(now), utf8(regions.exportNamesTo(REPLY_DATA_SIZE - 12, REGION_DENY_FLOOD)));
}

/** handleAnonOwnerReq: tag · our time · "name\nowner". */
export function anonOwnerReply(prefs: RepeaterPrefs, senderTimestamp: number, now: number): Uint8Array {
  return concat(u32le(senderTimestamp), u32le(now), utf8(`${prefs.nodeName}\n${prefs.ownerInfo}`));
}

/** handleAnonClockReq: tag · our time · features (0x80 = forwarding disabled; no bridge here). */
export function anonClockReply(prefs: RepeaterPrefs, senderTimestamp: number, now: number): Uint8Array {
  return concat(u32le(senderTimestamp), u32le(now), Uint8Array.of(prefs.disableFwd ? 0x80 : 0));
}

export interface RequestContext {
  acl: ClientACL;
  prefs: RepeaterPrefs;
  neighbours: NeighbourTable;
  rtc: RtcClock;
  firmwareVersion: string;
  stats(): RepeaterStats;
  battMilliVolts(): number;
}

/**
 * MyMesh::handleRequest: `payload` is the request after its timestamp (type · params, zero padded). Undefined for
 * an unknown type, an admin-only request from a non-admin, or a version we do not know.
 */
export function handleRequest(ctx: RequestContext, client: ClientInfo, senderTimestamp: number, payload: Uint8Array): Uint8Array | undefined {
  const tag = u32le(senderTimestamp);
  const at = (i: number): number => payload[i] ?? 0;
  switch (at(0)) {
    case REQ_TYPE.GET_STATUS:
      return concat(tag, encodeRepeaterStats(ctx.stats()));
    case REQ_TYPE.GET_TELEMETRY_DATA: {
      // payload[1] is an inverse permission mask for sensors; this node has none beyond the base voltage, and no
      // MCU temperature (MainBoard::getMCUTemperature → NAN)
      const mv = Math.fround(ctx.battMilliVolts() & 0xffff);
      return concat(tag, lppVoltage(TELEM_CHANNEL_SELF, Math.fround(mv / 1000)));
    }
    case REQ_TYPE.GET_ACCESS_LIST: {
      if (!isAdmin(client) || at(1) !== 0 || at(2) !== 0) return undefined;
      const out = new Uint8Array(REPLY_DATA_SIZE);
      out.set(tag, 0);
      let ofs = 4;
      for (const c of ctx.acl.all()) {
        if (ofs + 7 > REPLY_DATA_SIZE - 4) break;
        if (c.permissions === 0) continue;
        out.set(c.publicKey.subarray(0, 6), ofs);
        ofs += 6;
        out[ofs++] = c.permissions;
      }
      return out.slice(0, ofs);
    }
    case REQ_TYPE.GET_NEIGHBOURS: {
      if (at(1) !== 0) return undefined;
      const count = at(2);
      const offset = at(3) | (at(4) << 8);
      const body = ctx.neighbours.encodeReply(count, offset, at(5), at(6), ctx.rtc.getCurrentTime());
      return concat(tag, body);
    }
    case REQ_TYPE.GET_OWNER_INFO:
      return concat(tag, utf8(`${ctx.firmwareVersion}\n${ctx.prefs.nodeName}\n${ctx.prefs.ownerInfo}`));
    default:
      return undefined;
  }
}

export { PERM_ACL_ROLE_MASK };
