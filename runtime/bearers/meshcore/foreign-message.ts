/**
 * A message the radio delivered (CMD_SYNC_NEXT_MESSAGE) → the router's ForeignMessage.
 * - Channel (GRP_TXT): the packet carries no sender identity, only `"<name>: "` in the text, so the sender address
 *   is the channel itself (`mc:ch:<idx>`), with the claimed name as fromName (unverified on MeshCore too).
 * - DM: the firmware gives a 6-byte key prefix; it is resolved to the full key from the radio's contacts (a DM is
 *   only decryptable from a contact, so the lookup normally succeeds), else the prefix is the address.
 * - CLI replies (txt_type 1) are repeater console output, not chat: dropped.
 */
import { createHash } from 'node:crypto';
import type { ForeignMessage } from '../../bearer/bearer.js';
import type { MeshCoreSession } from '../../../firmware-protocol/meshcore/client-session.js';
import { splitChannelText, type ReceivedMessage } from '../../../firmware-protocol/meshcore/message-frames.js';
import { TXT_TYPE } from '../../../firmware-protocol/meshcore/codes.js';
import { toHex } from '../../../firmware-protocol/meshcore/bytes.js';
import { channelPeer, contactPeer } from './peer-address.js';

export function toForeignMessage(bearer: string, session: MeshCoreSession, m: ReceivedMessage, receivedAt: number): ForeignMessage | null {
  if (m.txtType === TXT_TYPE.CLI_DATA) return null;
  if (m.kind === 'channel') {
    const { senderName, body } = splitChannelText(m.text);
    const from = channelPeer(m.channelIdx);
    return {
      bearer, from, fromName: senderName, to: from, direct: false, text: body,
      packetId: packetId('ch', from, m.senderTimestamp, m.text), receivedAt, snr: m.snr,
    };
  }
  const contact = session.findContact(m.pubKeyPrefix);
  const from = contactPeer(contact ? toHex(contact.publicKey) : toHex(m.pubKeyPrefix));
  const self = session.selfInfo ? contactPeer(toHex(session.selfInfo.publicKey)) : 'mc:self';
  return {
    bearer, from, fromName: contact?.name, to: self, direct: true, text: m.text,
    packetId: packetId('dm', from, m.senderTimestamp, m.text), receivedAt, snr: m.snr,
  };
}

/** Companion frames carry no packet id: a stable one for the router's duplicate suppression (a radio that
 * re-delivers after a reconnect, a sender that retried with a new attempt). */
export function packetId(kind: string, from: string, ts: number, text: string): number {
  return createHash('sha256').update(`${kind}|${from}|${ts}|${text}`).digest().readUInt32LE(0);
}
