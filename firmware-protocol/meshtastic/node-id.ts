/**
 * Meshtastic node numbers and their text forms. A node is a uint32 (`MeshPacket.from`), shown as `!` + 8 lowercase
 * hex digits (firmware PhoneAPI.cpp: `sprintf(user.id, "!%08x", num)`). 0xFFFFFFFF is broadcast (NODENUM_BROADCAST).
 */
import { MeshtasticBadAddressError } from './errors.js';

export const NODENUM_BROADCAST = 0xffffffff;
/** firmware src/mesh/MeshTypes.h MAX_NUM_CHANNELS */
export const MAX_NUM_CHANNELS = 8;

export function nodeIdString(num: number): string {
  return `!${(num >>> 0).toString(16).padStart(8, '0')}`;
}

export function parseNodeId(id: string): number | undefined {
  const m = /^!([0-9a-fA-F]{8})$/.exec(id);
  if (!m) return undefined;
  const n = Number.parseInt(m[1]!, 16);
  return n === 0 || n === NODENUM_BROADCAST ? undefined : n;
}

export type MeshtasticAddress = { kind: 'node'; num: number } | { kind: 'channel'; index: number };

/** Parses the bearer address forms `mt:!a1b2c3d4` and `mt:ch:<index>`. */
export function parseMeshtasticAddress(peer: string): MeshtasticAddress {
  if (peer.startsWith('mt:ch:')) {
    const s = peer.slice(6);
    const index = /^[0-7]$/.test(s) ? Number(s) : NaN;
    if (Number.isNaN(index)) throw new MeshtasticBadAddressError(peer);
    return { kind: 'channel', index };
  }
  if (peer.startsWith('mt:')) {
    const num = parseNodeId(peer.slice(3));
    if (num === undefined) throw new MeshtasticBadAddressError(peer);
    return { kind: 'node', num };
  }
  throw new MeshtasticBadAddressError(peer);
}

export function nodeAddress(num: number): string {
  return `mt:${nodeIdString(num)}`;
}

export function channelAddress(index: number): string {
  return `mt:ch:${index}`;
}
