/**
 * Region scope keys and transport codes (src/helpers/TransportKeyStore.cpp). A public ("#name") region's key is
 * SHA-256 of its name with the '#', first 16 bytes (TransportKeyStore::getAutoKeyFor); a packet's transport code is
 * HMAC-SHA256(key, payload_type ‖ payload), first 2 bytes as u16 LE, with 0000 and FFFF reserved
 * (TransportKey::calcTransportCode). Private ("$name") regions take keys from a hardware key store the v1.17.1
 * firmware does not implement yet (loadKeysFor finds none), so they never match; so here.
 */
import { createHash, createHmac } from 'node:crypto';
import type { McPacket } from '../ota/packet.js';

export type TransportKey = Uint8Array;

const autoKeys = new Map<string, TransportKey>();

/** getAutoKeyFor: SHA-256(name)[0..16] (cached: names are few). */
export function autoTransportKey(hashtagName: string): TransportKey {
  let k = autoKeys.get(hashtagName);
  if (!k) {
    k = new Uint8Array(createHash('sha256').update(hashtagName, 'utf8').digest().subarray(0, 16));
    if (autoKeys.size > 256) autoKeys.clear();
    autoKeys.set(hashtagName, k);
  }
  return k;
}

/** TransportKey::calcTransportCode. */
export function transportCode(key: TransportKey, packet: Pick<McPacket, 'payloadType' | 'payload'>): number {
  const mac = createHmac('sha256', key).update(Uint8Array.of(packet.payloadType & 0x0f)).update(packet.payload).digest();
  let code = mac[0] | (mac[1] << 8);
  if (code === 0) code = 1;
  else if (code === 0xffff) code = 0xfffe;
  return code;
}

/** TransportKey::isNull. */
export function isNullKey(key: TransportKey | undefined): boolean {
  return !key || key.every((b) => b === 0);
}
