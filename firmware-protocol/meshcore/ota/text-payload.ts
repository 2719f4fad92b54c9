/**
 * The plaintext of a TXT_MSG (src/helpers/BaseChatMesh.cpp composeMsgPacket / onPeerDataRecv):
 *   sender_ts u32 · (txt_type << 2 | attempt & 3) · [author pk prefix[4], txt_type 2 only] · text [· 00 · attempt]
 * (the extended attempt tail when attempt > 3), zero-padded by the cipher. And the ACK it earns:
 * SHA-256(ts · flags · text ‖ sender pk)[0..4] for plain texts (the receiver hashes with the sender's key, the sender
 * with its own); SHA-256(ts · flags · prefix · text ‖ receiver pk) for signed (room-server) texts.
 */
import { createHash } from 'node:crypto';

export const TXT_TYPE = { PLAIN: 0, CLI_DATA: 1, SIGNED_PLAIN: 2 } as const;
/** src/MeshCore.h MAX_TEXT_LEN (10 × CIPHER_BLOCK_SIZE). */
export const MAX_TEXT_LEN = 160;

export interface TextPayload {
  senderTimestamp: number;
  txtType: number;
  /** The attempt number (0–3 in the flags byte; larger ones also in the tail). */
  attempt: number;
  /** txt_type 2: the first 4 bytes of the author's public key. */
  authorPrefix?: Uint8Array;
  text: string;
}

export function encodeTextPayload(t: TextPayload): Uint8Array {
  const text = new TextEncoder().encode(t.text);
  const prefix = t.txtType === TXT_TYPE.SIGNED_PLAIN ? (t.authorPrefix ?? new Uint8Array(4)).subarray(0, 4) : new Uint8Array(0);
  const tail = t.attempt > 3 ? 2 : 0;
  const out = new Uint8Array(5 + prefix.length + text.length + tail);
  new DataView(out.buffer).setUint32(0, t.senderTimestamp >>> 0, true);
  out[4] = ((t.txtType & 0x3f) << 2) | (t.attempt & 3);
  out.set(prefix, 5);
  out.set(text, 5 + prefix.length);
  if (tail) out[out.length - 1] = t.attempt & 0xff;
  return out;
}

/** The text up to the first NUL (the cipher pads with zeros); undefined when shorter than ts + flags (len ≤ 5). */
export function decodeTextPayload(data: Uint8Array): (TextPayload & { textBytes: Uint8Array }) | undefined {
  if (data.length <= 5) return undefined;
  const senderTimestamp = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
  const txtType = data[4] >> 2;
  let attempt = data[4] & 3;
  let start = 5;
  let authorPrefix: Uint8Array | undefined;
  if (txtType === TXT_TYPE.SIGNED_PLAIN) {
    if (data.length < 9) return undefined;
    authorPrefix = data.slice(5, 9);
    start = 9;
  }
  let end = data.indexOf(0, start);
  if (end < 0) end = data.length;
  const textBytes = data.subarray(start, end);
  // The extended attempt byte follows the text's NUL (BaseChatMesh: data[5 + text_len + 1]).
  if (end + 1 < data.length && data[end + 1] > 3) attempt = data[end + 1];
  return { senderTimestamp, txtType, attempt, authorPrefix, text: new TextDecoder().decode(textBytes), textBytes };
}

/** The 4-byte ACK code as a u32 LE: SHA-256(ts · flags · [prefix] · text ‖ key)[0..4]. */
export function textAckCode(data: Uint8Array, textEnd: number, publicKey: Uint8Array): number {
  const h = createHash('sha256').update(data.subarray(0, textEnd)).update(publicKey).digest();
  return h.readUInt32LE(0);
}
