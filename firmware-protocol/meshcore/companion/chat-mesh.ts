/**
 * A MeshCore chat node: src/helpers/BaseChatMesh.cpp as a MeshHandler (../mesh/mesh-handler.ts) over a MeshCoreMesh
 * (../mesh/mesh-api.ts). It owns the contacts learned from adverts, the group channels, the raw advert of every
 * contact (for share/export), composes and answers DMs (ACK codes, PATH returns), and sends the client requests
 * (login, status, telemetry, binary, anon). What the firmware leaves to a sub-class ("UI concepts": what to do with
 * a received message, which ACKs are expected, whether to auto-add) is a ChatApp (./chat-app.ts): the companion
 * device side (./companion-radio.ts) and the simulator's remote nodes implement it.
 *
 * This class is the state and the MeshHandler surface; each concept is in its own file: DMs and requests sent
 * (./dm-send.ts), datagrams/PATHs/ACKs received (./peer-data-recv.ts), adverts → contacts (./advert-contacts.ts),
 * group channels (./group-messages.ts), room-server connections (./connections-table.ts).
 */
import { randomBytes } from 'node:crypto';
import { toHex } from '../bytes.js';
import type { MeshCoreMesh } from '../mesh/mesh-api.js';
import type { GroupChannelKey, McPath, MeshHandler, PeerMatch, ReceivedPacket } from '../mesh/mesh-handler.js';
import { encodeAdvertData, type AdvertData } from '../ota/advert-data.js';
import type { McPacket } from '../ota/packet.js';
import { REQ_TYPE } from '../ota/request-codes.js';
import * as adverts from './advert-contacts.js';
import type { ChatApp, ChatObserver, SendResult } from './chat-app.js';
import { ChannelTable, type ChannelSlot } from './channel-table.js';
import { ConnectionsTable } from './connections-table.js';
import { ContactsTable, type ContactInfo } from './contacts-table.js';
import * as dm from './dm-send.js';
import * as group from './group-messages.js';
import * as peer from './peer-data-recv.js';

export type { ChatApp, ChatObserver, SendResult } from './chat-app.js';
export { contactPath, packetPathLen, pathOfPacket } from './chat-paths.js';
export { MAX_CONNECTIONS } from './connections-table.js';
export { MAX_GROUP_DATA_LENGTH } from './group-messages.js';
export { SERVER_RESPONSE_DELAY, TXT_ACK_DELAY } from './peer-data-recv.js';
export { REQ_TYPE };

export interface ChatMeshOptions {
  mesh: MeshCoreMesh;
  app?: ChatApp;
  /** MAX_CONTACTS (100 default build, 350 in most board builds) and MAX_GROUP_CHANNELS. */
  maxContacts?: number;
  maxChannels?: number;
  /** Random bytes (ACK hash 6th byte, request blobs); default crypto.randomBytes. */
  randomBytes?: (n: number) => Uint8Array;
  observer?: ChatObserver;
}

export class ChatMesh implements MeshHandler {
  readonly mesh: MeshCoreMesh;
  readonly contacts: ContactsTable;
  readonly channels: ChannelTable;
  /** putBlobByKey: the last raw advert of each contact (hex key), route forced to FLOOD, transport codes dropped. */
  readonly advertBlobs = new Map<string, Uint8Array>();
  app: ChatApp;
  observer: ChatObserver | undefined;
  /** Random bytes (for ./dm-send.ts and ./peer-data-recv.ts). */
  readonly random: (n: number) => Uint8Array;
  /** Adverts processed by importContact (for ./advert-contacts.ts). */
  readonly imports = new adverts.AdvertImports();
  private readonly connections = new ConnectionsTable(() => this.rtcNow());
  /** getRTCClock()->getCurrentTimeUnique: strictly increasing seconds for tags. */
  private lastUnique = 0;

  constructor(options: ChatMeshOptions) {
    this.mesh = options.mesh;
    this.app = options.app ?? {};
    this.observer = options.observer;
    this.contacts = new ContactsTable(options.maxContacts ?? 100);
    this.channels = new ChannelTable(options.maxChannels ?? 40);
    this.random = options.randomBytes ?? ((n) => new Uint8Array(randomBytes(n)));
  }

  get selfKey(): Uint8Array {
    return this.mesh.self.publicKey;
  }

  rtcNow(): number {
    return Math.floor(this.mesh.rtcSeconds());
  }

  /** RTCClock::getCurrentTimeUnique. */
  rtcUnique(): number {
    const now = this.rtcNow();
    this.lastUnique = now > this.lastUnique ? now : this.lastUnique + 1;
    return this.lastUnique;
  }

  secretWith(c: ContactInfo): Uint8Array {
    return this.mesh.self.sharedSecret(c.publicKey);
  }

  // ---------------------------------------------------------------- sending

  /** BaseChatMesh::sendFloodScoped (both overloads: the app picks the scope). */
  sendFloodScoped(packet: McPacket, delayMs = 0): void {
    const o = this.app.floodOptions?.(packet) ?? {};
    this.mesh.sendFlood(packet, { ...o, delayMs });
  }

  /** createSelfAdvert(name[, lat, lon]) with our node type (ADV_TYPE_CHAT for a companion). */
  createSelfAdvert(data: AdvertData): McPacket {
    const p = this.mesh.createAdvert(encodeAdvertData(data));
    this.observer?.advertCreated?.(p);
    return p;
  }

  calcFloodTimeoutMs(airtimeMs: number): number {
    return dm.calcFloodTimeoutMs(airtimeMs);
  }

  calcDirectTimeoutMs(airtimeMs: number, hops: number): number {
    return dm.calcDirectTimeoutMs(airtimeMs, hops);
  }

  sendMessage(c: ContactInfo, senderTimestamp: number, attempt: number, text: Uint8Array): SendResult | undefined {
    return dm.sendMessage(this, c, senderTimestamp, attempt, text);
  }

  sendCommandData(c: ContactInfo, senderTimestamp: number, attempt: number, text: Uint8Array): SendResult | undefined {
    return dm.sendCommandData(this, c, senderTimestamp, attempt, text);
  }

  sendGroupMessage(senderTimestamp: number, channel: ChannelSlot, senderName: string, text: Uint8Array): boolean {
    return group.sendGroupMessage(this, senderTimestamp, channel, senderName, text);
  }

  sendGroupData(channel: ChannelSlot, path: McPath | undefined, dataType: number, payload: Uint8Array): boolean {
    return group.sendGroupData(this, channel, path, dataType, payload);
  }

  groupKey(channel: ChannelSlot): GroupChannelKey {
    return group.groupKey(channel);
  }

  sendLogin(c: ContactInfo, password: Uint8Array): SendResult {
    return dm.sendLogin(this, c, password);
  }

  sendAnonReq(c: ContactInfo, payload: Uint8Array): SendResult {
    return dm.sendAnonReq(this, c, payload);
  }

  sendRequestType(c: ContactInfo, reqType: number): SendResult {
    return dm.sendRequestType(this, c, reqType);
  }

  sendRequestData(c: ContactInfo, payload: Uint8Array, forceFlood = false): SendResult | undefined {
    return dm.sendRequestData(this, c, payload, forceFlood);
  }

  shareContactZeroHop(c: ContactInfo): boolean {
    return adverts.shareContactZeroHop(this, c);
  }

  /** exportContact: the stored raw advert (getBlobByKey), undefined when none. */
  exportContact(c: ContactInfo): Uint8Array | undefined {
    return this.advertBlobs.get(toHex(c.publicKey))?.slice();
  }

  importContact(raw: Uint8Array): boolean {
    return adverts.importContact(this, raw);
  }

  // ---------------------------------------------------------------- connections (room servers, keep-alive)

  /** startConnection: false when the table is full. */
  startConnection(c: ContactInfo, keepAliveSecs: number): boolean {
    return this.connections.start(c, keepAliveSecs);
  }

  stopConnection(publicKey: Uint8Array): void {
    this.connections.stop(publicKey);
  }

  hasConnectionTo(publicKey: Uint8Array): boolean {
    return this.connections.hasConnectionTo(publicKey);
  }

  markConnectionActive(c: ContactInfo): void {
    this.connections.markActive(c);
  }

  /** checkConnectionsAck: a keep-alive ACK (never armed: MyMesh does not run checkConnections in v1.17.1). */
  checkConnectionsAck(ack: number): ContactInfo | undefined {
    const key = this.connections.checkAck(ack);
    return key ? this.contacts.lookup(key) : undefined;
  }

  // ---------------------------------------------------------------- MeshHandler

  logRxRaw(raw: Uint8Array, snrDb: number, rssiDbm: number): void {
    this.app.logRxRaw?.(raw, snrDb, rssiDbm);
  }

  allowPacketForward(packet: McPacket): boolean {
    return this.app.allowPacketForward?.(packet) ?? false;
  }

  extraAckTransmitCount(): number {
    return this.app.extraAckTransmitCount?.() ?? 0;
  }

  airtimeBudgetFactor(): number {
    return this.app.airtimeBudgetFactor?.() ?? 1.0;
  }

  searchPeersByHash(hash: number): PeerMatch[] {
    return this.contacts.searchByHash(hash).map((c) => ({ publicKey: c.publicKey, secret: this.secretWith(c), ref: c }));
  }

  searchChannelsByHash(hash: number): GroupChannelKey[] {
    return this.channels.searchByHash(hash).map((ch) => this.groupKey(ch));
  }

  onPeerDataRecv(rx: ReceivedPacket, type: number, match: PeerMatch, data: Uint8Array): void {
    peer.onPeerDataRecv(this, rx, type, match, data);
  }

  onPeerPathRecv(rx: ReceivedPacket, match: PeerMatch, path: McPath, extraType: number, extra: Uint8Array): boolean {
    return peer.onPeerPathRecv(this, rx, match, path, extraType, extra);
  }

  onContactPathRecv(from: ContactInfo, path: McPath, extraType: number, extra: Uint8Array): boolean {
    return peer.onContactPathRecv(this, from, path, extraType, extra);
  }

  /** True when the ACK was ours: the mesh does not forward it (markDoNotRetransmit). */
  onAckRecv(rx: ReceivedPacket, ackCrc: number): boolean {
    return peer.onAckRecv(this, rx, ackCrc);
  }

  onGroupDataRecv(rx: ReceivedPacket, type: number, key: GroupChannelKey, data: Uint8Array): void {
    group.onGroupDataRecv(this, rx, type, key, data);
  }

  onAdvertRecv(rx: ReceivedPacket, advert: { publicKey: Uint8Array; timestamp: number; appData: Uint8Array }): void {
    adverts.onAdvertRecv(this, rx, advert);
  }

  onControlDataRecv(rx: ReceivedPacket): void {
    this.app.onControlDataRecv?.(rx);
  }

  onRawDataRecv(rx: ReceivedPacket): void {
    this.app.onRawDataRecv?.(rx);
  }

  onTraceRecv(rx: ReceivedPacket, trace: { tag: number; authCode: number; flags: number; snrs: Int8Array; hashes: Uint8Array }): void {
    this.app.onTraceRecv?.(rx, trace);
  }

  // ---------------------------------------------------------------- contacts as the device edits them

  addContact(c: ContactInfo): boolean {
    return adverts.addContact(this, c);
  }

  removeContact(publicKey: Uint8Array): boolean {
    return adverts.removeContact(this, publicKey);
  }
}
