/**
 * Whether the repeater forwards a packet, and after what delay: MyMesh::allowPacketForward, isLooped,
 * getRetransmitDelay / getDirectRetransmitDelay (examples/simple_repeater/MyMesh.cpp), the hop limits of
 * src/helpers/RoutingPolicy.h isFloodHopLimitExceeded, and the region of a received flood (MyMesh::onRecvPacket:
 * TRANSPORT_FLOOD by transport code among regions that allow floods; FLOOD the wildcard unless `denyf *`). Pure.
 */
import { isFlood, PAYLOAD_TYPE, ROUTE_TYPE, type McPacket } from '../ota/packet.js';
import { LOOP_DETECT, type RepeaterPrefs } from './prefs.js';
import { REGION_DENY_FLOOD, type RegionEntry, type RegionMap } from './region-map.js';

/** Why a packet is not forwarded (metric label). */
export type ForwardRefusal = 'disabled' | 'flood-max' | 'flood-max-unscoped' | 'flood-max-advert' | 'region' | 'loop';

/** max_loop_minimal / moderate / strict, indexed by hash size (1..3). */
const MAX_LOOP: Record<number, readonly number[]> = {
  [LOOP_DETECT.MINIMAL]: [0, 4, 2, 1],
  [LOOP_DETECT.MODERATE]: [0, 2, 1, 1],
  [LOOP_DETECT.STRICT]: [0, 1, 1, 1],
};

/** MyMesh::onRecvPacket's recv_pkt_region: the region a flood belongs to, or null (not forwardable). */
export function floodRegion(regions: RegionMap, packet: McPacket): RegionEntry | null {
  if (packet.routeType === ROUTE_TYPE.TRANSPORT_FLOOD) return regions.findMatch(packet, REGION_DENY_FLOOD);
  if (packet.routeType === ROUTE_TYPE.FLOOD) return regions.wildcard.flags & REGION_DENY_FLOOD ? null : regions.wildcard;
  return null;
}

/** RoutingPolicy.h isFloodHopLimitExceeded, with which limit it was. */
export function floodHopLimit(packet: McPacket, prefs: Pick<RepeaterPrefs, 'floodMax' | 'floodMaxUnscoped' | 'floodMaxAdvert'>): ForwardRefusal | undefined {
  const hops = packet.path.length / packet.pathHashSize;
  if (hops >= prefs.floodMax) return 'flood-max';
  if (packet.routeType === ROUTE_TYPE.FLOOD && hops >= prefs.floodMaxUnscoped) return 'flood-max-unscoped';
  if (packet.payloadType === PAYLOAD_TYPE.ADVERT && hops >= prefs.floodMaxAdvert) return 'flood-max-advert';
  return undefined;
}

/** MyMesh::isLooped: how often our own hash is in the path already, against the level's maximum for its size. */
export function isLooped(packet: McPacket, selfPublicKey: Uint8Array, level: number): boolean {
  const max = MAX_LOOP[level];
  if (!max) return false;
  const size = packet.pathHashSize;
  let n = 0;
  for (let o = 0; o + size <= packet.path.length; o += size) {
    let match = true;
    for (let k = 0; k < size; k++) if (packet.path[o + k] !== selfPublicKey[k]) match = false;
    if (match) n++;
  }
  return n >= max[size];
}

/**
 * MyMesh::allowPacketForward. `region` is the received flood's region (floodRegion); undefined when the caller did
 * not work it out (only floods need it).
 */
export function forwardRefusal(
  packet: McPacket,
  prefs: RepeaterPrefs,
  region: RegionEntry | null,
  selfPublicKey: Uint8Array,
): ForwardRefusal | undefined {
  if (prefs.disableFwd) return 'disabled';
  if (!isFlood(packet)) return undefined;
  const limit = floodHopLimit(packet, prefs);
  if (limit) return limit;
  if (region === null) return 'region';
  if (prefs.loopDetect !== LOOP_DETECT.OFF && isLooped(packet, selfPublicKey, prefs.loopDetect)) return 'loop';
  return undefined;
}

/**
 * getRetransmitDelay / getDirectRetransmitDelay: t = airtime(path + payload + 2 bytes) × factor (truncated to an
 * integer as the firmware's uint32_t), then RNG nextInt(0, 5t + 1), i.e. uniform in [0, 5t].
 */
export function retransmitDelayMs(airtimeMs: number, factor: number, random: () => number): number {
  const t = Math.trunc(Math.fround(Math.trunc(airtimeMs) * Math.fround(factor)));
  return Math.floor(random() * (5 * t + 1));
}
