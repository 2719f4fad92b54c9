/**
 * Channel plaintexts (before encryptThenMac with the channel secret; on air channel_hash · MAC · ciphertext):
 * GRP_TXT `ts u32 · 0 (TXT_TYPE_PLAIN) · "<sender>: <text>"` (BaseChatMesh::sendGroupMessage: the sender prefix and
 * text together are cut to MAX_TEXT_LEN bytes, a byte cut as the firmware does); received only with txt_type 0 and
 * at least 5 bytes (onGroupDataRecv). GRP_DATA `data_type u16 LE · data_len · data` with data_len ≤
 * MAX_GROUP_DATA_LENGTH (165) and not past the decrypted bytes (sendGroupData / onGroupDataRecv).
 */
import { MAX_PACKET_PAYLOAD, CIPHER_BLOCK_SIZE } from './packet.js';
import { MAX_TEXT_LEN } from './text-payload.js';
import { cString, layoutError, need, view } from './app-data-errors.js';

export const MAX_GROUP_DATA_LENGTH = MAX_PACKET_PAYLOAD - CIPHER_BLOCK_SIZE - 3;

export function encodeGroupText(timestamp: number, senderName: string, text: string): Uint8Array {
  const enc = new TextEncoder();
  const prefix = enc.encode(`${senderName}: `);
  let body = enc.encode(text);
  if (prefix.length + body.length > MAX_TEXT_LEN) body = body.subarray(0, Math.max(0, MAX_TEXT_LEN - prefix.length));
  const out = new Uint8Array(5 + prefix.length + body.length);
  view(out).setUint32(0, timestamp >>> 0, true);
  out[4] = 0;
  out.set(prefix, 5);
  out.set(body, 5 + prefix.length);
  return out;
}

export interface GroupText {
  timestamp: number;
  /** The whole "<sender>: <text>" as the companion passes it to the app (CHANNEL_MSG_RECV). */
  text: string;
  /** Split at the first ": " when there is one (an app convention; the sender is not authenticated). */
  sender?: string;
  message: string;
}

export function decodeGroupText(data: Uint8Array): GroupText {
  need('group text', data, 5);
  if (data[4] >> 2 !== 0) throw layoutError('group text', `txt_type ${data[4] >> 2}`);
  const text = new TextDecoder().decode(cString(data.subarray(5)));
  const sep = text.indexOf(': ');
  return sep >= 0
    ? { timestamp: view(data).getUint32(0, true), text, sender: text.slice(0, sep), message: text.slice(sep + 2) }
    : { timestamp: view(data).getUint32(0, true), text, message: text };
}

export function encodeGroupData(dataType: number, data: Uint8Array): Uint8Array {
  if (data.length > MAX_GROUP_DATA_LENGTH) throw new RangeError(`group data of ${data.length} bytes, at most ${MAX_GROUP_DATA_LENGTH}`);
  const out = new Uint8Array(3 + data.length);
  view(out).setUint16(0, dataType & 0xffff, true);
  out[2] = data.length;
  out.set(data, 3);
  return out;
}

export function decodeGroupData(plain: Uint8Array): { dataType: number; data: Uint8Array } {
  need('group data', plain, 3);
  const len = plain[2];
  if (len > plain.length - 3) throw layoutError('group data', `data_len ${len} > ${plain.length - 3} available`);
  return { dataType: view(plain).getUint16(0, true), data: plain.slice(3, 3 + len) };
}
