/**
 * What a chat node does with datagrams, PATHs and ACKs from its contacts (src/helpers/BaseChatMesh.cpp
 * onPeerDataRecv, onPeerPathRecv, onContactPathRecv, onAckRecv, sendAckTo, handleReturnPathRetry): hand the text or
 * request to the app, answer with an ACK (a PATH return when it came by flood) or a RESPONSE, learn out_paths.
 */
import { OUT_PATH_UNKNOWN } from '../codes.js';
import type { McPath, PeerMatch, ReceivedPacket } from '../mesh/mesh-handler.js';
import { encodePathLen, PAYLOAD_TYPE, type McPacket } from '../ota/packet.js';
import { decodeTextPayload, textAckCode, TXT_TYPE } from '../ota/text-payload.js';
import type { ChatMesh } from './chat-mesh.js';
import { contactPath, isFloodRx, pathOfPacket, u32bytes, u32le } from './chat-paths.js';
import type { ContactInfo } from './contacts-table.js';

/** BaseChatMesh.cpp TXT_ACK_DELAY / SERVER_RESPONSE_DELAY, ms. */
export const TXT_ACK_DELAY = 200;
export const SERVER_RESPONSE_DELAY = 300;

function contactOf(chat: ChatMesh, peer: PeerMatch): ContactInfo | undefined {
  const ref = peer.ref as ContactInfo | undefined;
  return ref && typeof ref === 'object' && 'publicKey' in ref ? ref : chat.contacts.lookup(peer.publicKey);
}

/** sendAckTo: flood when no path (delay TXT_ACK_DELAY), else direct, with a MULTIPART ACK first when multi_acks. */
function sendAckTo(chat: ChatMesh, c: ContactInfo, ack: Uint8Array): void {
  if (c.outPathLen === OUT_PATH_UNKNOWN) {
    chat.sendFloodScoped(chat.mesh.createAck(ack), TXT_ACK_DELAY);
    return;
  }
  let d = TXT_ACK_DELAY;
  const path = contactPath(c);
  if (chat.extraAckTransmitCount() > 0) {
    chat.mesh.sendDirect(chat.mesh.createMultiAck(u32le(ack), 1), path, d);
    d += 300;
  }
  chat.mesh.sendDirect(chat.mesh.createAck(ack), path, d);
}

/** The ACK of a received text: a PATH return carrying it when the text came by flood, else sendAckTo. */
function ackText(chat: ChatMesh, rx: ReceivedPacket, from: ContactInfo, secret: Uint8Array, ack: Uint8Array): void {
  if (isFloodRx(rx)) {
    chat.sendFloodScoped(chat.mesh.createPathReturn(from.publicKey, secret, pathOfPacket(rx.packet), PAYLOAD_TYPE.ACK, ack), TXT_ACK_DELAY);
  } else {
    sendAckTo(chat, from, ack);
  }
}

export function onPeerDataRecv(chat: ChatMesh, rx: ReceivedPacket, type: number, peer: PeerMatch, data: Uint8Array): void {
  const from = contactOf(chat, peer);
  if (!from) return;
  const flood = isFloodRx(rx);
  if (type === PAYLOAD_TYPE.TXT_MSG && data.length > 5) {
    const t = decodeTextPayload(data);
    if (!t) return;
    const flags = data[4] >> 2;
    if (flags === TXT_TYPE.PLAIN) {
      from.lastMod = chat.rtcNow();
      chat.app.onMessageRecv?.(from, rx, t.senderTimestamp, t.textBytes, t.attempt);
      const textLen = t.textBytes.length;
      const ack = new Uint8Array(6);
      ack.set(u32bytes(textAckCode(data, 5 + textLen, from.publicKey)));
      // The extended attempt byte (or the padding zero) after the text's NUL keeps packet hashes unique.
      ack[4] = data[5 + textLen + 1] ?? 0;
      ack[5] = chat.random(1)[0];
      ackText(chat, rx, from, peer.secret, ack);
      chat.app.onStateChanged?.();
    } else if (flags === TXT_TYPE.CLI_DATA) {
      chat.app.onCommandDataRecv?.(from, rx, t.senderTimestamp, t.textBytes);
      if (flood) chat.sendFloodScoped(chat.mesh.createPathReturn(from.publicKey, peer.secret, pathOfPacket(rx.packet), 0, new Uint8Array(0)));
    } else if (flags === TXT_TYPE.SIGNED_PLAIN && data.length >= 9) {
      if (t.senderTimestamp > from.syncSince) from.syncSince = t.senderTimestamp;
      from.lastMod = chat.rtcNow();
      chat.app.onSignedMessageRecv?.(from, rx, t.senderTimestamp, data.slice(5, 9), t.textBytes);
      ackText(chat, rx, from, peer.secret, u32bytes(textAckCode(data, 9 + t.textBytes.length, chat.selfKey)));
      chat.app.onStateChanged?.();
    }
  } else if (type === PAYLOAD_TYPE.REQ && data.length > 4) {
    const reply = chat.app.onContactRequest?.(from, u32le(data), data.subarray(4));
    if (!reply || reply.length === 0) return;
    if (flood) {
      chat.sendFloodScoped(chat.mesh.createPathReturn(from.publicKey, peer.secret, pathOfPacket(rx.packet), PAYLOAD_TYPE.RESPONSE, reply), SERVER_RESPONSE_DELAY);
    } else {
      const p = chat.mesh.createDatagram(PAYLOAD_TYPE.RESPONSE, from.publicKey, peer.secret, reply);
      if (from.outPathLen !== OUT_PATH_UNKNOWN) chat.mesh.sendDirect(p, contactPath(from), SERVER_RESPONSE_DELAY);
      else chat.sendFloodScoped(p, SERVER_RESPONSE_DELAY);
    }
  } else if (type === PAYLOAD_TYPE.RESPONSE && data.length > 0) {
    chat.app.onContactResponse?.(from, data);
    if (flood && from.outPathLen !== OUT_PATH_UNKNOWN) handleReturnPathRetry(chat, from, rx.packet);
  }
}

/** handleReturnPathRetry: they still flood to us although we have a path: send our path back, direct, in 3 s. */
function handleReturnPathRetry(chat: ChatMesh, c: ContactInfo, p: McPacket): void {
  chat.mesh.sendDirect(chat.mesh.createPathReturn(c.publicKey, chat.secretWith(c), pathOfPacket(p), 0, new Uint8Array(0)), contactPath(c), 3000);
}

export function onPeerPathRecv(chat: ChatMesh, rx: ReceivedPacket, peer: PeerMatch, path: McPath, extraType: number, extra: Uint8Array): boolean {
  const from = contactOf(chat, peer);
  if (!from) return false;
  const handled = chat.app.onContactPathRecv?.(from, pathOfPacket(rx.packet), path, extraType, extra);
  if (handled !== undefined) return handled;
  return onContactPathRecv(chat, from, path, extraType, extra);
}

/** BaseChatMesh::onContactPathRecv: replace the out_path, then the ACK or RESPONSE it carries. */
export function onContactPathRecv(chat: ChatMesh, from: ContactInfo, path: McPath, extraType: number, extra: Uint8Array): boolean {
  from.outPath = new Uint8Array(64);
  from.outPath.set(path.bytes.subarray(0, 64));
  from.outPathLen = encodePathLen(path.hashSize, path.bytes.length / path.hashSize);
  from.lastMod = chat.rtcNow();
  chat.app.onContactPathUpdated?.(from);
  chat.app.onStateChanged?.();
  if (extraType === PAYLOAD_TYPE.ACK && extra.length >= 4) {
    chat.app.processAck?.(u32le(extra));
  } else if (extraType === PAYLOAD_TYPE.RESPONSE && extra.length > 0) {
    chat.app.onContactResponse?.(from, extra);
  }
  return true;
}

/**
 * BaseChatMesh::onAckRecv: an expected ACK; a flood one from a contact we have a path to gets our path back. True
 * when it was ours (the firmware's packet->markDoNotRetransmit(): the mesh does not forward it).
 */
export function onAckRecv(chat: ChatMesh, rx: ReceivedPacket, ackCrc: number): boolean {
  const from = chat.app.processAck?.(ackCrc >>> 0);
  if (!from) return false;
  if (isFloodRx(rx) && from.outPathLen !== OUT_PATH_UNKNOWN) handleReturnPathRetry(chat, from, rx.packet);
  return true;
}
