/**
 * Lattice v2 link keys and MACs (HMAC-SHA256 truncated; node:crypto).
 *
 * - hop key of two neighbours = HKDF-SHA256(X25519(a, b), salt = the two node ids in byte order, info =
 *   "lattice/lora2/hop"): symmetric, static; the 4-byte hop MAC over a unicast frame (from and to hints included, so
 *   a frame cannot be turned around) authenticates the transmitting neighbour to the addressee.
 * - group key = HKDF-SHA256(ikm = the channel PSK, info = "lattice/lora2/group"): the 6-byte group tag over a link
 *   broadcast frame proves the transmitter holds the PSK (a Meshtastic channel proves nothing; MeshCore's is 2 bytes).
 *   The default PSK is public ("lattice"), so the default group tag only stops corruption and foreign meshes: set a
 *   private `groupKey` for a closed group.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Identity } from '../../../identity/identity.js';

export const DEFAULT_GROUP_PSK = new TextEncoder().encode('lattice');

export function hopKey(identity: Identity, neighbour: Uint8Array): Uint8Array {
  const [a, b] = Buffer.compare(identity.nodeId, neighbour) <= 0 ? [identity.nodeId, neighbour] : [neighbour, identity.nodeId];
  return new Uint8Array(hkdfSync('sha256', identity.sharedSecret(neighbour), Buffer.concat([a, b]), 'lattice/lora2/hop', 32));
}

export function groupKey(psk: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', psk, new Uint8Array(0), 'lattice/lora2/group', 32));
}

export function mac(key: Uint8Array, bytes: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(bytes).digest().subarray(0, length));
}

export function macEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
