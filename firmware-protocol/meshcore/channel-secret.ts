/**
 * Channel secrets. The firmware stores whatever 16-byte secret the app sets (CMD_SET_CHANNEL); the derivations are
 * app conventions documented in meshcore-dev/MeshCore:docs/companion_protocol.md "Channel Types":
 * hashtag channel `#name` → first 16 bytes of SHA-256("#name") (`#test` → 9cd8fcf22a47333b591d96a2b848b73f).
 * Slot 0 is pre-seeded by the firmware as "Public" with PUBLIC_GROUP_PSK (MyMesh::begin).
 */
import { createHash } from 'node:crypto';
import { PUBLIC_CHANNEL_SECRET_HEX } from './codes.js';
import { encodeUtf8, fromHex } from './bytes.js';

export function hashtagChannelSecret(name: string): Uint8Array {
  const tag = name.startsWith('#') ? name : `#${name}`;
  if (tag.length < 2) throw new RangeError('hashtag channel name is empty');
  return new Uint8Array(createHash('sha256').update(encodeUtf8(tag)).digest().subarray(0, 16));
}

export const PUBLIC_CHANNEL_SECRET: Uint8Array = fromHex(PUBLIC_CHANNEL_SECRET_HEX);

/** The on-air channel hash byte: SHA-256(secret16)[0] (BaseChatMesh::setChannel, 128-bit keys). */
export function channelHash(secret: Uint8Array): number {
  return createHash('sha256').update(secret.subarray(0, 16)).digest()[0];
}

/** Region (flood scope) key for `#name`: SHA-256("#name")[0..16] (TransportKeyStore::getAutoKeyFor). */
export function regionScopeKey(name: string): Uint8Array {
  const tag = name.startsWith('#') ? name : `#${name}`;
  return new Uint8Array(createHash('sha256').update(encodeUtf8(tag)).digest().subarray(0, 16));
}
