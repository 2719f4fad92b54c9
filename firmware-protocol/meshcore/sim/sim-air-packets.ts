/**
 * Real on-air MeshCore packets for the simulator's PUSH_CODE_LOG_RX_DATA (the firmware pushes every packet it
 * decodes, MyMesh::logRxRaw), so a host sniffing 0x88 sees what a real radio would show.
 * Layout: src/Packet.cpp (header · path_len · path · payload); crypto: src/Utils.cpp encryptThenMAC
 * (AES-128-ECB, key = secret[0..16], zero padded; MAC = HMAC-SHA256(secret[0..32], ciphertext)[0..2]);
 * adverts: src/Mesh.cpp createAdvert (Ed25519 over pk ‖ ts ‖ appdata), AdvertDataHelpers (flags · name).
 * DM secret: ed25519_key_exchange = X25519(SHA-512(seed)[0..32], montgomery(peer pk)).
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { encodeUtf8 } from '../bytes.js';

export const PAYLOAD_TYPE = { TXT_MSG: 0x02, ACK: 0x03, ADVERT: 0x04, GRP_TXT: 0x05 } as const;
export const ROUTE_TYPE = { FLOOD: 0x01, DIRECT: 0x02 } as const;

/** An identity the simulator can sign and exchange keys with (the firmware keeps only the expanded key). */
export interface SimIdentity {
  seed: Uint8Array;
  publicKey: Uint8Array;
}

export function newSimIdentity(): SimIdentity {
  // MyMesh::begin regenerates identities whose first byte is 0x00 or 0xFF (reserved path hashes).
  for (;;) {
    const seed = new Uint8Array(randomBytes(32));
    const publicKey = ed25519.getPublicKey(seed);
    if (publicKey[0] !== 0x00 && publicKey[0] !== 0xff) return { seed, publicKey };
  }
}

function packet(payloadType: number, route: number, hops: number, payload: Uint8Array): Uint8Array {
  const h = Math.min(hops, 63);
  const out = new Uint8Array(2 + h + payload.length);
  out[0] = (payloadType << 2) | route;
  out[1] = h; // 1-byte path hashes: bits 6-7 = 0
  out.set(randomBytes(h), 2); // hashes of the repeaters the flood passed
  out.set(payload, 2 + h);
  return out;
}

export function encryptThenMac(secret: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const padded = new Uint8Array(Math.ceil(plaintext.length / 16) * 16 || 16);
  padded.set(plaintext);
  const c = createCipheriv('aes-128-ecb', secret.subarray(0, 16), null);
  c.setAutoPadding(false);
  const ct = Buffer.concat([c.update(padded), c.final()]);
  const key32 = new Uint8Array(32);
  key32.set(secret.subarray(0, 32));
  const mac = createHmac('sha256', key32).update(ct).digest().subarray(0, 2);
  return new Uint8Array(Buffer.concat([mac, ct]));
}

function tsText(ts: number, flags: number, text: Uint8Array): Uint8Array {
  const p = new Uint8Array(5 + text.length);
  new DataView(p.buffer).setUint32(0, ts >>> 0, true);
  p[4] = flags;
  p.set(text, 5);
  return p;
}

/** GRP_TXT: channel_hash · MAC · enc(ts · 0 · "<name>: <text>") (BaseChatMesh::sendGroupMessage, no NUL). */
export function grpTxtPacket(secret16: Uint8Array, senderTimestamp: number, text: string, hops: number): Uint8Array {
  const hash = createHash('sha256').update(secret16.subarray(0, 16)).digest()[0];
  const enc = encryptThenMac(secret16, tsText(senderTimestamp, 0, encodeUtf8(text)));
  const payload = new Uint8Array(1 + enc.length);
  payload[0] = hash;
  payload.set(enc, 1);
  return packet(PAYLOAD_TYPE.GRP_TXT, ROUTE_TYPE.FLOOD, hops, payload);
}

export function sharedSecret(self: SimIdentity, peerPublicKey: Uint8Array): Uint8Array {
  return x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(self.seed), ed25519.utils.toMontgomery(peerPublicKey));
}

/** TXT_MSG: dest_hash · src_hash · MAC · enc(ts · attempt&3 · text) (BaseChatMesh::composeMsgPacket). */
export function txtMsgPacket(from: SimIdentity, to: Uint8Array, senderTimestamp: number, attempt: number, text: string, hops: number, flood: boolean): Uint8Array {
  const enc = encryptThenMac(sharedSecret(from, to), tsText(senderTimestamp, attempt & 3, encodeUtf8(text)));
  const payload = new Uint8Array(2 + enc.length);
  payload[0] = to[0];
  payload[1] = from.publicKey[0];
  payload.set(enc, 2);
  return packet(PAYLOAD_TYPE.TXT_MSG, flood ? ROUTE_TYPE.FLOOD : ROUTE_TYPE.DIRECT, flood ? hops : 0, payload);
}

/** ADVERT: pk · ts · Ed25519(pk ‖ ts ‖ appdata) · appdata(flags = type | 0x80 name · name). */
export function advertPacket(id: SimIdentity, timestamp: number, type: number, name: string, hops: number): Uint8Array {
  const nameBytes = encodeUtf8(name).subarray(0, 31);
  const appdata = new Uint8Array(1 + nameBytes.length);
  appdata[0] = (type & 0x0f) | 0x80;
  appdata.set(nameBytes, 1);
  const signed = new Uint8Array(32 + 4 + appdata.length);
  signed.set(id.publicKey);
  new DataView(signed.buffer).setUint32(32, timestamp >>> 0, true);
  signed.set(appdata, 36);
  const sig = ed25519.sign(signed, id.seed);
  const payload = new Uint8Array(32 + 4 + 64 + appdata.length);
  payload.set(id.publicKey);
  payload.set(signed.subarray(32, 36), 32);
  payload.set(sig, 36);
  payload.set(appdata, 100);
  return packet(PAYLOAD_TYPE.ADVERT, ROUTE_TYPE.FLOOD, hops, payload);
}
