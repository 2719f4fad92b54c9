/**
 * Received-message frames the firmware queues for CMD_SYNC_NEXT_MESSAGE (MyMesh.cpp queueMessage /
 * onChannelMessageRecv). With app_target_ver ≥ 3 it writes the V3 codes, which insert snr×4 (int8) and two
 * reserved bytes after the code:
 *  0x07 / 0x10: [snr·r1·r2] · pk prefix[6] · path_len · txt_type · sender_ts u32 · [author prefix[4] if txt_type 2] · text
 *  0x08 / 0x11: [snr·r1·r2] · channel_idx · path_len · txt_type · sender_ts u32 · text
 * path_len is the flood hop byte, or 0xFF when the message came direct. Text is not NUL terminated; the firmware
 * cuts it at MAX_FRAME_SIZE bytes (possibly mid UTF-8 character).
 */
import { FrameReader, FrameWriter, decodeUtf8, encodeUtf8 } from './bytes.js';
import { MESHCORE_MAX_FRAME_SIZE } from '../framing/meshcore-frame.js';
import { RESP, TXT_TYPE } from './codes.js';
import { MeshCoreReplyFormatError } from './errors.js';

export interface ContactMessage {
  kind: 'contact';
  /** First 6 bytes of the sender's public key (all the firmware gives). */
  pubKeyPrefix: Uint8Array;
  pathLen: number;
  txtType: number;
  senderTimestamp: number;
  /** Room-server posts (txt_type 2): the original author's public key prefix. */
  authorPrefix?: Uint8Array;
  text: string;
  /** Only in V3 frames. */
  snr?: number;
}

export interface ChannelMessage {
  kind: 'channel';
  channelIdx: number;
  pathLen: number;
  txtType: number;
  senderTimestamp: number;
  /** As on air: `"<sender name>: <text>"`. */
  text: string;
  snr?: number;
}

export type ReceivedMessage = ContactMessage | ChannelMessage;

export function isMessageCode(code: number): boolean {
  return (
    code === RESP.CONTACT_MSG_RECV ||
    code === RESP.CHANNEL_MSG_RECV ||
    code === RESP.CONTACT_MSG_RECV_V3 ||
    code === RESP.CHANNEL_MSG_RECV_V3
  );
}

export function decodeMessageFrame(frame: Uint8Array): ReceivedMessage {
  const r = new FrameReader(frame);
  const code = r.u8();
  let snr: number | undefined;
  if (code === RESP.CONTACT_MSG_RECV_V3 || code === RESP.CHANNEL_MSG_RECV_V3) {
    snr = r.i8('snr') / 4;
    r.u8('reserved1');
    r.u8('reserved2');
  }
  if (code === RESP.CONTACT_MSG_RECV || code === RESP.CONTACT_MSG_RECV_V3) {
    const pubKeyPrefix = r.bytes(6, 'pubkey prefix');
    const pathLen = r.u8('path_len');
    const txtType = r.u8('txt_type');
    const senderTimestamp = r.u32('sender_timestamp');
    const authorPrefix = txtType === TXT_TYPE.SIGNED_PLAIN ? r.bytes(4, 'author prefix') : undefined;
    const text = r.restString();
    return { kind: 'contact', pubKeyPrefix, pathLen, txtType, senderTimestamp, authorPrefix, text, snr };
  }
  if (code === RESP.CHANNEL_MSG_RECV || code === RESP.CHANNEL_MSG_RECV_V3) {
    const channelIdx = r.u8('channel_idx');
    const pathLen = r.u8('path_len');
    const txtType = r.u8('txt_type');
    const senderTimestamp = r.u32('sender_timestamp');
    return { kind: 'channel', channelIdx, pathLen, txtType, senderTimestamp, text: r.restString(), snr };
  }
  throw new MeshCoreReplyFormatError(code, 'not a message frame', frame.length);
}

/** A message frame's fields without its text (the device side has the text as bytes off the air). */
export type MessageHead = Omit<ContactMessage, 'text'> | Omit<ChannelMessage, 'text'>;

/** Encodes as the firmware does for the given app_target_ver (simulator side). `snr` defaults to 0. */
export function encodeMessageFrame(m: ReceivedMessage, v3: boolean): Uint8Array {
  return encodeMessageFrameBytes(m, encodeUtf8(m.text), v3);
}

/**
 * The same with the text as bytes (the companion device side, ./companion/push-frames.ts): MyMesh::queueMessage /
 * onChannelMessageRecv. SNR is `(int8_t)(pkt->getSNR() * 4)`, a truncation.
 */
export function encodeMessageFrameBytes(m: MessageHead, text: Uint8Array, v3: boolean): Uint8Array {
  const w = new FrameWriter(MESHCORE_MAX_FRAME_SIZE + 8);
  const contact = m.kind === 'contact';
  if (v3) {
    w.u8(contact ? RESP.CONTACT_MSG_RECV_V3 : RESP.CHANNEL_MSG_RECV_V3);
    w.u8(Math.trunc((m.snr ?? 0) * 4) & 0xff).u8(0).u8(0);
  } else {
    w.u8(contact ? RESP.CONTACT_MSG_RECV : RESP.CHANNEL_MSG_RECV);
  }
  if (m.kind === 'contact') w.fixed(m.pubKeyPrefix, 6);
  else w.u8(m.channelIdx & 0xff);
  w.u8(m.pathLen).u8(m.txtType).u32(m.senderTimestamp);
  if (m.kind === 'contact' && m.txtType === TXT_TYPE.SIGNED_PLAIN) w.fixed(m.authorPrefix ?? new Uint8Array(4), 4);
  // queueMessage: if (i + tlen > MAX_FRAME_SIZE) tlen = MAX_FRAME_SIZE - i  — a byte cut, as the firmware does.
  w.bytes(text.subarray(0, Math.max(0, MESHCORE_MAX_FRAME_SIZE - w.length)));
  return w.done();
}

/** Splits a channel text `"<name>: <text>"` as BaseChatMesh::sendGroupMessage composes it. */
export function splitChannelText(text: string): { senderName?: string; body: string } {
  const i = text.indexOf(': ');
  if (i <= 0) return { body: text };
  return { senderName: text.slice(0, i), body: text.slice(i + 2) };
}

export { decodeUtf8 };
