/**
 * The ACK payload (Mesh::createAck; BaseChatMesh::onPeerDataRecv): v1.17 sends 6 bytes, the 4-byte ACK code
 * (u32 LE, textAckCode) · the extended attempt byte (the byte after the text's NUL, 0 for attempts 0-3) · one random
 * byte, so repeated ACKs hash differently; receivers match the first 4 bytes only (older firmware sends just 4).
 * The same 6 bytes ride as the `extra` of a PATH return (extra_type ACK).
 */
import { need, view } from './app-data-errors.js';

export function encodeAck(code: number, extAttempt: number, random: number): Uint8Array {
  const out = new Uint8Array(6);
  view(out).setUint32(0, code >>> 0, true);
  out[4] = extAttempt & 0xff;
  out[5] = random & 0xff;
  return out;
}

/** The ACK code of an ACK payload (or PATH extra): its first 4 bytes. */
export function decodeAckCode(payload: Uint8Array): number {
  need('ack', payload, 4);
  return view(payload).getUint32(0, true);
}
