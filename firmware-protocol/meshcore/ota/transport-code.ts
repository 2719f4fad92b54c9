/**
 * Region scopes by transport code (src/helpers/TransportKeyStore.cpp TransportKey::calcTransportCode,
 * src/helpers/RegionMap.cpp getTransportKeysFor / findMatch): the region key is SHA-256("#name")[0..16] ('#' is
 * added when the name lacks it: "implicit auto hashtag region"); a packet's code0 is
 * HMAC-SHA256(key, payload_type ‖ payload)[0..2] read as a u16 LE, with 0x0000 → 0x0001 and 0xFFFF → 0xFFFE (both
 * reserved). code1 is not computed by v1.17.1 (0 on air). '$' private regions load keys from a store the firmware
 * leaves empty (TransportKeyStore::loadKeysFor: TODO), so they never match; we refuse to derive a key for them.
 */
import { createHmac } from 'node:crypto';
import { regionScopeKey } from '../channel-secret.js';
import type { McPacket } from './packet.js';
import { hasTransportCodes } from './packet.js';

export { regionScopeKey };

/** TransportKey::calcTransportCode over (payload type, payload). */
export function transportCode(regionKey: Uint8Array, payloadType: number, payload: Uint8Array): number {
  const mac = createHmac('sha256', regionKey).update(Uint8Array.of(payloadType & 0x0f)).update(payload).digest();
  const code = mac[0] | (mac[1] << 8);
  if (code === 0x0000) return 0x0001;
  if (code === 0xffff) return 0xfffe;
  return code;
}

/** The region key of a hashtag region name ('#de' or 'de'); RangeError for '*', '$private' and empty names. */
export function regionKeyFor(name: string): Uint8Array {
  if (name === '' || name === '#') throw new RangeError('region name is empty');
  if (name === '*') throw new RangeError("'*' is the wildcard region (unscoped floods), it has no key");
  if (name.startsWith('$')) throw new RangeError(`'${name}' is a private region: its key is not derived from the name`);
  return regionScopeKey(name);
}

/** The transport codes a packet sent into a region carries: [code0, 0] (Mesh::sendFlood with transport codes). */
export function regionTransportCodes(regionKey: Uint8Array, p: Pick<McPacket, 'payloadType' | 'payload'>): [number, number] {
  return [transportCode(regionKey, p.payloadType, p.payload), 0];
}

/**
 * RegionMap::findMatch for one key: the packet carries transport codes and its code0 is the region's code.
 * A packet without transport codes (routes FLOOD/DIRECT) matches no region key (only the '*' wildcard).
 */
export function matchesRegion(regionKey: Uint8Array, p: Pick<McPacket, 'routeType' | 'payloadType' | 'payload' | 'transportCodes'>): boolean {
  if (!hasTransportCodes(p.routeType)) return false;
  return p.transportCodes[0] === transportCode(regionKey, p.payloadType, p.payload);
}
