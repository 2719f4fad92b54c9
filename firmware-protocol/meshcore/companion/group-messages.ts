/**
 * Group channels of a chat node (src/helpers/BaseChatMesh.cpp sendGroupMessage, sendGroupData, onGroupDataRecv):
 * GRP_TXT "<sender>: <text>" and GRP_DATA (data_type · len · data), always under a channel's hash and secret.
 */
import type { GroupChannelKey, McPath, ReceivedPacket } from '../mesh/mesh-handler.js';
import { PAYLOAD_TYPE } from '../ota/packet.js';
import { MAX_TEXT_LEN, TXT_TYPE } from '../ota/text-payload.js';
import type { ChannelSlot } from './channel-table.js';
import type { ChatMesh } from './chat-mesh.js';
import { cText, u32le } from './chat-paths.js';

/** src/MeshCore.h MAX_GROUP_DATA_LENGTH = MAX_PACKET_PAYLOAD − CIPHER_BLOCK_SIZE − 3. */
export const MAX_GROUP_DATA_LENGTH = 184 - 16 - 3;

export function groupKey(channel: ChannelSlot): GroupChannelKey {
  return { hash: channel.hash, secret: channel.secret, ref: channel };
}

/** sendGroupMessage: "<sender>: <text>", cut so the two fit MAX_TEXT_LEN bytes; always a scoped flood. */
export function sendGroupMessage(chat: ChatMesh, senderTimestamp: number, channel: ChannelSlot, senderName: string, text: Uint8Array): boolean {
  const prefix = new TextEncoder().encode(`${senderName}: `);
  const body = cText(text, 0);
  const n = Math.max(0, Math.min(body.length, MAX_TEXT_LEN - prefix.length));
  const data = new Uint8Array(5 + prefix.length + n);
  new DataView(data.buffer).setUint32(0, senderTimestamp >>> 0, true);
  data[4] = TXT_TYPE.PLAIN;
  data.set(prefix, 5);
  data.set(body.subarray(0, n), 5 + prefix.length);
  chat.sendFloodScoped(chat.mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_TXT, groupKey(channel), data));
  chat.observer?.groupMessageSent?.(channel, senderTimestamp, data.subarray(5));
  return true;
}

/** sendGroupData: data_type u16 · len · data; flood (path undefined) or direct along `path`. */
export function sendGroupData(chat: ChatMesh, channel: ChannelSlot, path: McPath | undefined, dataType: number, payload: Uint8Array): boolean {
  if (payload.length > MAX_GROUP_DATA_LENGTH) return false;
  const data = new Uint8Array(3 + payload.length);
  data[0] = dataType & 0xff;
  data[1] = (dataType >> 8) & 0xff;
  data[2] = payload.length;
  data.set(payload, 3);
  const p = chat.mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_DATA, groupKey(channel), data);
  if (path) chat.mesh.sendDirect(p, path);
  else chat.sendFloodScoped(p);
  return true;
}

/** BaseChatMesh::onGroupDataRecv: a plain GRP_TXT or a well-formed GRP_DATA to the app. */
export function onGroupDataRecv(chat: ChatMesh, rx: ReceivedPacket, type: number, key: GroupChannelKey, data: Uint8Array): void {
  const idx = chat.channels.findIndex(key.secret);
  const channel = (key.ref as ChannelSlot | undefined) ?? (idx >= 0 ? chat.channels.get(idx) : undefined);
  if (!channel) return;
  if (type === PAYLOAD_TYPE.GRP_TXT) {
    if (data.length < 5 || data[4] >> 2 !== 0) return;
    chat.app.onChannelMessageRecv?.(channel, rx, u32le(data), cText(data, 5));
  } else if (type === PAYLOAD_TYPE.GRP_DATA) {
    if (data.length < 3) return;
    const dataType = data[0] | (data[1] << 8);
    const n = data[2];
    if (n > data.length - 3) return;
    chat.app.onChannelDataRecv?.(channel, rx, dataType, data.subarray(3, 3 + n));
  }
}
