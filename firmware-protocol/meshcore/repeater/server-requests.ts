/**
 * The repeater's answers to requests (examples/simple_repeater/MyMesh.cpp): handleLoginReq and the anonymous
 * sub-requests (ANON_REQ: regions 0x01, owner 0x02, clock 0x03, each carrying the path to reply along), and
 * handleRequest for REQ from a client in the ACL (GET_STATUS, GET_TELEMETRY_DATA, GET_ACCESS_LIST, GET_NEIGHBOURS,
 * GET_OWNER_INFO). Each returns the RESPONSE plaintext (tag or our time first) or undefined where the firmware
 * returns 0 (no reply). The byte layouts are the ota codecs' (../ota/login.ts, anon-replies.ts, request-data.ts,
 * repeater-stats.ts, cayenne-lpp.ts); what is here is the repeater's policy: who may ask what, the ACL updates, the
 * limits of its reply buffer. Routing the reply is the repeater's job (repeater.ts).
 *
 * v1.17.1's repeater has no KEEP_ALIVE (0x02) branch: such a request gets no reply (handleRequest returns 0), and so
 * here.
 */
import { encodeAnonClockReply, encodeAnonOwnerReply, encodeAnonRegionsReply, encodeOwnerInfo, CLOCK_FEATURE } from '../ota/anon-replies.js';
import { LppWriter, voltsFromMilliVolts } from '../ota/cayenne-lpp.js';
import { encodeLoginResponse } from '../ota/login.js';
import { MAX_PACKET_PAYLOAD, PUB_KEY_SIZE } from '../ota/packet.js';
import { encodeStatusResponse, type RepeaterStats } from '../ota/repeater-stats.js';
import { encodeAccessList, encodeNeighboursResponse, type AclEntry } from '../ota/request-data.js';
import { FIRMWARE_VER_LEVEL_REPEATER, PERM_ACL, REQ_TYPE, TELEM_CHANNEL_SELF } from '../ota/request-codes.js';
import { ClientACL, isAdmin, type ClientInfo } from './client-acl.js';
import type { NeighbourTable } from './neighbours.js';
import type { RepeaterPrefs } from './prefs.js';
import { REGION_DENY_FLOOD, type RegionMap } from './region-map.js';
import type { RtcClock } from './rtc-clock.js';

/** sizeof(reply_data) = MAX_PACKET_PAYLOAD. */
const REPLY_DATA_SIZE = MAX_PACKET_PAYLOAD;

/** A RESPONSE plaintext: the request's tag (its sender timestamp, u32 LE) then the answer (MyMesh::handleRequest). */
function tagged(tag: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, tag >>> 0, true);
  out.set(body, 4);
  return out;
}
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
    if (sameBytes(password, utf8(ctx.prefs.password))) perms = PERM_ACL.ADMIN;
    else if (sameBytes(password, utf8(ctx.prefs.guestPassword))) perms = PERM_ACL.GUEST;
    else return { ok: false, why: 'password' };
    client = ctx.acl.putClient(senderPublicKey, 0);
    if (senderTimestamp <= client.lastTimestamp) return { ok: false, why: 'replay' };
    client.lastTimestamp = senderTimestamp >>> 0;
    client.lastActivity = ctx.rtc.getCurrentTime();
    client.permissions = (client.permissions & ~0x03) | perms;
    client.sharedSecret = secret.slice(0, PUB_KEY_SIZE);
    if (perms !== PERM_ACL.GUEST) ctx.aclChanged();
  }
  if (isFlood) client.outPath = undefined;
  const serverTime = ctx.rtc.getCurrentTimeUnique();
  const random = new Uint8Array(4);
  for (let i = 0; i < 4; i++) random[i] = Math.floor(ctx.random() * 256);
  const reply = encodeLoginResponse({
    serverTime,
    keepAlive16: 0, // legacy keep-alive interval
    adminFlag: isAdmin(client) ? 1 : 0,
    permissions: client.permissions,
    random,
    firmwareVerLevel: FIRMWARE_VER_LEVEL_REPEATER,
  });
  return { ok: true, client, reply };
}

/** handleAnonRegionsReq: tag · our time · names of the regions that allow floods. */
export function anonRegionsReply(regions: RegionMap, senderTimestamp: number, now: number): Uint8Array {
  const { wildcard, names } = regions.namesMatching(REGION_DENY_FLOOD);
  return encodeAnonRegionsReply(senderTimestamp, now, wildcard, names);
}

/** handleAnonOwnerReq: tag · our time · "name\nowner". */
export function anonOwnerReply(prefs: RepeaterPrefs, senderTimestamp: number, now: number): Uint8Array {
  return encodeAnonOwnerReply(senderTimestamp, now, prefs.nodeName, prefs.ownerInfo);
}

/** handleAnonClockReq: tag · our time · features (no bridge here, so only "forwarding disabled"). */
export function anonClockReply(prefs: RepeaterPrefs, senderTimestamp: number, now: number): Uint8Array {
  return encodeAnonClockReply(senderTimestamp, now, prefs.disableFwd ? CLOCK_FEATURE.FORWARDING_DISABLED : 0);
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
  // the firmware reads its zero-padded buffer: bytes past what we were given read as 0
  const at = (i: number): number => payload[i] ?? 0;
  switch (at(0)) {
    case REQ_TYPE.GET_STATUS:
      return encodeStatusResponse(senderTimestamp, ctx.stats());
    case REQ_TYPE.GET_TELEMETRY_DATA: {
      // payload[1] is an inverse permission mask for sensors; this node has none beyond the base voltage, and no
      // MCU temperature (MainBoard::getMCUTemperature → NAN). getBattMilliVolts is a uint16_t.
      const lpp = new LppWriter();
      lpp.addVoltage(TELEM_CHANNEL_SELF, voltsFromMilliVolts(ctx.battMilliVolts() & 0xffff));
      return tagged(senderTimestamp, lpp.bytes());
    }
    case REQ_TYPE.GET_ACCESS_LIST: {
      if (!isAdmin(client) || at(1) !== 0 || at(2) !== 0) return undefined;
      // as many 7-byte entries as fit in reply_data after the tag, less 4 (ofs + 7 <= sizeof(reply_data) - 4)
      const entries: AclEntry[] = [];
      let ofs = 4;
      for (const c of ctx.acl.all()) {
        if (ofs + 7 > REPLY_DATA_SIZE - 4) break;
        if (c.permissions === 0) continue;
        entries.push({ keyPrefix: c.publicKey, permissions: c.permissions });
        ofs += 7;
      }
      return tagged(senderTimestamp, encodeAccessList(entries));
    }
    case REQ_TYPE.GET_NEIGHBOURS: {
      if (at(1) !== 0) return undefined;
      const offset = at(3) | (at(4) << 8);
      const { total, entries } = ctx.neighbours.replyEntries(at(2), offset, at(5), at(6), ctx.rtc.getCurrentTime());
      return tagged(senderTimestamp, encodeNeighboursResponse(total, entries));
    }
    case REQ_TYPE.GET_OWNER_INFO:
      return tagged(senderTimestamp, encodeOwnerInfo(ctx.firmwareVersion, ctx.prefs.nodeName, ctx.prefs.ownerInfo));
    default:
      return undefined;
  }
}
