/**
 * Answers of simple_repeater to the anonymous sub-requests (MyMesh::handleAnonRegionsReq / handleAnonOwnerReq /
 * handleAnonClockReq) and to REQ_TYPE_GET_OWNER_INFO (handleRequest). Each starts `tag u32 (the request's sender
 * timestamp) · now u32 (our clock)`, except the owner info REQ answer which is the usual `tag · text`:
 *   regions: names allowed to flood, '#' dropped, comma-separated, '*' first when the wildcard floods
 *            (RegionMap::exportNamesTo, a name is appended only if it fits: used + len + 2 < 172);
 *   owner:   "node_name\nowner_info";
 *   clock:   one features byte (0x01 RS-232 bridge, 0x03 ESP-NOW bridge, 0x80 forwarding disabled);
 *   owner info (REQ 0x07): "FIRMWARE_VERSION\nnode_name\nowner_info".
 */
import { cString, need, view } from './app-data-errors.js';
import { ANON_REQ_TYPE } from './request-codes.js';

/** sizeof(reply_data) − 12 (MAX_PACKET_PAYLOAD − 12) given to exportNamesTo. */
export const REGION_NAMES_MAX = 172;
export const CLOCK_FEATURE = { BRIDGE_RS232: 0x01, BRIDGE_ESPNOW: 0x03, FORWARDING_DISABLED: 0x80 } as const;

function head(tag: number, now: number, rest: number): Uint8Array {
  const out = new Uint8Array(8 + rest);
  const dv = view(out);
  dv.setUint32(0, tag >>> 0, true);
  dv.setUint32(4, now >>> 0, true);
  return out;
}

/** The request (BaseChatMesh::sendAnonReq data): `ts · type · reply_path_len · reply_path`. */
export function encodeAnonSubRequest(timestamp: number, type: (typeof ANON_REQ_TYPE)[keyof typeof ANON_REQ_TYPE], replyPathLen: number, replyPath: Uint8Array): Uint8Array {
  const out = new Uint8Array(6 + replyPath.length);
  view(out).setUint32(0, timestamp >>> 0, true);
  out[4] = type;
  out[5] = replyPathLen & 0xff;
  out.set(replyPath, 6);
  return out;
}

/** `maxLen` is exportNamesTo's max_len: REGION_NAMES_MAX for the anonymous reply, the CLI reply size for `region list`. */
export function regionNamesText(wildcardFloods: boolean, names: string[], maxLen: number = REGION_NAMES_MAX): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  let used = 0;
  if (wildcardFloods) {
    parts.push(enc.encode('*,'));
    used = 2;
  }
  for (const n of names) {
    const b = enc.encode(n.startsWith('#') ? n.slice(1) : n);
    if (used + b.length + 2 < maxLen) {
      parts.push(b, enc.encode(','));
      used += b.length + 1;
    }
  }
  const out = new Uint8Array(Math.max(0, used - 1));
  let i = 0;
  for (const p of parts) {
    const take = Math.min(p.length, out.length - i);
    out.set(p.subarray(0, take), i);
    i += take;
  }
  return out;
}

export function encodeAnonRegionsReply(tag: number, now: number, wildcardFloods: boolean, names: string[]): Uint8Array {
  const text = regionNamesText(wildcardFloods, names);
  const out = head(tag, now, text.length);
  out.set(text, 8);
  return out;
}

export function encodeAnonOwnerReply(tag: number, now: number, nodeName: string, ownerInfo: string): Uint8Array {
  const text = new TextEncoder().encode(`${nodeName}\n${ownerInfo}`);
  const out = head(tag, now, text.length);
  out.set(text, 8);
  return out;
}

export function encodeAnonClockReply(tag: number, now: number, features: number): Uint8Array {
  const out = head(tag, now, 1);
  out[8] = features & 0xff;
  return out;
}

export interface AnonReply {
  tag: number;
  now: number;
  /** Regions and owner replies: the text up to the first NUL (the cipher pads with zeros). */
  text: string;
  /** Clock reply: byte 8. */
  features: number;
}

export function decodeAnonReply(data: Uint8Array): AnonReply {
  need('anon reply', data, 8);
  const dv = view(data);
  return { tag: dv.getUint32(0, true), now: dv.getUint32(4, true), text: new TextDecoder().decode(cString(data.subarray(8))), features: data[8] ?? 0 };
}

export function encodeOwnerInfo(firmwareVersion: string, nodeName: string, ownerInfo: string): Uint8Array {
  return new TextEncoder().encode(`${firmwareVersion}\n${nodeName}\n${ownerInfo}`);
}
