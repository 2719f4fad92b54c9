/**
 * What an application on the MeshCore mesh implements: the virtual methods of firmware src/Mesh.h that sub-classes
 * override (examples/simple_repeater/MyMesh, src/helpers/BaseChatMesh, examples/companion_radio/MyMesh). The mesh
 * (mesh-api.ts) parses, dedupes, decrypts and forwards; it calls these to find keys, to ask whether to forward and
 * to deliver what was addressed to us. The native node combines a repeater and a companion into one handler.
 *
 * Every member is optional except the ones the mesh cannot do without; an absent callback is the firmware's
 * default (Mesh.cpp: no forwarding, no peers, no channels, nothing delivered).
 */
import type { McPacket, PathHashSize } from '../ota/packet.js';

/** A packet as heard, with what the radio measured (Dispatcher::checkRecv). */
export interface ReceivedPacket {
  packet: McPacket;
  /** The frame exactly as received (for PUSH_CODE_LOG_RX_DATA, stats, MQTT observers). */
  raw: Uint8Array;
  snrDb: number;
  rssiDbm: number;
  /** Clock time of reception, ms. */
  receivedAt: number;
}

/** A candidate sender/recipient whose first public-key byte matched a payload's 1-byte hash (searchPeersByHash). */
export interface PeerMatch {
  publicKey: Uint8Array;
  /** The ECDH secret with this peer (getPeerSharedSecret), 32 bytes. */
  secret: Uint8Array;
  /** The application's own record for it (a contact, an ACL client), handed back in callbacks. */
  ref?: unknown;
}

/** A channel whose hash byte matched (searchChannelsByHash): secret of 16 (or 32) bytes. */
export interface GroupChannelKey {
  hash: number;
  secret: Uint8Array;
  ref?: unknown;
}

/** A path as carried in PATH payloads and contacts' out_path: hop hashes of `hashSize` bytes each. */
export interface McPath {
  hashSize: PathHashSize;
  /** count × hashSize bytes. */
  bytes: Uint8Array;
}

export interface MeshHandler {
  /** Dispatcher::logRxRaw: every frame the radio decoded, before parsing (companion PUSH 0x88, repeater stats). */
  logRxRaw?(raw: Uint8Array, snrDb: number, rssiDbm: number): void;
  /** A frame that failed Dispatcher::tryParsePacket or a payload that failed its layout; counted by the mesh too. */
  onMalformed?(raw: Uint8Array, reason: string): void;
  /** Mesh::filterRecvFloodPacket: true = drop this flood before it is processed (repeater region rules). */
  filterRecvFloodPacket?(rx: ReceivedPacket): boolean;
  /**
   * Mesh::allowPacketForward: may this flood (or direct packet for which we are the next hop) be retransmitted by
   * us. Absent = never (a plain companion without client repeat).
   */
  allowPacketForward?(packet: McPacket): boolean;
  /** Mesh::getRetransmitDelay for floods, ms (default: the firmware's formula from the airtime). */
  retransmitDelayMs?(packet: McPacket, airtimeMs: number): number;
  /** Mesh::getDirectRetransmitDelay, ms. */
  directRetransmitDelayMs?(packet: McPacket, airtimeMs: number): number;
  /**
   * Dispatcher::calcRxDelay: how long to hold a received flood before processing it, ms, from its score
   * (RadioLibWrapper::packetScore, 0..1: SNR margin over the SF's threshold, less for long frames) and its airtime.
   * Absent = 0, as every firmware app by default (rx_delay_base 0; mesh-timing.ts rxDelayFromBase is their formula).
   * The mesh applies delays of 50 ms or more, capped at 32 s (Dispatcher::checkRecv). Optional (added by the mesh part).
   */
  rxDelayMs?(score: number, airtimeMs: number): number;
  /** Mesh::getExtraAckTransmitCount (multi_acks). */
  extraAckTransmitCount?(): number;
  /** Dispatcher::getAirtimeBudgetFactor (airtime_factor; duty = 1 / (1 + factor)). */
  airtimeBudgetFactor?(): number;
  /** Mesh::searchPeersByHash + getPeerSharedSecret. */
  searchPeersByHash?(hash: number): PeerMatch[];
  /** Mesh::searchChannelsByHash. */
  searchChannelsByHash?(hash: number): GroupChannelKey[];
  /** TXT_MSG, REQ or RESPONSE from a known peer, decrypted (zero padding included). May repeat via other routes. */
  onPeerDataRecv?(rx: ReceivedPacket, type: number, peer: PeerMatch, data: Uint8Array): void;
  /** A PATH from a known peer; return true to send the reciprocal path (Mesh::onPeerPathRecv). */
  onPeerPathRecv?(rx: ReceivedPacket, peer: PeerMatch, path: McPath, extraType: number, extra: Uint8Array): boolean;
  /** A TRACE that reached the end of its path. */
  onTraceRecv?(rx: ReceivedPacket, trace: { tag: number; authCode: number; flags: number; snrs: Int8Array; hashes: Uint8Array }): void;
  /** A verified advert (signature checked by the mesh). */
  onAdvertRecv?(rx: ReceivedPacket, advert: { publicKey: Uint8Array; timestamp: number; appData: Uint8Array }): void;
  /** ANON_REQ addressed to us, decrypted with the secret shared with the sender's key carried in it. */
  onAnonDataRecv?(rx: ReceivedPacket, secret: Uint8Array, senderPublicKey: Uint8Array, data: Uint8Array): void;
  /** GRP_TXT or GRP_DATA on a channel we hold, decrypted. */
  onGroupDataRecv?(rx: ReceivedPacket, type: number, channel: GroupChannelKey, data: Uint8Array): void;
  /**
   * An ACK (or one inside a PATH or MULTIPART) — also ACKs passing through ("early ACK"). Return true when it was
   * for this node (BaseChatMesh::onAckRecv: packet->markDoNotRetransmit()): the mesh then does not forward it.
   * Optional: void/false leave forwarding as it is.
   */
  onAckRecv?(rx: ReceivedPacket, ackCrc: number): boolean | void;
  /** A CONTROL packet (zero-hop discovery). */
  onControlDataRecv?(rx: ReceivedPacket): void;
  /** A RAW_CUSTOM packet that arrived direct. */
  onRawDataRecv?(rx: ReceivedPacket): void;
}
