/**
 * Region scopes for floods the chat node originates (src/helpers/TransportKeyStore.cpp TransportKey): the transport
 * code of a packet is HMAC-SHA256(key16, payload_type ‖ payload)[0..2] read as a u16 LE, with 0000 and FFFF
 * reserved (moved to 0001 / FFFE). A null (all-zero) key means "unscoped".
 */
import { createHmac } from 'node:crypto';
import type { McPacket } from '../ota/packet.js';

export function isNullScopeKey(key: Uint8Array): boolean {
  return key.every((b) => b === 0);
}

/** TransportKey::calcTransportCode. */
export function transportCode(key: Uint8Array, packet: Pick<McPacket, 'payloadType' | 'payload'>): number {
  const mac = createHmac('sha256', key.subarray(0, 16)).update(Uint8Array.of(packet.payloadType)).update(packet.payload).digest();
  let code = mac[0] | (mac[1] << 8);
  if (code === 0) code = 1;
  else if (code === 0xffff) code = 0xfffe;
  return code;
}
