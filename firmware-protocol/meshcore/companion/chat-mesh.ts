/**
 * A MeshCore chat node: src/helpers/BaseChatMesh.cpp as a MeshHandler (../mesh/mesh-handler.ts) over a MeshCoreMesh
 * (../mesh/mesh-api.ts). It owns the contacts learned from adverts, the group channels, the raw advert of every
 * contact (for share/export), composes and answers DMs (ACK codes, PATH returns), and sends the client requests
 * (login, status, telemetry, binary, anon). What the firmware leaves to a sub-class ("UI concepts": what to do with
 * a received message, which ACKs are expected, whether to auto-add) is a ChatApp: the companion device side
 * (./companion-radio.ts) and the simulator's remote nodes implement it.
 */
import { randomBytes } from 'node:crypto';
import { OUT_PATH_UNKNOWN } from '../codes.js';
import { toHex } from '../bytes.js';
import type { FloodOptions, MeshCoreMesh } from '../mesh/mesh-api.js';
import type { GroupChannelKey, McPath, MeshHandler, PeerMatch, ReceivedPacket } from '../mesh/mesh-handler.js';
import { ADV_TYPE, decodeAdvertData, encodeAdvertData, type AdvertData } from '../ota/advert-data.js';
import { verifySignature } from '../ota/identity.js';
import {
  decodePacket, decodePathLen, encodePacket, encodePathLen, packetHash, PAYLOAD_TYPE, PUB_KEY_SIZE, rawLength, ROUTE_TYPE, SIGNATURE_SIZE,
  type McPacket, type PathHashSize,
} from '../ota/packet.js';
import { decodeTextPayload, encodeTextPayload, MAX_TEXT_LEN, textAckCode, TXT_TYPE } from '../ota/text-payload.js';
import { REQ_TYPE } from '../ota/request-codes.js';
import { ChannelTable, type ChannelSlot } from './channel-table.js';
import { ContactsTable, newContactInfo, type ContactInfo } from './contacts-table.js';

/** BaseChatMesh.cpp TXT_ACK_DELAY / SERVER_RESPONSE_DELAY, ms. */
export const TXT_ACK_DELAY = 200;
export const SERVER_RESPONSE_DELAY = 300;
export { REQ_TYPE };
/** src/MeshCore.h MAX_GROUP_DATA_LENGTH = MAX_PACKET_PAYLOAD − CIPHER_BLOCK_SIZE − 3. */
export const MAX_GROUP_DATA_LENGTH = 184 - 16 - 3;
/** BaseChatMesh.h MAX_CONNECTIONS. */
export const MAX_CONNECTIONS = 16;
/** MyMesh.cpp timeout formula constants (SEND_TIMEOUT_BASE_MILLIS …). */
const SEND_TIMEOUT_BASE_MILLIS = 500;
const FLOOD_SEND_TIMEOUT_FACTOR = 16.0;
const DIRECT_SEND_PERHOP_FACTOR = 6.0;
const DIRECT_SEND_PERHOP_EXTRA_MILLIS = 250;

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

interface Connection {
  publicKey: Uint8Array;
  keepAliveMs: number;
  lastActivity: number;
  expectedAck: number;
}

function u32le(b: Uint8Array, at = 0): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function u32bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** The text of a decrypted payload: up to the first NUL (the cipher pads with zeros). */
function cText(data: Uint8Array, from: number): Uint8Array {
  const z = data.indexOf(0, from);
  return data.subarray(from, z < 0 ? data.length : z);
}

/** A contact's out_path as a McPath (path_len byte → hash size and count). */
export function contactPath(c: Pick<ContactInfo, 'outPathLen' | 'outPath'>): McPath {
  const pl = decodePathLen(c.outPathLen) ?? { size: 1 as PathHashSize, count: 0 };
  return { hashSize: pl.size, bytes: c.outPath.slice(0, pl.size * pl.count) };
}

export function pathOfPacket(p: McPacket): McPath {
  return { hashSize: p.pathHashSize, bytes: p.path };
}

/** The path_len byte of a packet as received (for frames: PUSH, message path_len). */
export function packetPathLen(p: McPacket): number {
  return encodePathLen(p.pathHashSize, p.path.length / p.pathHashSize);
}

export class ChatMesh implements MeshHandler {
  readonly mesh: MeshCoreMesh;
  readonly contacts: ContactsTable;
  readonly channels: ChannelTable;
  /** putBlobByKey: the last raw advert of each contact (hex key), route forced to FLOOD, transport codes dropped. */
  readonly advertBlobs = new Map<string, Uint8Array>();
  app: ChatApp;
  observer: ChatObserver | undefined;
  private readonly random: (n: number) => Uint8Array;
  private readonly connections: Connection[] = [];
  /**
   * Packet hashes of adverts processed by importContact: the firmware loops an import back through onRecvPacket,
   * which marks its hash seen, so the same advert heard later over the air is a duplicate. Bounded.
   */
  private readonly imported: string[] = [];
  private importing = false;
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

  private changed(): void {
    this.app.onStateChanged?.();
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

  /** Radio::getEstAirtimeFor(pkt->getRawLength()), whole ms as the firmware's uint32. */
  private airtime(p: McPacket): number {
    return Math.floor(this.mesh.airtimeMs(rawLength(p)));
  }

  calcFloodTimeoutMs(airtimeMs: number): number {
    return Math.trunc(SEND_TIMEOUT_BASE_MILLIS + FLOOD_SEND_TIMEOUT_FACTOR * airtimeMs);
  }

  calcDirectTimeoutMs(airtimeMs: number, hops: number): number {
    return Math.trunc(SEND_TIMEOUT_BASE_MILLIS + (airtimeMs * DIRECT_SEND_PERHOP_FACTOR + DIRECT_SEND_PERHOP_EXTRA_MILLIS) * ((hops & 63) + 1));
  }

  /** Flood when no out_path is known, else direct along it (every sendMessage/sendRequest/sendLogin). */
  private sendToContact(c: ContactInfo, p: McPacket, code: number): SendResult {
    const t = this.airtime(p);
    if (c.outPathLen === OUT_PATH_UNKNOWN) {
      this.sendFloodScoped(p);
      return { flood: true, estTimeoutMs: this.calcFloodTimeoutMs(t), code };
    }
    this.mesh.sendDirect(p, contactPath(c));
    return { flood: false, estTimeoutMs: this.calcDirectTimeoutMs(t, c.outPathLen & 63), code };
  }

  /**
   * composeMsgPacket + sendMessage: TXT_MSG plain; expected ACK = SHA-256(ts · attempt&3 · text ‖ our key)[0..4].
   * undefined (MSG_SEND_FAILED) for a text over MAX_TEXT_LEN bytes (MAX_TEXT_LEN − 2 from attempt 4 on).
   */
  sendMessage(c: ContactInfo, senderTimestamp: number, attempt: number, text: Uint8Array): SendResult | undefined {
    const body = cText(text, 0);
    if (body.length > MAX_TEXT_LEN || (attempt > 3 && body.length > MAX_TEXT_LEN - 2)) return undefined;
    const plain = encodeTextPayload({ senderTimestamp, txtType: TXT_TYPE.PLAIN, attempt, text: '' });
    const data = new Uint8Array(plain.length + body.length + (attempt > 3 ? 2 : 0));
    data.set(plain.subarray(0, 5));
    data.set(body, 5);
    if (attempt > 3) data[data.length - 1] = attempt & 0xff;
    const ack = textAckCode(data, 5 + body.length, this.selfKey);
    const r = this.sendToContact(c, this.mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, c.publicKey, this.secretWith(c), data), ack);
    this.observer?.messageSent?.(c, senderTimestamp, attempt, body, r);
    return r;
  }

  /** sendCommandData: TXT_MSG of type CLI_DATA (no ACK expected). */
  sendCommandData(c: ContactInfo, senderTimestamp: number, attempt: number, text: Uint8Array): SendResult | undefined {
    const body = cText(text, 0);
    if (body.length > MAX_TEXT_LEN) return undefined;
    const data = new Uint8Array(5 + body.length);
    new DataView(data.buffer).setUint32(0, senderTimestamp >>> 0, true);
    data[4] = (attempt & 3) | (TXT_TYPE.CLI_DATA << 2);
    data.set(body, 5);
    return this.sendToContact(c, this.mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, c.publicKey, this.secretWith(c), data), 0);
  }

  /** sendGroupMessage: "<sender>: <text>", cut so the two fit MAX_TEXT_LEN bytes; always a scoped flood. */
  sendGroupMessage(senderTimestamp: number, channel: ChannelSlot, senderName: string, text: Uint8Array): boolean {
    const prefix = new TextEncoder().encode(`${senderName}: `);
    const body = cText(text, 0);
    const n = Math.max(0, Math.min(body.length, MAX_TEXT_LEN - prefix.length));
    const data = new Uint8Array(5 + prefix.length + n);
    new DataView(data.buffer).setUint32(0, senderTimestamp >>> 0, true);
    data[4] = TXT_TYPE.PLAIN;
    data.set(prefix, 5);
    data.set(body.subarray(0, n), 5 + prefix.length);
    this.sendFloodScoped(this.mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_TXT, this.groupKey(channel), data));
    this.observer?.groupMessageSent?.(channel, senderTimestamp, data.subarray(5));
    return true;
  }

  /** sendGroupData: data_type u16 · len · data; flood (path undefined) or direct along `path`. */
  sendGroupData(channel: ChannelSlot, path: McPath | undefined, dataType: number, payload: Uint8Array): boolean {
    if (payload.length > MAX_GROUP_DATA_LENGTH) return false;
    const data = new Uint8Array(3 + payload.length);
    data[0] = dataType & 0xff;
    data[1] = (dataType >> 8) & 0xff;
    data[2] = payload.length;
    data.set(payload, 3);
    const p = this.mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_DATA, this.groupKey(channel), data);
    if (path) this.mesh.sendDirect(p, path);
    else this.sendFloodScoped(p);
    return true;
  }

  groupKey(channel: ChannelSlot): GroupChannelKey {
    return { hash: channel.hash, secret: channel.secret, ref: channel };
  }

  /** sendLogin: ANON_REQ of ts · [sync_since, rooms] · password (≤ 15 bytes). */
  sendLogin(c: ContactInfo, password: Uint8Array): SendResult {
    const pw = cText(password, 0).subarray(0, 15);
    const room = c.type === ADV_TYPE.ROOM;
    const data = new Uint8Array((room ? 8 : 4) + pw.length);
    data.set(u32bytes(this.rtcUnique()));
    if (room) data.set(u32bytes(c.syncSince), 4);
    data.set(pw, room ? 8 : 4);
    const p = this.mesh.createAnonDatagram(PAYLOAD_TYPE.ANON_REQ, c.publicKey, this.secretWith(c), data);
    return this.sendToContact(c, p, 0);
  }

  /** sendAnonReq: ANON_REQ of tag · data; the tag is getCurrentTimeUnique. */
  sendAnonReq(c: ContactInfo, payload: Uint8Array): SendResult {
    const tag = this.rtcUnique();
    const data = new Uint8Array(4 + payload.length);
    data.set(u32bytes(tag));
    data.set(payload, 4);
    return this.sendToContact(c, this.mesh.createAnonDatagram(PAYLOAD_TYPE.ANON_REQ, c.publicKey, this.secretWith(c), data), tag);
  }

  /** sendRequest(req_type): tag · type · 4 reserved · 4 random (13 bytes). */
  sendRequestType(c: ContactInfo, reqType: number): SendResult {
    const tag = this.rtcUnique();
    const data = new Uint8Array(13);
    data.set(u32bytes(tag));
    data[4] = reqType;
    data.set(this.random(4), 9);
    return this.sendToContact(c, this.mesh.createDatagram(PAYLOAD_TYPE.REQ, c.publicKey, this.secretWith(c), data), tag);
  }

  /** sendRequest(req_data): tag · data; undefined past MAX_PACKET_PAYLOAD − 16. */
  sendRequestData(c: ContactInfo, payload: Uint8Array, forceFlood = false): SendResult | undefined {
    if (payload.length > 184 - 16) return undefined;
    const tag = this.rtcUnique();
    const data = new Uint8Array(4 + payload.length);
    data.set(u32bytes(tag));
    data.set(payload, 4);
    const p = this.mesh.createDatagram(PAYLOAD_TYPE.REQ, c.publicKey, this.secretWith(c), data);
    return this.sendToContact(forceFlood ? { ...c, outPathLen: OUT_PATH_UNKNOWN } : c, p, tag);
  }

  /** shareContactZeroHop: the stored advert, zero-hop with transport codes {0,0} ("send this nowhere" further). */
  shareContactZeroHop(c: ContactInfo): boolean {
    const blob = this.advertBlobs.get(toHex(c.publicKey));
    if (!blob) return false;
    let p: McPacket;
    try {
      p = decodePacket(blob);
    } catch {
      return false;
    }
    this.mesh.sendZeroHop({ ...p, path: new Uint8Array(0) }, { transportCodes: [0, 0] });
    return true;
  }

  /** exportContact: the stored raw advert (getBlobByKey), undefined when none. */
  exportContact(c: ContactInfo): Uint8Array | undefined {
    return this.advertBlobs.get(toHex(c.publicKey))?.slice();
  }

  /**
   * importContact: a raw ADVERT packet processed as if heard by flood (the firmware loops it back through
   * onRecvPacket after clearing its hash from the tables). We verify its signature here as Mesh::onRecvPacket
   * would: a bad one is accepted (OK) and silently dropped, as on the radio.
   */
  importContact(raw: Uint8Array): boolean {
    let p: McPacket;
    try {
      p = decodePacket(raw);
    } catch {
      return false;
    }
    if (p.payloadType !== PAYLOAD_TYPE.ADVERT) return false;
    const pl = p.payload;
    if (pl.length < PUB_KEY_SIZE + 4 + SIGNATURE_SIZE) return true;
    const publicKey = pl.slice(0, PUB_KEY_SIZE);
    const timestamp = u32le(pl, PUB_KEY_SIZE);
    const appData = pl.slice(PUB_KEY_SIZE + 4 + SIGNATURE_SIZE);
    const signed = new Uint8Array(PUB_KEY_SIZE + 4 + appData.length);
    signed.set(pl.subarray(0, PUB_KEY_SIZE + 4));
    signed.set(appData, PUB_KEY_SIZE + 4);
    if (!verifySignature(publicKey, signed, pl.subarray(PUB_KEY_SIZE + 4, PUB_KEY_SIZE + 4 + SIGNATURE_SIZE))) return true;
    const packet: McPacket = { ...p, routeType: p.routeType === ROUTE_TYPE.DIRECT || p.routeType === ROUTE_TYPE.TRANSPORT_DIRECT ? ROUTE_TYPE.FLOOD : p.routeType };
    this.imported.push(toHex(packetHash(p)));
    if (this.imported.length > 32) this.imported.shift();
    const rx: ReceivedPacket = { packet, raw: raw.slice(), snrDb: 0, rssiDbm: 0, receivedAt: Date.now() };
    this.importing = true;
    try {
      this.onAdvertRecv(rx, { publicKey, timestamp, appData });
    } finally {
      this.importing = false;
    }
    return true;
  }

  // ---------------------------------------------------------------- connections (room servers, keep-alive)

  /** startConnection: false when the table is full. */
  startConnection(c: ContactInfo, keepAliveSecs: number): boolean {
    let slot = this.connections.find((x) => x.publicKey.every((b, i) => b === c.publicKey[i]));
    if (!slot) {
      if (this.connections.length >= MAX_CONNECTIONS) return false;
      slot = { publicKey: c.publicKey.slice(), keepAliveMs: 0, lastActivity: 0, expectedAck: 0 };
      this.connections.push(slot);
    }
    slot.keepAliveMs = keepAliveSecs * 1000;
    slot.expectedAck = 0;
    slot.lastActivity = this.rtcNow();
    return true;
  }

  stopConnection(publicKey: Uint8Array): void {
    const i = this.connections.findIndex((x) => x.publicKey.every((b, j) => b === publicKey[j]));
    if (i >= 0) this.connections.splice(i, 1);
  }

  hasConnectionTo(publicKey: Uint8Array): boolean {
    return this.connections.some((x) => x.keepAliveMs > 0 && x.publicKey.every((b, j) => b === publicKey[j]));
  }

  markConnectionActive(c: ContactInfo): void {
    const x = this.connections.find((y) => y.publicKey.every((b, j) => b === c.publicKey[j]));
    if (x) x.lastActivity = this.rtcNow();
  }

  /** checkConnectionsAck: a keep-alive ACK (never armed: MyMesh does not run checkConnections in v1.17.1). */
  checkConnectionsAck(ack: number): ContactInfo | undefined {
    const x = this.connections.find((y) => y.keepAliveMs > 0 && y.expectedAck !== 0 && y.expectedAck === ack);
    if (!x) return undefined;
    x.expectedAck = 0;
    x.lastActivity = this.rtcNow();
    return this.contacts.lookup(x.publicKey);
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

  private contactOf(peer: PeerMatch): ContactInfo | undefined {
    const ref = peer.ref as ContactInfo | undefined;
    return ref && typeof ref === 'object' && 'publicKey' in ref ? ref : this.contacts.lookup(peer.publicKey);
  }

  /** sendAckTo: flood when no path (delay TXT_ACK_DELAY), else direct, with a MULTIPART ACK first when multi_acks. */
  private sendAckTo(c: ContactInfo, ack: Uint8Array): void {
    if (c.outPathLen === OUT_PATH_UNKNOWN) {
      this.sendFloodScoped(this.mesh.createAck(ack), TXT_ACK_DELAY);
      return;
    }
    let d = TXT_ACK_DELAY;
    const path = contactPath(c);
    if (this.extraAckTransmitCount() > 0) {
      this.mesh.sendDirect(this.mesh.createMultiAck(u32le(ack), 1), path, d);
      d += 300;
    }
    this.mesh.sendDirect(this.mesh.createAck(ack), path, d);
  }

  onPeerDataRecv(rx: ReceivedPacket, type: number, peer: PeerMatch, data: Uint8Array): void {
    const from = this.contactOf(peer);
    if (!from) return;
    const flood = rx.packet.routeType === ROUTE_TYPE.FLOOD || rx.packet.routeType === ROUTE_TYPE.TRANSPORT_FLOOD;
    if (type === PAYLOAD_TYPE.TXT_MSG && data.length > 5) {
      const t = decodeTextPayload(data);
      if (!t) return;
      const flags = data[4] >> 2;
      if (flags === TXT_TYPE.PLAIN) {
        from.lastMod = this.rtcNow();
        this.app.onMessageRecv?.(from, rx, t.senderTimestamp, t.textBytes, t.attempt);
        const textLen = t.textBytes.length;
        const ack = new Uint8Array(6);
        ack.set(u32bytes(textAckCode(data, 5 + textLen, from.publicKey)));
        // The extended attempt byte (or the padding zero) after the text's NUL keeps packet hashes unique.
        ack[4] = data[5 + textLen + 1] ?? 0;
        ack[5] = this.random(1)[0];
        if (flood) {
          this.sendFloodScoped(this.mesh.createPathReturn(from.publicKey, peer.secret, pathOfPacket(rx.packet), PAYLOAD_TYPE.ACK, ack), TXT_ACK_DELAY);
        } else {
          this.sendAckTo(from, ack);
        }
        this.changed();
      } else if (flags === TXT_TYPE.CLI_DATA) {
        this.app.onCommandDataRecv?.(from, rx, t.senderTimestamp, t.textBytes);
        if (flood) this.sendFloodScoped(this.mesh.createPathReturn(from.publicKey, peer.secret, pathOfPacket(rx.packet), 0, new Uint8Array(0)));
      } else if (flags === TXT_TYPE.SIGNED_PLAIN && data.length >= 9) {
        if (t.senderTimestamp > from.syncSince) from.syncSince = t.senderTimestamp;
        from.lastMod = this.rtcNow();
        this.app.onSignedMessageRecv?.(from, rx, t.senderTimestamp, data.slice(5, 9), t.textBytes);
        const ack = u32bytes(textAckCode(data, 9 + t.textBytes.length, this.selfKey));
        if (flood) {
          this.sendFloodScoped(this.mesh.createPathReturn(from.publicKey, peer.secret, pathOfPacket(rx.packet), PAYLOAD_TYPE.ACK, ack), TXT_ACK_DELAY);
        } else {
          this.sendAckTo(from, ack);
        }
        this.changed();
      }
    } else if (type === PAYLOAD_TYPE.REQ && data.length > 4) {
      const reply = this.app.onContactRequest?.(from, u32le(data), data.subarray(4));
      if (!reply || reply.length === 0) return;
      if (flood) {
        this.sendFloodScoped(this.mesh.createPathReturn(from.publicKey, peer.secret, pathOfPacket(rx.packet), PAYLOAD_TYPE.RESPONSE, reply), SERVER_RESPONSE_DELAY);
      } else {
        const p = this.mesh.createDatagram(PAYLOAD_TYPE.RESPONSE, from.publicKey, peer.secret, reply);
        if (from.outPathLen !== OUT_PATH_UNKNOWN) this.mesh.sendDirect(p, contactPath(from), SERVER_RESPONSE_DELAY);
        else this.sendFloodScoped(p, SERVER_RESPONSE_DELAY);
      }
    } else if (type === PAYLOAD_TYPE.RESPONSE && data.length > 0) {
      this.app.onContactResponse?.(from, data);
      if (flood && from.outPathLen !== OUT_PATH_UNKNOWN) this.handleReturnPathRetry(from, rx.packet);
    }
  }

  /** handleReturnPathRetry: they still flood to us although we have a path: send our path back, direct, in 3 s. */
  private handleReturnPathRetry(c: ContactInfo, p: McPacket): void {
    this.mesh.sendDirect(this.mesh.createPathReturn(c.publicKey, this.secretWith(c), pathOfPacket(p), 0, new Uint8Array(0)), contactPath(c), 3000);
  }

  onPeerPathRecv(rx: ReceivedPacket, peer: PeerMatch, path: McPath, extraType: number, extra: Uint8Array): boolean {
    const from = this.contactOf(peer);
    if (!from) return false;
    const handled = this.app.onContactPathRecv?.(from, pathOfPacket(rx.packet), path, extraType, extra);
    if (handled !== undefined) return handled;
    return this.onContactPathRecv(from, path, extraType, extra);
  }

  /** BaseChatMesh::onContactPathRecv: replace the out_path, then the ACK or RESPONSE it carries. */
  onContactPathRecv(from: ContactInfo, path: McPath, extraType: number, extra: Uint8Array): boolean {
    from.outPath = new Uint8Array(64);
    from.outPath.set(path.bytes.subarray(0, 64));
    from.outPathLen = encodePathLen(path.hashSize, path.bytes.length / path.hashSize);
    from.lastMod = this.rtcNow();
    this.app.onContactPathUpdated?.(from);
    this.changed();
    if (extraType === PAYLOAD_TYPE.ACK && extra.length >= 4) {
      this.app.processAck?.(u32le(extra));
    } else if (extraType === PAYLOAD_TYPE.RESPONSE && extra.length > 0) {
      this.app.onContactResponse?.(from, extra);
    }
    return true;
  }

  onAckRecv(rx: ReceivedPacket, ackCrc: number): void {
    const from = this.app.processAck?.(ackCrc >>> 0);
    if (!from) return;
    const flood = rx.packet.routeType === ROUTE_TYPE.FLOOD || rx.packet.routeType === ROUTE_TYPE.TRANSPORT_FLOOD;
    if (flood && from.outPathLen !== OUT_PATH_UNKNOWN) this.handleReturnPathRetry(from, rx.packet);
  }

  onGroupDataRecv(rx: ReceivedPacket, type: number, key: GroupChannelKey, data: Uint8Array): void {
    const idx = this.channels.findIndex(key.secret);
    const channel = (key.ref as ChannelSlot | undefined) ?? (idx >= 0 ? this.channels.get(idx) : undefined);
    if (!channel) return;
    if (type === PAYLOAD_TYPE.GRP_TXT) {
      if (data.length < 5 || data[4] >> 2 !== 0) return;
      this.app.onChannelMessageRecv?.(channel, rx, u32le(data), cText(data, 5));
    } else if (type === PAYLOAD_TYPE.GRP_DATA) {
      if (data.length < 3) return;
      const dataType = data[0] | (data[1] << 8);
      const n = data[2];
      if (n > data.length - 3) return;
      this.app.onChannelDataRecv?.(channel, rx, dataType, data.subarray(3, 3 + n));
    }
  }

  /** BaseChatMesh::onAdvertRecv (+ allocateContactSlot): learn or refresh a contact; replays are dropped. */
  onAdvertRecv(rx: ReceivedPacket, advert: { publicKey: Uint8Array; timestamp: number; appData: Uint8Array }): void {
    const parsed = decodeAdvertData(advert.appData);
    if (!parsed || !parsed.name) return;
    if (this.imported.length > 0 && this.imported.includes(toHex(packetHash(rx.packet))) && !this.importing) return;
    let from = this.contacts.lookup(advert.publicKey);
    if (from && advert.timestamp <= from.lastAdvert) return; // replay check
    // The raw advert, saved with route FLOOD and without transport codes (for Share / Export).
    const blob = encodePacket({ ...rx.packet, routeType: ROUTE_TYPE.FLOOD, transportCodes: [0, 0] });
    if (from && this.contacts.isAnon(from)) {
      this.contacts.dropAnon(from);
      from = undefined;
    }
    const populate = (): ContactInfo => newContactInfo(advert.publicKey, {
      type: parsed.type, name: parsed.name ?? '', lat: parsed.lat !== undefined ? Math.round(parsed.lat * 1e6) : 0,
      lon: parsed.lon !== undefined ? Math.round(parsed.lon * 1e6) : 0, lastAdvert: advert.timestamp, lastMod: this.rtcNow(),
    });
    if (!from) {
      if (!(this.app.shouldAutoAddContactType?.(parsed.type) ?? true)) {
        this.app.onDiscoveredContact?.(populate(), true, rx);
        return;
      }
      const maxHops = this.app.autoAddMaxHops?.() ?? 0;
      if (maxHops > 0 && rx.packet.path.length / rx.packet.pathHashSize >= maxHops) {
        this.app.onDiscoveredContact?.(populate(), true, rx);
        return;
      }
      if (this.contacts.isFull()) {
        const gone = this.app.shouldOverwriteWhenFull?.() ? this.contacts.evictOldest() : undefined;
        if (!gone) {
          this.app.onDiscoveredContact?.(populate(), true, rx);
          this.app.onContactsFull?.();
          return;
        }
        this.advertBlobs.delete(toHex(gone.publicKey));
        this.app.onContactOverwrite?.(gone.publicKey);
      }
      from = populate();
      this.contacts.push(from);
    }
    this.advertBlobs.set(toHex(advert.publicKey), blob);
    from.name = parsed.name;
    from.type = parsed.type;
    if (parsed.lat !== undefined && parsed.lon !== undefined) {
      from.lat = Math.round(parsed.lat * 1e6);
      from.lon = Math.round(parsed.lon * 1e6);
    }
    from.lastAdvert = advert.timestamp;
    from.lastMod = this.rtcNow();
    // v1.17.1 never sets is_new in this flow: added and known contacts both get PUSH_CODE_ADVERT.
    this.app.onDiscoveredContact?.(from, false, rx);
    this.changed();
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

  /** addContact: a full record from the app (CMD_ADD_UPDATE_CONTACT); false when full (no overwrite here). */
  addContact(c: ContactInfo): boolean {
    if (c.type === ADV_TYPE.NONE) {
      this.contacts.putAnon(c);
      return true;
    }
    if (this.contacts.isFull()) {
      if (!this.app.shouldOverwriteWhenFull?.()) return false;
      const gone = this.contacts.evictOldest();
      if (!gone) return false;
      this.advertBlobs.delete(toHex(gone.publicKey));
      this.app.onContactOverwrite?.(gone.publicKey);
    }
    this.contacts.push(c);
    this.changed();
    return true;
  }

  removeContact(publicKey: Uint8Array): boolean {
    const gone = this.contacts.remove(publicKey);
    if (!gone) return false;
    this.advertBlobs.delete(toHex(gone.publicKey));
    this.changed();
    return true;
  }
}
