/**
 * Direct messages and requests a chat node sends to a contact (src/helpers/BaseChatMesh.cpp sendMessage,
 * sendCommandData, sendLogin, sendAnonReq, sendRequest): the payload, the route (flood when no out_path is known,
 * else direct) and the ACK or tag the caller tracks, with the timeout estimate of companion_radio/MyMesh.cpp.
 */
import { OUT_PATH_UNKNOWN } from '../codes.js';
import { ADV_TYPE } from '../ota/advert-data.js';
import { PAYLOAD_TYPE, rawLength, type McPacket } from '../ota/packet.js';
import { encodeTextPayload, MAX_TEXT_LEN, textAckCode, TXT_TYPE } from '../ota/text-payload.js';
import type { SendResult } from './chat-app.js';
import type { ChatMesh } from './chat-mesh.js';
import { contactPath, cText, u32bytes } from './chat-paths.js';
import type { ContactInfo } from './contacts-table.js';

/** MyMesh.cpp timeout formula constants (SEND_TIMEOUT_BASE_MILLIS …). */
const SEND_TIMEOUT_BASE_MILLIS = 500;
const FLOOD_SEND_TIMEOUT_FACTOR = 16.0;
const DIRECT_SEND_PERHOP_FACTOR = 6.0;
const DIRECT_SEND_PERHOP_EXTRA_MILLIS = 250;

export function calcFloodTimeoutMs(airtimeMs: number): number {
  return Math.trunc(SEND_TIMEOUT_BASE_MILLIS + FLOOD_SEND_TIMEOUT_FACTOR * airtimeMs);
}

export function calcDirectTimeoutMs(airtimeMs: number, hops: number): number {
  return Math.trunc(SEND_TIMEOUT_BASE_MILLIS + (airtimeMs * DIRECT_SEND_PERHOP_FACTOR + DIRECT_SEND_PERHOP_EXTRA_MILLIS) * ((hops & 63) + 1));
}

/** Flood when no out_path is known, else direct along it (every sendMessage/sendRequest/sendLogin). */
function sendToContact(chat: ChatMesh, c: ContactInfo, p: McPacket, code: number): SendResult {
  // Radio::getEstAirtimeFor(pkt->getRawLength()), whole ms as the firmware's uint32.
  const t = Math.floor(chat.mesh.airtimeMs(rawLength(p)));
  if (c.outPathLen === OUT_PATH_UNKNOWN) {
    chat.sendFloodScoped(p);
    return { flood: true, estTimeoutMs: calcFloodTimeoutMs(t), code };
  }
  chat.mesh.sendDirect(p, contactPath(c));
  return { flood: false, estTimeoutMs: calcDirectTimeoutMs(t, c.outPathLen & 63), code };
}

/**
 * composeMsgPacket + sendMessage: TXT_MSG plain; expected ACK = SHA-256(ts · attempt&3 · text ‖ our key)[0..4].
 * undefined (MSG_SEND_FAILED) for a text over MAX_TEXT_LEN bytes (MAX_TEXT_LEN − 2 from attempt 4 on).
 */
export function sendMessage(chat: ChatMesh, c: ContactInfo, senderTimestamp: number, attempt: number, text: Uint8Array): SendResult | undefined {
  const body = cText(text, 0);
  if (body.length > MAX_TEXT_LEN || (attempt > 3 && body.length > MAX_TEXT_LEN - 2)) return undefined;
  const plain = encodeTextPayload({ senderTimestamp, txtType: TXT_TYPE.PLAIN, attempt, text: '' });
  const data = new Uint8Array(plain.length + body.length + (attempt > 3 ? 2 : 0));
  data.set(plain.subarray(0, 5));
  data.set(body, 5);
  if (attempt > 3) data[data.length - 1] = attempt & 0xff;
  const ack = textAckCode(data, 5 + body.length, chat.selfKey);
  const r = sendToContact(chat, c, chat.mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, c.publicKey, chat.secretWith(c), data), ack);
  chat.observer?.messageSent?.(c, senderTimestamp, attempt, body, r);
  return r;
}

/** sendCommandData: TXT_MSG of type CLI_DATA (no ACK expected). */
export function sendCommandData(chat: ChatMesh, c: ContactInfo, senderTimestamp: number, attempt: number, text: Uint8Array): SendResult | undefined {
  const body = cText(text, 0);
  if (body.length > MAX_TEXT_LEN) return undefined;
  const data = new Uint8Array(5 + body.length);
  new DataView(data.buffer).setUint32(0, senderTimestamp >>> 0, true);
  data[4] = (attempt & 3) | (TXT_TYPE.CLI_DATA << 2);
  data.set(body, 5);
  return sendToContact(chat, c, chat.mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, c.publicKey, chat.secretWith(c), data), 0);
}

/** sendLogin: ANON_REQ of ts · [sync_since, rooms] · password (≤ 15 bytes). */
export function sendLogin(chat: ChatMesh, c: ContactInfo, password: Uint8Array): SendResult {
  const pw = cText(password, 0).subarray(0, 15);
  const room = c.type === ADV_TYPE.ROOM;
  const data = new Uint8Array((room ? 8 : 4) + pw.length);
  data.set(u32bytes(chat.rtcUnique()));
  if (room) data.set(u32bytes(c.syncSince), 4);
  data.set(pw, room ? 8 : 4);
  const p = chat.mesh.createAnonDatagram(PAYLOAD_TYPE.ANON_REQ, c.publicKey, chat.secretWith(c), data);
  return sendToContact(chat, c, p, 0);
}

/** sendAnonReq: ANON_REQ of tag · data; the tag is getCurrentTimeUnique. */
export function sendAnonReq(chat: ChatMesh, c: ContactInfo, payload: Uint8Array): SendResult {
  const tag = chat.rtcUnique();
  const data = new Uint8Array(4 + payload.length);
  data.set(u32bytes(tag));
  data.set(payload, 4);
  return sendToContact(chat, c, chat.mesh.createAnonDatagram(PAYLOAD_TYPE.ANON_REQ, c.publicKey, chat.secretWith(c), data), tag);
}

/** sendRequest(req_type): tag · type · 4 reserved · 4 random (13 bytes). */
export function sendRequestType(chat: ChatMesh, c: ContactInfo, reqType: number): SendResult {
  const tag = chat.rtcUnique();
  const data = new Uint8Array(13);
  data.set(u32bytes(tag));
  data[4] = reqType;
  data.set(chat.random(4), 9);
  return sendToContact(chat, c, chat.mesh.createDatagram(PAYLOAD_TYPE.REQ, c.publicKey, chat.secretWith(c), data), tag);
}

/** sendRequest(req_data): tag · data; undefined past MAX_PACKET_PAYLOAD − 16. */
export function sendRequestData(chat: ChatMesh, c: ContactInfo, payload: Uint8Array, forceFlood = false): SendResult | undefined {
  if (payload.length > 184 - 16) return undefined;
  const tag = chat.rtcUnique();
  const data = new Uint8Array(4 + payload.length);
  data.set(u32bytes(tag));
  data.set(payload, 4);
  const p = chat.mesh.createDatagram(PAYLOAD_TYPE.REQ, c.publicKey, chat.secretWith(c), data);
  return sendToContact(chat, forceFlood ? { ...c, outPathLen: OUT_PATH_UNKNOWN } : c, p, tag);
}
