/**
 * The MeshCore packet as it goes on air (payload version 1, firmware v1.17.1):
 *   header(1) [transport_code0 u16 LE, transport_code1 u16 LE — routes 0 and 3 only] path_len(1) path payload
 * header = 0bVVPPPPRR (src/Packet.h PH_*); path_len = bits 0-5 hop count, bits 6-7 hash size − 1 (v1.14+;
 * size code 3 is reserved). Parsing follows Dispatcher::tryParsePacket (the receive path), building follows
 * Packet::writeTo; the dedupe hash is Packet::calculatePacketHash. Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import { MeshCoreMalformedPacketError, MeshCorePacketTooLargeError } from './errors.js';

export const ROUTE_TYPE = { TRANSPORT_FLOOD: 0, FLOOD: 1, DIRECT: 2, TRANSPORT_DIRECT: 3 } as const;
export type RouteType = (typeof ROUTE_TYPE)[keyof typeof ROUTE_TYPE];

export const PAYLOAD_TYPE = {
  REQ: 0x00,
  RESPONSE: 0x01,
  TXT_MSG: 0x02,
  ACK: 0x03,
  ADVERT: 0x04,
  GRP_TXT: 0x05,
  GRP_DATA: 0x06,
  ANON_REQ: 0x07,
  PATH: 0x08,
  TRACE: 0x09,
  MULTIPART: 0x0a,
  CONTROL: 0x0b,
  RAW_CUSTOM: 0x0f,
} as const;

/** src/MeshCore.h */
export const MAX_PACKET_PAYLOAD = 184;
export const MAX_PATH_SIZE = 64;
export const MAX_TRANS_UNIT = 255;
export const MAX_HASH_SIZE = 8;
/** path_len bits 0-5 (Packet::getPathHashCount). */
export const MAX_PATH_HASH_COUNT = 63;
export const CIPHER_MAC_SIZE = 2;
export const CIPHER_BLOCK_SIZE = 16;
export const PUB_KEY_SIZE = 32;
export const SIGNATURE_SIZE = 64;
export const MAX_ADVERT_DATA_SIZE = 32;
/** PAYLOAD_VER_1: the only version the firmware accepts. */
export const PAYLOAD_VER_1 = 0;

export type PathHashSize = 1 | 2 | 3;

export interface McPacket {
  routeType: RouteType;
  payloadType: number;
  /** 0 on air today (PAYLOAD_VER_1). */
  version: number;
  /** [code0, code1] for routes TRANSPORT_FLOOD / TRANSPORT_DIRECT, else [0, 0]. */
  transportCodes: [number, number];
  /** Bytes per path hash (path_len bits 6-7 + 1). */
  pathHashSize: PathHashSize;
  /**
   * The path bytes: hop count × pathHashSize bytes. For a flood, the hashes of the repeaters it passed (each
   * appends its own); for a direct packet, the hops still to go (each removes itself); for TRACE, one SNR×4 byte
   * per hop so far.
   */
  path: Uint8Array;
  payload: Uint8Array;
}

export function hasTransportCodes(routeType: number): boolean {
  return routeType === ROUTE_TYPE.TRANSPORT_FLOOD || routeType === ROUTE_TYPE.TRANSPORT_DIRECT;
}

export function isFlood(p: Pick<McPacket, 'routeType'>): boolean {
  return p.routeType === ROUTE_TYPE.FLOOD || p.routeType === ROUTE_TYPE.TRANSPORT_FLOOD;
}

export function isDirect(p: Pick<McPacket, 'routeType'>): boolean {
  return p.routeType === ROUTE_TYPE.DIRECT || p.routeType === ROUTE_TYPE.TRANSPORT_DIRECT;
}

/** Hops in the path (path_len & 63). */
export function pathHashCount(p: Pick<McPacket, 'path' | 'pathHashSize'>): number {
  return p.path.length / p.pathHashSize;
}

/** The path_len byte: ((size − 1) << 6) | count (Packet::setPathHashSizeAndCount). */
export function encodePathLen(size: PathHashSize, count: number): number {
  return ((size - 1) << 6) | (count & 63);
}

/** Hash size and hop count of a path_len byte; undefined for size code 3 (reserved, Packet::isValidPathLen). */
export function decodePathLen(pathLen: number): { size: PathHashSize; count: number } | undefined {
  const mode = (pathLen >> 6) & 3;
  if (mode === 3) return undefined;
  return { size: (mode + 1) as PathHashSize, count: pathLen & 63 };
}

/**
 * Dispatcher::tryParsePacket: version > PAYLOAD_VER_1, path mode 3, a path longer than 64 bytes or than the frame,
 * or a payload over 184 bytes are refused. A frame that ends right after the path is refused too (Packet::readFrom
 * `i >= len`; tryParsePacket would hand an empty payload to Mesh, which cannot use it).
 */
export function decodePacket(raw: Uint8Array): McPacket {
  if (raw.length === 0) throw new MeshCoreMalformedPacketError('empty', 'no bytes');
  const header = raw[0];
  const version = header >> 6;
  if (version > PAYLOAD_VER_1) throw new MeshCoreMalformedPacketError('version', `payload version ${version}`);
  const routeType = (header & 3) as RouteType;
  let i = 1;
  let transportCodes: [number, number] = [0, 0];
  if (hasTransportCodes(routeType)) {
    if (raw.length < i + 5) throw new MeshCoreMalformedPacketError('truncated', `${raw.length} bytes, transport codes cut`);
    transportCodes = [raw[i] | (raw[i + 1] << 8), raw[i + 2] | (raw[i + 3] << 8)];
    i += 4;
  }
  if (raw.length <= i) throw new MeshCoreMalformedPacketError('truncated', 'no path_len byte');
  const pl = decodePathLen(raw[i++]);
  if (!pl) throw new MeshCoreMalformedPacketError('path-mode', 'path hash size code 3 is reserved');
  const pathBytes = pl.count * pl.size;
  if (pathBytes > MAX_PATH_SIZE) throw new MeshCoreMalformedPacketError('path-length', `${pathBytes} path bytes > ${MAX_PATH_SIZE}`);
  if (i + pathBytes > raw.length) throw new MeshCoreMalformedPacketError('truncated', `path of ${pathBytes} bytes runs past the frame`);
  const path = raw.slice(i, i + pathBytes);
  i += pathBytes;
  const payloadLen = raw.length - i;
  if (payloadLen === 0) throw new MeshCoreMalformedPacketError('no-payload', 'frame ends after the path');
  if (payloadLen > MAX_PACKET_PAYLOAD) throw new MeshCoreMalformedPacketError('payload-too-long', `${payloadLen} > ${MAX_PACKET_PAYLOAD}`);
  return { routeType, payloadType: (header >> 2) & 0x0f, version, transportCodes, pathHashSize: pl.size, path, payload: raw.slice(i) };
}

/** Packet::writeTo. Throws MeshCorePacketTooLargeError past the firmware's limits. */
export function encodePacket(p: McPacket): Uint8Array {
  if (p.payload.length > MAX_PACKET_PAYLOAD) throw new MeshCorePacketTooLargeError('payload', p.payload.length, MAX_PACKET_PAYLOAD);
  if (p.path.length > MAX_PATH_SIZE) throw new MeshCorePacketTooLargeError('path', p.path.length, MAX_PATH_SIZE);
  if (p.path.length % p.pathHashSize !== 0) throw new RangeError(`path of ${p.path.length} bytes is not a whole number of ${p.pathHashSize}-byte hashes`);
  // path_len keeps the hop count in 6 bits: 64 one-byte hashes fit MAX_PATH_SIZE but not the count (& 63 would
  // write 0 hops followed by 64 stray bytes). Packet::isValidPathLen allows 63.
  if (p.path.length / p.pathHashSize > MAX_PATH_HASH_COUNT) throw new MeshCorePacketTooLargeError('path hop count', p.path.length / p.pathHashSize, MAX_PATH_HASH_COUNT);
  const tc = hasTransportCodes(p.routeType);
  const out = new Uint8Array(1 + (tc ? 4 : 0) + 1 + p.path.length + p.payload.length);
  let i = 0;
  out[i++] = ((p.version & 3) << 6) | ((p.payloadType & 0x0f) << 2) | (p.routeType & 3);
  if (tc) {
    out[i++] = p.transportCodes[0] & 0xff;
    out[i++] = (p.transportCodes[0] >> 8) & 0xff;
    out[i++] = p.transportCodes[1] & 0xff;
    out[i++] = (p.transportCodes[1] >> 8) & 0xff;
  }
  out[i++] = encodePathLen(p.pathHashSize, p.path.length / p.pathHashSize);
  out.set(p.path, i);
  i += p.path.length;
  out.set(p.payload, i);
  return out;
}

/** On-air length (Packet::getRawLength). */
export function rawLength(p: McPacket): number {
  return 2 + p.path.length + p.payload.length + (hasTransportCodes(p.routeType) ? 4 : 0);
}

/**
 * Packet::calculatePacketHash: SHA-256(payload_type ‖ [path_len as u16 LE, TRACE only] ‖ payload)[0..8]. Path and
 * header are excluded, so every copy of one flood has the same hash (SimpleMeshTables dedupes on it).
 */
export function packetHash(p: McPacket): Uint8Array {
  const h = createHash('sha256');
  h.update(Uint8Array.of(p.payloadType));
  if (p.payloadType === PAYLOAD_TYPE.TRACE) {
    const pathLen = encodePathLen(p.pathHashSize, p.path.length / p.pathHashSize);
    h.update(Uint8Array.of(pathLen & 0xff, 0));
  }
  h.update(p.payload);
  return new Uint8Array(h.digest().subarray(0, MAX_HASH_SIZE));
}
