/**
 * Small conversions the chat node's files share: a contact's out_path and a received packet's path as McPath,
 * the path_len byte of a packet, the flood test, and the little-endian u32s and NUL-ended texts of payloads.
 */
import type { McPath, ReceivedPacket } from '../mesh/mesh-handler.js';
import { decodePathLen, encodePathLen, ROUTE_TYPE, type McPacket, type PathHashSize } from '../ota/packet.js';
import type { ContactInfo } from './contacts-table.js';

export function u32le(b: Uint8Array, at = 0): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

export function u32bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** The text of a decrypted payload: up to the first NUL (the cipher pads with zeros). */
export function cText(data: Uint8Array, from: number): Uint8Array {
  const z = data.indexOf(0, from);
  return data.subarray(from, z < 0 ? data.length : z);
}

/** A contact's out_path as a McPath (path_len byte → hash size and count). */
export function contactPath(c: Pick<ContactInfo, 'outPathLen' | 'outPath'>): McPath {
  const pl = decodePathLen(c.outPathLen) ?? { size: 1 as PathHashSize, count: 0 };
  return { hashSize: pl.size, bytes: c.outPath.slice(0, pl.size * pl.count) };
}

export function pathOfPacket(p: McPacket): McPath {
  return { hashSize: p.pathHashSize, bytes: p.path };
}

/** The path_len byte of a packet as received (for frames: PUSH, message path_len). */
export function packetPathLen(p: McPacket): number {
  return encodePathLen(p.pathHashSize, p.path.length / p.pathHashSize);
}

/** Packet::isRouteFlood. */
export function isFloodRx(rx: ReceivedPacket): boolean {
  return rx.packet.routeType === ROUTE_TYPE.FLOOD || rx.packet.routeType === ROUTE_TYPE.TRANSPORT_FLOOD;
}
