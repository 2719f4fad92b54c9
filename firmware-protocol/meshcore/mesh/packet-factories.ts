/**
 * The packet factories of src/Mesh.cpp (createAdvert, createDatagram, createAnonDatagram, createGroupDatagram,
 * createAck, createMultiAck, createPathReturn, createRawData, createTrace, createControlData) with the firmware's
 * layouts and limits. Where the firmware returns NULL we throw a named error (./errors.ts, ../ota/errors.ts). The
 * route is set by the send call (Mesh::sendFlood / sendDirect / sendZeroHop), as the firmware's "ROUTE_TYPE_* is set
 * later": a fresh packet is FLOOD with an empty 1-byte-hash path.
 */
import { encryptThenMac } from '../ota/cipher.js';
import { MeshCorePacketTooLargeError } from '../ota/errors.js';
import type { LocalIdentity } from '../ota/identity.js';
import {
  CIPHER_BLOCK_SIZE,
  CIPHER_MAC_SIZE,
  MAX_ADVERT_DATA_SIZE,
  MAX_PACKET_PAYLOAD,
  PAYLOAD_TYPE,
  PUB_KEY_SIZE,
  ROUTE_TYPE,
  SIGNATURE_SIZE,
  encodePathLen,
  type McPacket,
} from '../ota/packet.js';
import { MeshCoreInvalidPayloadTypeError } from './errors.js';
import type { GroupChannelKey, McPath } from './mesh-handler.js';

/** Mesh.cpp MAX_COMBINED_PATH: what a PATH payload may carry besides its header and one cipher block. */
export const MAX_COMBINED_PATH = MAX_PACKET_PAYLOAD - 2 - CIPHER_BLOCK_SIZE;

export interface FactoryContext {
  identity: LocalIdentity;
  rtcSeconds(): number;
  random(): number;
}

export function newPacket(payloadType: number, payload: Uint8Array): McPacket {
  return { routeType: ROUTE_TYPE.FLOOD, payloadType, version: 0, transportCodes: [0, 0], pathHashSize: 1, path: new Uint8Array(0), payload };
}

function u32le(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff;
  out[at + 1] = (v >>> 8) & 0xff;
  out[at + 2] = (v >>> 16) & 0xff;
  out[at + 3] = (v >>> 24) & 0xff;
}

/** The signed message of an advert: pub_key ‖ timestamp u32 LE ‖ app_data (Mesh::createAdvert, onRecvPacket). */
export function advertMessage(publicKey: Uint8Array, timestamp: number, appData: Uint8Array): Uint8Array {
  const m = new Uint8Array(PUB_KEY_SIZE + 4 + appData.length);
  m.set(publicKey.subarray(0, PUB_KEY_SIZE));
  u32le(m, PUB_KEY_SIZE, timestamp >>> 0);
  m.set(appData, PUB_KEY_SIZE + 4);
  return m;
}

/** Mesh::createAdvert: pub_key(32) · timestamp(4) · signature(64) · app_data(≤ 32). */
export function createAdvert(ctx: FactoryContext, appData: Uint8Array): McPacket {
  if (appData.length > MAX_ADVERT_DATA_SIZE) throw new MeshCorePacketTooLargeError('advert app data', appData.length, MAX_ADVERT_DATA_SIZE);
  const ts = Math.floor(ctx.rtcSeconds()) >>> 0;
  const sig = ctx.identity.sign(advertMessage(ctx.identity.publicKey, ts, appData));
  const p = new Uint8Array(PUB_KEY_SIZE + 4 + SIGNATURE_SIZE + appData.length);
  p.set(ctx.identity.publicKey.subarray(0, PUB_KEY_SIZE));
  u32le(p, PUB_KEY_SIZE, ts);
  p.set(sig.subarray(0, SIGNATURE_SIZE), PUB_KEY_SIZE + 4);
  p.set(appData, PUB_KEY_SIZE + 4 + SIGNATURE_SIZE);
  return newPacket(PAYLOAD_TYPE.ADVERT, p);
}

/** Mesh::createDatagram: dest_hash · src_hash · MAC · ciphertext, for TXT_MSG / REQ / RESPONSE only. */
export function createDatagram(ctx: FactoryContext, type: number, destPublicKey: Uint8Array, secret: Uint8Array, data: Uint8Array): McPacket {
  if (type !== PAYLOAD_TYPE.TXT_MSG && type !== PAYLOAD_TYPE.REQ && type !== PAYLOAD_TYPE.RESPONSE) {
    throw new MeshCoreInvalidPayloadTypeError('createDatagram', type);
  }
  const limit = MAX_PACKET_PAYLOAD - CIPHER_MAC_SIZE - (CIPHER_BLOCK_SIZE - 1);
  if (data.length > limit) throw new MeshCorePacketTooLargeError('datagram data', data.length, limit);
  return newPacket(type, concat(Uint8Array.of(destPublicKey[0], ctx.identity.publicKey[0]), encryptThenMac(secret, data)));
}

/** Mesh::createAnonDatagram: dest_hash · sender pub_key(32) · MAC · ciphertext, ANON_REQ only. */
export function createAnonDatagram(ctx: FactoryContext, type: number, destPublicKey: Uint8Array, secret: Uint8Array, data: Uint8Array): McPacket {
  if (type !== PAYLOAD_TYPE.ANON_REQ) throw new MeshCoreInvalidPayloadTypeError('createAnonDatagram', type);
  const limit = MAX_PACKET_PAYLOAD - 1 - PUB_KEY_SIZE - (CIPHER_BLOCK_SIZE - 1);
  if (data.length > limit) throw new MeshCorePacketTooLargeError('anonymous datagram data', data.length, limit);
  const head = new Uint8Array(1 + PUB_KEY_SIZE);
  head[0] = destPublicKey[0];
  head.set(ctx.identity.publicKey.subarray(0, PUB_KEY_SIZE), 1);
  return newPacket(type, concat(head, encryptThenMac(secret, data)));
}

/** Mesh::createGroupDatagram: channel_hash · MAC · ciphertext, GRP_TXT / GRP_DATA only. */
export function createGroupDatagram(type: number, channel: GroupChannelKey, data: Uint8Array): McPacket {
  if (type !== PAYLOAD_TYPE.GRP_TXT && type !== PAYLOAD_TYPE.GRP_DATA) throw new MeshCoreInvalidPayloadTypeError('createGroupDatagram', type);
  const limit = MAX_PACKET_PAYLOAD - 1 - (CIPHER_BLOCK_SIZE - 1);
  if (data.length > limit) throw new MeshCorePacketTooLargeError('group datagram data', data.length, limit);
  return newPacket(type, concat(Uint8Array.of(channel.hash & 0xff), encryptThenMac(channel.secret, data)));
}

/** The ACK bytes: a CRC as u32 LE, or the given 4 or 6 bytes (v1.17 6-byte ACKs carry 2 more). */
export function ackBytes(ack: number | Uint8Array): Uint8Array {
  if (typeof ack === 'number') {
    const b = new Uint8Array(4);
    u32le(b, 0, ack >>> 0);
    return b;
  }
  if (ack.length !== 4 && ack.length !== 6) throw new RangeError(`an ACK is 4 or 6 bytes, got ${ack.length}`);
  return ack.slice();
}

/** Mesh::createAck. */
export function createAck(ack: number | Uint8Array): McPacket {
  return newPacket(PAYLOAD_TYPE.ACK, ackBytes(ack));
}

/** Mesh::createMultiAck: (remaining << 4 | ACK) · ack bytes, as a MULTIPART. */
export function createMultiAck(ack: number | Uint8Array, remaining: number): McPacket {
  const a = ackBytes(ack);
  const p = new Uint8Array(1 + a.length);
  p[0] = ((remaining & 0x0f) << 4) | PAYLOAD_TYPE.ACK;
  p.set(a, 1);
  return newPacket(PAYLOAD_TYPE.MULTIPART, p);
}

/**
 * Mesh::createPathReturn: dest_hash · src_hash · MAC · enc(path_len · path · extra_type · extra). With no extra the
 * firmware adds a dummy type 0xFF and 4 random bytes so that each return has its own packet hash.
 */
export function createPathReturn(ctx: FactoryContext, destPublicKeyOrHash: Uint8Array, secret: Uint8Array, path: McPath, extraType: number, extra: Uint8Array): McPacket {
  const need = path.bytes.length + extra.length + 5;
  if (need > MAX_COMBINED_PATH) throw new MeshCorePacketTooLargeError('path return', need, MAX_COMBINED_PATH);
  if (path.bytes.length % path.hashSize !== 0) throw new RangeError(`path of ${path.bytes.length} bytes is not a whole number of ${path.hashSize}-byte hashes`);
  const count = path.bytes.length / path.hashSize;
  const data = new Uint8Array(1 + path.bytes.length + 1 + (extra.length > 0 ? extra.length : 4));
  let k = 0;
  data[k++] = encodePathLen(path.hashSize, count);
  data.set(path.bytes, k);
  k += path.bytes.length;
  if (extra.length > 0) {
    data[k++] = extraType;
    data.set(extra, k);
  } else {
    data[k++] = 0xff;
    for (let j = 0; j < 4; j++) data[k++] = Math.floor(ctx.random() * 256) & 0xff;
  }
  return newPacket(PAYLOAD_TYPE.PATH, concat(Uint8Array.of(destPublicKeyOrHash[0], ctx.identity.publicKey[0]), encryptThenMac(secret, data)));
}

/** Mesh::createRawData: RAW_CUSTOM with the bytes as they are. */
export function createRawData(data: Uint8Array): McPacket {
  if (data.length > MAX_PACKET_PAYLOAD) throw new MeshCorePacketTooLargeError('raw data', data.length, MAX_PACKET_PAYLOAD);
  return newPacket(PAYLOAD_TYPE.RAW_CUSTOM, data.slice());
}

/** Mesh::createTrace: tag u32 · auth_code u32 · flags; the hashes to visit are appended by sendDirect. */
export function createTrace(tag: number, authCode: number, flags: number): McPacket {
  const p = new Uint8Array(9);
  u32le(p, 0, tag >>> 0);
  u32le(p, 4, authCode >>> 0);
  p[8] = flags & 0xff;
  return newPacket(PAYLOAD_TYPE.TRACE, p);
}

/** Mesh::createControlData. */
export function createControlData(data: Uint8Array): McPacket {
  if (data.length > MAX_PACKET_PAYLOAD) throw new MeshCorePacketTooLargeError('control data', data.length, MAX_PACKET_PAYLOAD);
  return newPacket(PAYLOAD_TYPE.CONTROL, data.slice());
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
