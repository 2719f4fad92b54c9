/**
 * What a ChatMesh (./chat-mesh.ts) leaves to its owner: the firmware's virtual "UI" methods of a BaseChatMesh
 * sub-class (ChatApp), an observer of what the node originates, and what a send returns.
 */
import type { FloodOptions } from '../mesh/mesh-api.js';
import type { McPath, ReceivedPacket } from '../mesh/mesh-handler.js';
import type { McPacket } from '../ota/packet.js';
import type { ChannelSlot } from './channel-table.js';
import type { ContactInfo } from './contacts-table.js';

/** What a send returned: MSG_SEND_SENT_FLOOD / _DIRECT (MSG_SEND_FAILED is `undefined`). */
export interface SendResult {
  flood: boolean;
  estTimeoutMs: number;
  /** The expected ACK (sendMessage) or the request tag (sendRequest, sendAnonReq); 0 when none. */
  code: number;
}

/** The firmware's virtual "UI" methods a BaseChatMesh sub-class implements. */
export interface ChatApp {
  /** shouldAutoAddContactType (default true), shouldOverwriteWhenFull (false), getAutoAddMaxHops (0 = no limit). */
  shouldAutoAddContactType?(type: number): boolean;
  shouldOverwriteWhenFull?(): boolean;
  autoAddMaxHops?(): number;
  onDiscoveredContact?(contact: ContactInfo, isNew: boolean, rx: ReceivedPacket): void;
  onContactsFull?(): void;
  onContactOverwrite?(publicKey: Uint8Array): void;
  /** An ACK code arrived (alone, in a PATH or MULTIPART): the contact it confirms, if it was expected. */
  processAck?(ack: number): ContactInfo | undefined;
  onContactPathUpdated?(contact: ContactInfo): void;
  /** MyMesh::onContactPathRecv override: return a boolean to handle it, undefined for BaseChatMesh's default. */
  onContactPathRecv?(contact: ContactInfo, inPath: McPath, outPath: McPath, extraType: number, extra: Uint8Array): boolean | undefined;
  /** `attempt`: the sender's attempt number (flags & 3, or the extended tail byte). */
  onMessageRecv?(contact: ContactInfo, rx: ReceivedPacket, senderTimestamp: number, text: Uint8Array, attempt: number): void;
  onCommandDataRecv?(contact: ContactInfo, rx: ReceivedPacket, senderTimestamp: number, text: Uint8Array): void;
  onSignedMessageRecv?(contact: ContactInfo, rx: ReceivedPacket, senderTimestamp: number, authorPrefix: Uint8Array, text: Uint8Array): void;
  onChannelMessageRecv?(channel: ChannelSlot, rx: ReceivedPacket, senderTimestamp: number, text: Uint8Array): void;
  onChannelDataRecv?(channel: ChannelSlot, rx: ReceivedPacket, dataType: number, data: Uint8Array): void;
  /** A REQ from a contact; the reply payload (sent back as RESPONSE) or undefined for none. */
  onContactRequest?(contact: ContactInfo, senderTimestamp: number, data: Uint8Array): Uint8Array | undefined;
  onContactResponse?(contact: ContactInfo, data: Uint8Array): void;
  onControlDataRecv?(rx: ReceivedPacket): void;
  onRawDataRecv?(rx: ReceivedPacket): void;
  onTraceRecv?(rx: ReceivedPacket, trace: { tag: number; authCode: number; flags: number; snrs: Int8Array; hashes: Uint8Array }): void;
  logRxRaw?(raw: Uint8Array, snrDb: number, rssiDbm: number): void;
  /** allowPacketForward (a companion: its client-repeat pref). */
  allowPacketForward?(packet: McPacket): boolean;
  extraAckTransmitCount?(): number;
  airtimeBudgetFactor?(): number;
  /** sendFloodScoped: transport codes and path hash size for a flood we originate ({} = unscoped, 1-byte). */
  floodOptions?(packet: McPacket): FloodOptions;
  /** Contacts, channels or advert blobs changed (the device persists lazily). */
  onStateChanged?(): void;
}

/** Watches what the node originates (the simulator's view of what a device put on air; status). Must not throw. */
export interface ChatObserver {
  /** A GRP_TXT was sent: the plaintext text as on air ("<name>: <text>"). */
  groupMessageSent?(channel: ChannelSlot, senderTimestamp: number, text: Uint8Array): void;
  /** A TXT_MSG (plain or CLI) was sent. */
  messageSent?(contact: ContactInfo, senderTimestamp: number, attempt: number, text: Uint8Array, result: SendResult): void;
  /** An advert of ours was built (CMD_SEND_SELF_ADVERT, the schedule). */
  advertCreated?(packet: McPacket): void;
}
