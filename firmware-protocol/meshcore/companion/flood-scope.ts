/**
 * Region scopes for floods the chat node originates (src/helpers/TransportKeyStore.cpp TransportKey): the transport
 * code of a packet is HMAC-SHA256(key16, payload_type ‖ payload)[0..2] read as a u16 LE, with 0000 and FFFF
 * reserved (moved to 0001 / FFFE). A null (all-zero) key means "unscoped".
 */
import { transportCode as otaTransportCode } from '../ota/transport-code.js';
import type { McPacket } from '../ota/packet.js';

export function isNullScopeKey(key: Uint8Array): boolean {
  return key.every((b) => b === 0);
}

/** TransportKey::calcTransportCode (../ota/transport-code.ts). */
export function transportCode(key: Uint8Array, packet: Pick<McPacket, 'payloadType' | 'payload'>): number {
  return otaTransportCode(key.subarray(0, 16), packet.payloadType, packet.payload);
}
