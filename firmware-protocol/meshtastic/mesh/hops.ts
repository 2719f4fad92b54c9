/**
 * Node-number and hop helpers the firmware uses everywhere in routing (src/mesh/NodeDB.cpp isBroadcast, getHopsAway,
 * getLastByteOfNodeNum; src/mesh/MeshTypes.h constants).
 */
import type { Mesh } from '@meshtastic/protobufs';

export const NODENUM_BROADCAST = 0xffffffff;
/** MeshTypes.h NODENUM_BROADCAST_NO_LORA: broadcast to the phone/API only, never on air. */
export const NODENUM_BROADCAST_NO_LORA = 1;
/** MeshTypes.h NO_NEXT_HOP_PREFERENCE / NO_RELAY_NODE. */
export const NO_NEXT_HOP_PREFERENCE = 0;
export const NO_RELAY_NODE = 0;
/** MeshTypes.h HOP_MAX; config.lora.hop_limit default (Default.h HOP_RELIABLE). */
export const HOP_MAX = 7;
export const DEFAULT_HOP_LIMIT = 3;

/** NodeDB.cpp isBroadcast. */
export function isBroadcast(to: number): boolean {
  return to === NODENUM_BROADCAST || to === NODENUM_BROADCAST_NO_LORA;
}

/** NodeDB::getLastByteOfNodeNum: the byte carried in relay_node / next_hop (0 is reserved for "none", so 0 → 0xFF). */
export function lastByteOfNodeNum(num: number): number {
  const b = num & 0xff;
  return b === 0 ? 0xff : b;
}

/**
 * NodeDB.cpp getHopsAway: hops travelled = hop_start − hop_limit; unknown (defaultIfUnknown) when hop_start is 0 and the
 * Data has no bitfield (firmware < 2.3), or when hop_limit > hop_start.
 */
export function getHopsAway(p: Mesh.MeshPacket, defaultIfUnknown = -1): number {
  const hasBitfield = p.payloadVariant.case === 'decoded' && p.payloadVariant.value.bitfield !== undefined;
  if (p.hopStart === 0 && !hasBitfield) return defaultIfUnknown;
  if (p.hopStart < p.hopLimit) return defaultIfUnknown;
  return p.hopStart - p.hopLimit;
}
