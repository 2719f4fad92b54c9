/**
 * How the repeater sends an answer back (src/helpers/RoutingPolicy.h chooseReplyRoute / chooseReplyScope and
 * MyMesh::sendFloodReply / sendFloodScoped): a flooded request is answered by a PATH return (the in-path, so the
 * client learns the way here) flooded back; a direct one along the path the request supplied, else the client's
 * stored out path, else by flood. A flood goes in the request's region scope when it came scoped and we know the
 * region, unscoped when it came unscoped, else in our default scope when we have one.
 */
import type { McPath } from '../mesh/mesh-handler.js';
import type { MeshCoreMesh } from '../mesh/mesh-api.js';
import { isFlood, type McPacket, type PathHashSize } from '../ota/packet.js';
import type { RegionEntry, RegionMap } from './region-map.js';
import { regionTransportCodes } from '../ota/transport-code.js';

/** TransportKey::isNull (src/helpers/TransportKeyStore.cpp): no key, or all zeroes, means "no scope". */
export function isNullKey(key: Uint8Array | undefined): boolean {
  return !key || key.every((b) => b === 0);
}

export type ReplyRoute = 'path-return' | 'direct-supplied' | 'direct-out-path' | 'flood';

export function chooseReplyRoute(inboundIsFlood: boolean, haveSuppliedPath: boolean, haveOutPath: boolean): ReplyRoute {
  if (inboundIsFlood) return 'path-return';
  if (haveSuppliedPath) return 'direct-supplied';
  if (haveOutPath) return 'direct-out-path';
  return 'flood';
}

export type ReplyScope = 'request' | 'default' | 'none';

export function chooseReplyScope(requestScopeKnown: boolean, requestWasUnscopedFlood: boolean, defaultScopeKnown: boolean): ReplyScope {
  if (requestScopeKnown) return 'request';
  if (requestWasUnscopedFlood) return 'none';
  if (defaultScopeKnown) return 'default';
  return 'none';
}

/** MyMesh::sendFloodScoped: a null scope floods unscoped, else TRANSPORT_FLOOD with code0 from the key. */
export function sendFloodScoped(mesh: MeshCoreMesh, scope: Uint8Array | undefined, packet: McPacket, delayMs: number, pathHashSize: PathHashSize): void {
  if (isNullKey(scope)) {
    mesh.sendFlood(packet, { delayMs, pathHashSize });
  } else {
    mesh.sendFlood(packet, { delayMs, pathHashSize, transportCodes: regionTransportCodes(scope as Uint8Array, packet) });
  }
}

/**
 * MyMesh::sendFloodReply. `requestRegion` is the region the request arrived in (forwarding-policy floodRegion;
 * null for a direct request or an unknown code).
 */
export function sendFloodReply(
  mesh: MeshCoreMesh,
  regions: RegionMap,
  requestRegion: RegionEntry | null,
  defaultScope: Uint8Array | undefined,
  packet: McPacket,
  delayMs: number,
  pathHashSize: PathHashSize,
): void {
  const isWildcard = requestRegion !== null && requestRegion.id === 0;
  const reqKeys = requestRegion !== null && !isWildcard ? regions.transportKeysFor(requestRegion) : [];
  switch (chooseReplyScope(reqKeys.length > 0, isWildcard, !isNullKey(defaultScope))) {
    case 'request':
      return sendFloodScoped(mesh, reqKeys[0], packet, delayMs, pathHashSize);
    case 'default':
      return sendFloodScoped(mesh, defaultScope, packet, delayMs, pathHashSize);
    case 'none':
      return sendFloodScoped(mesh, undefined, packet, delayMs, pathHashSize);
  }
}

/** The flood's accumulated path, as createPathReturn takes it. */
export function inPath(packet: McPacket): McPath {
  return { hashSize: packet.pathHashSize, bytes: packet.path };
}

export { isFlood };
