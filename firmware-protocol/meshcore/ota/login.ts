/**
 * Login over ANON_REQ and its RESPONSE (plaintexts, before encryptThenMac / after macThenDecrypt).
 * Request (BaseChatMesh::sendLogin): repeater/sensor `ts u32 · password`, room `ts u32 · sync_since u32 · password`,
 * password at most 15 bytes, no NUL (the cipher's zero padding terminates it: onAnonDataRecv sets data[len] = 0 and
 * strcmp's). In simple_repeater a byte 4 below ' ' other than NUL is not a password but a direct-only sub-request
 * `ts · type(1 regions, 2 owner, 3 clock) · reply_path_len · reply_path` (MyMesh::onAnonDataRecv).
 * Response (MyMesh::handleLoginReq): `server_now u32 · RESP_SERVER_LOGIN_OK · 0 (legacy keep-alive/16) ·
 * is_admin · permissions · random[4] · FIRMWARE_VER_LEVEL`, 13 bytes; the room server puts 1 admin / 2 guest / 0 in
 * is_admin. Companion decoding follows companion_radio MyMesh::onContactResponse (legacy "OK", else byte 4 = 0).
 */
import { ANON_REQ_TYPE, RESP_SERVER_LOGIN_OK } from './request-codes.js';
import { decodePathLen } from './packet.js';
import { cString, layoutError, need, view } from './app-data-errors.js';

/** BaseChatMesh::sendLogin: "max 15 chars currently". */
export const MAX_LOGIN_PASSWORD = 15;
export const LOGIN_RESPONSE_SIZE = 13;

export interface LoginRequest {
  timestamp: number;
  /** Room servers only: "sync messages since" (the client's last seen post). */
  syncSince?: number;
  password: string;
}

export interface DecodedLoginRequest {
  kind: 'login';
  timestamp: number;
  syncSince?: number;
  /** As the server strcmp's it: the bytes up to the first NUL. */
  passwordBytes: Uint8Array;
  password: string;
}

export interface AnonSubRequest {
  kind: 'regions' | 'owner' | 'basic';
  timestamp: number;
  /** The path_len byte for the reply and the path it describes (hash size from its top bits). */
  replyPathLen: number;
  replyPath: Uint8Array;
}

export type AnonRequest = DecodedLoginRequest | AnonSubRequest;

export function encodeLoginRequest(r: LoginRequest): Uint8Array {
  const pw = new TextEncoder().encode(r.password);
  const cut = pw.subarray(0, Math.min(MAX_LOGIN_PASSWORD, pw.indexOf(0) >= 0 ? pw.indexOf(0) : pw.length));
  const head = r.syncSince === undefined ? 4 : 8;
  const out = new Uint8Array(head + cut.length);
  const dv = view(out);
  dv.setUint32(0, r.timestamp >>> 0, true);
  if (r.syncSince !== undefined) dv.setUint32(4, r.syncSince >>> 0, true);
  out.set(cut, head);
  return out;
}

/** A room server's ANON_REQ (simple_room_server MyMesh::onAnonDataRecv): always a login. */
export function decodeRoomLoginRequest(data: Uint8Array): DecodedLoginRequest {
  need('room login request', data, 8);
  const dv = view(data);
  const passwordBytes = cString(data.subarray(8));
  return { kind: 'login', timestamp: dv.getUint32(0, true), syncSince: dv.getUint32(4, true), passwordBytes, password: new TextDecoder().decode(passwordBytes) };
}

/** A repeater's ANON_REQ: a login when byte 4 is NUL or printable, else a sub-request (or a layout error). */
export function decodeRepeaterAnonRequest(data: Uint8Array): AnonRequest {
  need('anon request', data, 4);
  const timestamp = view(data).getUint32(0, true);
  const b = data.length > 4 ? data[4] : 0;
  if (b === 0 || b >= 0x20) {
    const passwordBytes = cString(data.subarray(4));
    return { kind: 'login', timestamp, passwordBytes, password: new TextDecoder().decode(passwordBytes) };
  }
  const kind = b === ANON_REQ_TYPE.REGIONS ? 'regions' : b === ANON_REQ_TYPE.OWNER ? 'owner' : b === ANON_REQ_TYPE.BASIC ? 'basic' : undefined;
  if (!kind) throw layoutError('anon request', `unknown type ${b}`);
  need(`anon ${kind} request`, data, 6);
  const replyPathLen = data[5];
  const pl = decodePathLen(replyPathLen);
  // Packet::isValidPathLen: size code 3 and more than 64 bytes are refused.
  if (!pl || pl.count * pl.size > 64) throw layoutError(`anon ${kind} request`, `bad reply path_len 0x${replyPathLen.toString(16)}`);
  need(`anon ${kind} request`, data, 6 + pl.count * pl.size);
  return { kind, timestamp, replyPathLen, replyPath: data.slice(6, 6 + pl.count * pl.size) };
}

export interface LoginResponse {
  serverTime: number;
  /** Byte 5, legacy keep-alive interval in units of 16 s; the v1.17 servers send 0. */
  keepAlive16?: number;
  /** Byte 6: repeater 1 admin / 0; room server 1 admin / 2 guest / 0. */
  adminFlag: number;
  permissions: number;
  /** Bytes 8-11, random (packet-hash uniqueness). */
  random: Uint8Array;
  firmwareVerLevel: number;
}

export function encodeLoginResponse(r: LoginResponse): Uint8Array {
  if (r.random.length !== 4) throw new RangeError(`login response random is 4 bytes, got ${r.random.length}`);
  const out = new Uint8Array(LOGIN_RESPONSE_SIZE);
  view(out).setUint32(0, r.serverTime >>> 0, true);
  out[4] = RESP_SERVER_LOGIN_OK;
  out[5] = (r.keepAlive16 ?? 0) & 0xff;
  out[6] = r.adminFlag & 0xff;
  out[7] = r.permissions & 0xff;
  out.set(r.random, 8);
  out[12] = r.firmwareVerLevel & 0xff;
  return out;
}

export type DecodedLoginResponse =
  | ({ kind: 'ok' } & LoginResponse)
  | { kind: 'legacy-ok'; serverTime: number }
  | { kind: 'fail'; serverTime: number };

/** companion_radio MyMesh::onContactResponse for a pending login. */
export function decodeLoginResponse(data: Uint8Array): DecodedLoginResponse {
  need('login response', data, 5);
  const serverTime = view(data).getUint32(0, true);
  if (data.length >= 6 && data[4] === 0x4f && data[5] === 0x4b) return { kind: 'legacy-ok', serverTime };
  if (data[4] !== RESP_SERVER_LOGIN_OK) return { kind: 'fail', serverTime };
  need('login response', data, LOGIN_RESPONSE_SIZE);
  return {
    kind: 'ok',
    serverTime,
    keepAlive16: data[5],
    adminFlag: data[6],
    permissions: data[7],
    random: data.slice(8, 12),
    firmwareVerLevel: data[12],
  };
}
