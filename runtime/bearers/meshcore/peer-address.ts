/**
 * MeshCore peer ids (runtime/bearer/bearer.ts): `mc:<hex>` is a contact by public key (64 hex) or by the 6-byte
 * prefix the firmware reports in DMs (12 hex; any even length ≥ 2 is accepted and matched as a prefix),
 * `mc:ch:<index>` a channel slot on the radio.
 */
import { MeshCoreAddressError } from './errors.js';

export type MeshCoreAddress = { kind: 'contact'; key: Uint8Array; hex: string } | { kind: 'channel'; index: number };

export function isMeshCorePeer(peer: string): boolean {
  return peer.startsWith('mc:');
}

export function parseMeshCorePeer(peer: string): MeshCoreAddress {
  if (!peer.startsWith('mc:')) throw new MeshCoreAddressError(peer, 'missing the mc: prefix');
  const rest = peer.slice(3);
  if (rest.startsWith('ch:')) {
    const n = rest.slice(3);
    if (!/^\d{1,3}$/.test(n) || Number(n) > 255) throw new MeshCoreAddressError(peer, 'channel index must be 0..255');
    return { kind: 'channel', index: Number(n) };
  }
  const hex = rest.toLowerCase();
  if (!/^([0-9a-f]{2}){1,32}$/.test(hex)) throw new MeshCoreAddressError(peer, 'contact must be 2..64 hex characters of its public key');
  return { kind: 'contact', key: Uint8Array.from(Buffer.from(hex, 'hex')), hex };
}

export function contactPeer(hexKey: string): string {
  return `mc:${hexKey.toLowerCase()}`;
}

export function channelPeer(index: number): string {
  return `mc:ch:${index}`;
}
