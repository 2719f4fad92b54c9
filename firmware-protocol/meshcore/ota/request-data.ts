/**
 * REQ / RESPONSE plaintexts (before encryptThenMac): a REQ is `tag u32 (sender time) · req_type · params`; the
 * simple form BaseChatMesh::sendRequest(req_type) pads params as `reserved[4] = 0 · random[4]` (13 bytes), and
 * KEEP_ALIVE carries `sync_since u32` (BaseChatMesh::checkConnections). A RESPONSE starts with the request's tag
 * (MyMesh::handleRequest reflects it). GET_TELEMETRY_DATA's first reserved byte is the inverse of the permission
 * mask wanted. GET_NEIGHBOURS (v0): `0x06 · version 0 · count · offset u16 · order_by · prefix_len · random[4]` →
 * `total u16 · results u16 · (pk prefix · heard_secs_ago u32 · snr×4 i8)*`. GET_ACCESS_LIST → `(pk[6] · perms)*`.
 * GET_OWNER_INFO → "version\nname\nowner".
 */
import { REQ_TYPE } from './request-codes.js';
import { layoutError, need, view } from './app-data-errors.js';

export interface RequestData {
  tag: number;
  reqType: number;
  /** Everything after req_type (may include the cipher's zero padding when decoded). */
  params: Uint8Array;
}

/** BaseChatMesh::sendRequest(req_type): 4 reserved zero bytes then 4 random bytes. */
export function encodeSimpleRequest(tag: number, reqType: number, random: Uint8Array, reserved?: Uint8Array): Uint8Array {
  if (random.length !== 4) throw new RangeError(`request random is 4 bytes, got ${random.length}`);
  const out = new Uint8Array(13);
  view(out).setUint32(0, tag >>> 0, true);
  out[4] = reqType & 0xff;
  if (reserved) out.set(reserved.subarray(0, 4), 5);
  out.set(random, 9);
  return out;
}

export function encodeRequest(r: RequestData): Uint8Array {
  const out = new Uint8Array(5 + r.params.length);
  view(out).setUint32(0, r.tag >>> 0, true);
  out[4] = r.reqType & 0xff;
  out.set(r.params, 5);
  return out;
}

/** Mesh hands the app at least one cipher block; a REQ needs tag and type. */
export function decodeRequest(data: Uint8Array): RequestData {
  need('request', data, 5);
  return { tag: view(data).getUint32(0, true), reqType: data[4], params: data.subarray(5) };
}

/** Telemetry request: reserved byte 0 is ~permission mask (MyMesh::handleRequest: perm_mask = ~payload[1]). */
export function encodeTelemetryRequest(tag: number, permissionMask: number, random: Uint8Array): Uint8Array {
  return encodeSimpleRequest(tag, REQ_TYPE.GET_TELEMETRY_DATA, random, Uint8Array.of(~permissionMask & 0xff, 0, 0, 0));
}

export function telemetryPermissionMask(params: Uint8Array): number {
  return ~(params[0] ?? 0) & 0xff;
}

export function encodeKeepAlive(tag: number, syncSince: number): Uint8Array {
  const out = new Uint8Array(9);
  const dv = view(out);
  dv.setUint32(0, tag >>> 0, true);
  out[4] = REQ_TYPE.KEEP_ALIVE;
  dv.setUint32(5, syncSince >>> 0, true);
  return out;
}

export interface NeighboursRequest {
  count: number;
  offset: number;
  /** 0 newest first, 1 oldest first, 2 strongest first, 3 weakest first. */
  orderBy: number;
  /** Bytes of each neighbour key wanted (the repeater clamps to 32). */
  prefixLength: number;
  random: Uint8Array;
}

export function encodeNeighboursRequest(tag: number, r: NeighboursRequest): Uint8Array {
  const out = new Uint8Array(4 + 11);
  const dv = view(out);
  dv.setUint32(0, tag >>> 0, true);
  out[4] = REQ_TYPE.GET_NEIGHBOURS;
  out[5] = 0; // request_version
  out[6] = r.count & 0xff;
  dv.setUint16(7, r.offset & 0xffff, true);
  out[9] = r.orderBy & 0xff;
  out[10] = r.prefixLength & 0xff;
  out.set(r.random.subarray(0, 4), 11);
  return out;
}

/** params = bytes after req_type. Only request_version 0 exists (others get no answer). */
export function decodeNeighboursRequest(params: Uint8Array): NeighboursRequest {
  need('neighbours request', params, 6);
  if (params[0] !== 0) throw layoutError('neighbours request', `version ${params[0]}`);
  return {
    count: params[1],
    offset: view(params).getUint16(2, true),
    orderBy: params[4],
    prefixLength: Math.min(params[5], 32),
    random: params.slice(6, 10),
  };
}

export interface NeighbourEntry {
  keyPrefix: Uint8Array;
  heardSecsAgo: number;
  snrX4: number;
}

/** Response content after the tag. The repeater fits at most 130 bytes of entries (results_buffer). */
export function encodeNeighboursResponse(total: number, entries: NeighbourEntry[]): Uint8Array {
  const size = entries.reduce((n, e) => n + e.keyPrefix.length + 5, 0);
  const out = new Uint8Array(4 + size);
  const dv = view(out);
  dv.setUint16(0, total & 0xffff, true);
  dv.setUint16(2, entries.length, true);
  let i = 4;
  for (const e of entries) {
    out.set(e.keyPrefix, i);
    i += e.keyPrefix.length;
    dv.setUint32(i, e.heardSecsAgo >>> 0, true);
    out[i + 4] = e.snrX4 & 0xff;
    i += 5;
  }
  return out;
}

export function decodeNeighboursResponse(content: Uint8Array, prefixLength: number): { total: number; entries: NeighbourEntry[] } {
  need('neighbours response', content, 4);
  const dv = view(content);
  const total = dv.getUint16(0, true);
  const n = dv.getUint16(2, true);
  const entries: NeighbourEntry[] = [];
  let i = 4;
  for (let k = 0; k < n; k++) {
    need('neighbours response', content, i + prefixLength + 5);
    entries.push({ keyPrefix: content.slice(i, i + prefixLength), heardSecsAgo: dv.getUint32(i + prefixLength, true), snrX4: (content[i + prefixLength + 4] << 24) >> 24 });
    i += prefixLength + 5;
  }
  return { total, entries };
}

export interface AclEntry {
  keyPrefix: Uint8Array;
  permissions: number;
}

export function encodeAccessList(entries: AclEntry[]): Uint8Array {
  const out = new Uint8Array(entries.length * 7);
  entries.forEach((e, k) => {
    out.set(e.keyPrefix.subarray(0, 6), k * 7);
    out[k * 7 + 6] = e.permissions & 0xff;
  });
  return out;
}

/** Whole 7-byte entries; trailing zero padding (permissions 0 = deleted, never sent) is dropped. */
export function decodeAccessList(content: Uint8Array): AclEntry[] {
  const out: AclEntry[] = [];
  for (let i = 0; i + 7 <= content.length; i += 7) {
    if (content[i + 6] === 0) continue;
    out.push({ keyPrefix: content.slice(i, i + 6), permissions: content[i + 6] });
  }
  return out;
}
