/**
 * The device half of the companion protocol (examples/companion_radio/MyMesh.cpp): the CompanionDevice of
 * ./companion-device.ts over a ChatMesh (./chat-mesh.ts). MyMesh is a BaseChatMesh sub-class; here the device is
 * the ChatMesh's ChatApp. Shared device state (prefs, contacts, channels, the expected-ACK table, advert paths) lives
 * here; what the firmware keeps once for its one app connection (app_target_ver, the offline queue, the contacts
 * iterator, sign buffer, pending request matchers, the flood-scope override) lives in each client's Session
 * (./companion-session.ts). The command handlers are in ./commands-device.ts and ./commands-mesh.ts; the fan-out of
 * frames to the clients in ./client-fanout.ts, the frames built from received packets in ./push-frames.ts, the
 * expected-ACK table in ./expected-acks.ts and the advert paths in ./advert-paths.ts.
 */
import type { Clock } from '../../../lib/clock/clock.js';
import { FrameWriter, toHex } from '../bytes.js';
import { ERR_CODE, PUSH, RESP } from '../codes.js';
import { writeContactRecord } from '../contact-record.js';
import { encodeSendConfirmed } from '../device-frames.js';
import type { FloodOptions } from '../mesh/mesh-api.js';
import type { McPath, ReceivedPacket } from '../mesh/mesh-handler.js';
import { ADV_TYPE } from '../ota/advert-data.js';
import type { McPacket, PathHashSize } from '../ota/packet.js';
import { TXT_TYPE } from '../ota/text-payload.js';
import { recordAdvertPath, type AdvertPath } from './advert-paths.js';
import type { ChatApp, ChatMesh } from './chat-mesh.js';
import type { ChannelSlot } from './channel-table.js';
import { ClientFanout } from './client-fanout.js';
import type { CompanionClient, CompanionDevice, CompanionSession } from './companion-device.js';
import type { CompanionMetrics } from './companion-metrics.js';
import type { CompanionState, CompanionStore } from './companion-store.js';
import { MemoryCompanionStore } from './companion-store.js';
import type { CompanionRadioOptions } from './companion-radio-options.js';
import { type ContactInfo } from './contacts-table.js';
import { ContactsIterator } from './contacts-iterator.js';
import { ExpectedAcks, type ExpectedAck } from './expected-acks.js';
import { isNullScopeKey, transportCode } from './flood-scope.js';
import { DEFAULT_BUILD, defaultPrefs, type CompanionBuild, type NodePrefs } from './node-prefs.js';
import { Session } from './companion-session.js';
import { applyChannels } from './channel-spec.js';
import { handleDeviceCommand } from './commands-device.js';
import { handleMeshCommand } from './commands-mesh.js';
import * as frames from './push-frames.js';
import { telemetryReply } from './telemetry.js';
import { LazyWrite } from './lazy-write.js';

export { ADVERT_PATH_TABLE_SIZE, type AdvertPath } from './advert-paths.js';

export { LAZY_WRITE_DELAY_MS } from './lazy-write.js';
export type { CompanionRadioOptions } from './companion-radio-options.js';
export class CompanionRadio implements CompanionDevice, ChatApp {
  readonly chat: ChatMesh;
  readonly clock: Clock;
  readonly store: CompanionStore;
  readonly build: CompanionBuild;
  readonly advType: number;
  prefs: NodePrefs;
  private readonly fanout: ClientFanout;
  private readonly expectedAcks = new ExpectedAcks();
  /** CMD_GET_CONTACTS, paced (one iterator per client). */
  readonly contactsIterator: ContactsIterator;
  readonly advertPaths: AdvertPath[] = [];
  readonly bootMs: number;
  /** The session whose command is being handled (replies and its flood scope). */
  current: Session | undefined;
  private readonly initialPrefs: Partial<NodePrefs>;
  private readonly lazyWrite: LazyWrite;
  private stopped = false;

  constructor(readonly options: CompanionRadioOptions) {
    this.chat = options.chat;
    this.clock = options.clock;
    this.store = options.store ?? new MemoryCompanionStore();
    this.build = { ...DEFAULT_BUILD, ...options.build };
    this.advType = options.advType ?? ADV_TYPE.CHAT;
    this.initialPrefs = options.prefs ?? {};
    this.prefs = { ...defaultPrefs(this.chat.selfKey), ...this.initialPrefs };
    this.bootMs = this.clock.now();
    this.lazyWrite = new LazyWrite(this.clock, () => this.save());
    this.contactsIterator = new ContactsIterator(() => this.chat.contacts.all());
    this.fanout = new ClientFanout(() => this.build.offlineQueueSize, options.metrics);
    this.chat.app = this;
  }

  /** The attached clients. */
  get sessions(): Set<Session> {
    return this.fanout.sessions;
  }

  /** Frames that arrived while no client was attached: handed to the next client that attaches. */
  get backlog(): Uint8Array[] {
    return this.fanout.backlog;
  }

  set backlog(frames: Uint8Array[]) {
    this.fanout.backlog = frames;
  }

  /** expected_ack_table (EXPECTED_ACK_TABLE_SIZE entries). */
  get ackTable(): Array<ExpectedAck | undefined> {
    return this.expectedAcks.entries;
  }

  /** MyMesh::begin: load prefs, contacts, channels (Public first) from the store. */
  async start(): Promise<void> {
    const s = await this.store.load();
    if (s) this.restore(s);
    if (this.options.channels) applyChannels(this.chat.channels, this.options.channels);
  }

  private restore(s: CompanionState): void {
    this.prefs = { ...s.prefs };
    this.chat.contacts.replaceAll(s.contacts);
    this.chat.channels.reset();
    for (const c of s.channels) this.chat.channels.set(c.index, c.name, c.secret);
    this.chat.advertBlobs.clear();
    for (const [k, v] of s.advertBlobs) this.chat.advertBlobs.set(k, v);
  }

  /** Writes pending changes and drops every client. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.lazyWrite.stop();
    for (const s of [...this.sessions]) s.close('device stopped');
    await this.saveNow();
  }

  // ---------------------------------------------------------------- CompanionDevice

  attach(client: CompanionClient, kind: string): CompanionSession {
    const s = new Session(this, client, kind);
    this.fanout.add(s);
    this.options.metrics?.clientAttached?.(kind);
    return s;
  }

  clients(): number {
    return this.sessions.size;
  }

  /** Called by Session.detach. */
  detached(s: Session): void {
    if (this.fanout.delete(s)) this.options.metrics?.clientDetached?.(s.kind);
  }

  // ---------------------------------------------------------------- frames out

  /** A reply to the client whose command is being handled. */
  reply(frame: Uint8Array): void {
    this.current?.write(frame);
  }

  ok(): void {
    this.reply(Uint8Array.of(RESP.OK));
  }

  err(code: number): void {
    this.reply(Uint8Array.of(RESP.ERR, code));
  }

  /** A push (0x80–0x90) to every attached client; none attached = not "connected", nothing to do. */
  push(frame: Uint8Array): void {
    this.fanout.push(frame);
  }

  /** MyMesh::addToOfflineQueue for every client (or the backlog), then PUSH_CODE_MSG_WAITING to all. */
  queueForClients(build: (v3: boolean) => Uint8Array): void {
    this.fanout.queueForClients(build);
  }

  dropped(reason: Parameters<NonNullable<CompanionMetrics['dropped']>>[0]): void {
    this.options.metrics?.dropped?.(reason);
  }

  // ---------------------------------------------------------------- state helpers

  millis(): number {
    return this.clock.now() - this.bootMs;
  }

  rtcNow(): number {
    return this.chat.rtcNow();
  }

  battery(): number {
    const v = this.options.batteryMilliVolts?.();
    return v === undefined || !Number.isFinite(v) ? 0 : Math.max(0, Math.min(0xffff, Math.round(v)));
  }

  /** dirty_contacts_expiry / savePrefs: persist lazily (5 s after the last change), as the firmware does. */
  markDirty(): void {
    this.lazyWrite.mark();
  }

  snapshot(): CompanionState {
    return {
      prefs: { ...this.prefs },
      contacts: this.chat.contacts.all().map((c) => ({ ...c })),
      channels: this.chat.channels.all().map((c) => ({ index: c.index, name: c.name, secret: c.secret })),
      advertBlobs: new Map(this.chat.advertBlobs),
    };
  }

  async saveNow(): Promise<void> {
    await this.lazyWrite.flush();
  }

  private async save(): Promise<void> {
    try {
      await this.store.save(this.snapshot());
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  /** CMD_FACTORY_RESET: formatFileSystem, then the firmware reboots with defaults (a new identity is not made: the
   * node's key belongs to its owner, the relay). */
  async factoryReset(): Promise<boolean> {
    try {
      await this.store.format();
    } catch (err) {
      this.options.onError?.(err);
      return false;
    }
    this.prefs = { ...defaultPrefs(this.chat.selfKey), ...this.initialPrefs };
    this.chat.contacts.replaceAll([]);
    this.chat.channels.reset();
    this.chat.advertBlobs.clear();
    this.advertPaths.length = 0;
    this.expectedAcks.clear();
    return true;
  }

  /** board.reboot(): RAM state goes, the clients are dropped (they reconnect and start over). */
  reboot(): void {
    void this.saveNow();
    this.expectedAcks.clear();
    this.backlog = [];
    if (this.options.onReboot) this.options.onReboot();
    else for (const s of [...this.sessions]) s.close('reboot');
  }

  /** The advert we send (createSelfAdvert with or without location, advert_loc_policy). */
  selfAdvert(): McPacket {
    const withLoc = this.prefs.advertLocPolicy !== 0;
    return this.chat.createSelfAdvert({
      type: this.advType, name: this.prefs.nodeName,
      ...(withLoc ? { lat: this.prefs.lat / 1e6, lon: this.prefs.lon / 1e6 } : {}),
    });
  }

  /** The flood scope in force: the current client's override, else the default scope (MyMesh::sendFloodScoped). */
  private scopeKey(): Uint8Array | undefined {
    const s = this.current;
    if (s?.sendUnscoped) return undefined;
    const key = s && !isNullScopeKey(s.sendScope) ? s.sendScope : this.prefs.defaultScopeKey;
    return isNullScopeKey(key) ? undefined : key;
  }

  /** Scoped flood of a packet with an explicit key (CMD_SEND_SELF_ADVERT uses the default scope only). */
  floodWithKey(packet: McPacket, key: Uint8Array | undefined, delayMs = 0): void {
    const pathHashSize = (this.prefs.pathHashMode + 1) as PathHashSize;
    if (!key || isNullScopeKey(key)) this.chat.mesh.sendFlood(packet, { delayMs, pathHashSize });
    else this.chat.mesh.sendFlood(packet, { delayMs, pathHashSize, transportCodes: [transportCode(key, packet), 0] });
  }

  // ---------------------------------------------------------------- ChatApp (MyMesh overrides)

  floodOptions(packet: McPacket): FloodOptions {
    const pathHashSize = (this.prefs.pathHashMode + 1) as PathHashSize;
    const key = this.scopeKey();
    return key ? { pathHashSize, transportCodes: [transportCode(key, packet), 0] } : { pathHashSize };
  }

  allowPacketForward(): boolean {
    return this.prefs.repeat;
  }

  extraAckTransmitCount(): number {
    return this.prefs.multiAcks;
  }

  airtimeBudgetFactor(): number {
    return this.prefs.airtimeFactorMilli / 1000;
  }

  /** MyMesh::shouldAutoAddContactType: everything unless manual mode, then the autoadd_config type bits. */
  shouldAutoAddContactType(type: number): boolean {
    if ((this.prefs.manualAddContacts & 1) === 0) return true;
    const bit = ({ [ADV_TYPE.CHAT]: 0x02, [ADV_TYPE.REPEATER]: 0x04, [ADV_TYPE.ROOM]: 0x08, [ADV_TYPE.SENSOR]: 0x10 } as Record<number, number>)[type];
    return bit !== undefined && (this.prefs.autoaddConfig & bit) !== 0;
  }

  shouldOverwriteWhenFull(): boolean {
    return (this.prefs.autoaddConfig & 0x01) !== 0;
  }

  autoAddMaxHops(): number {
    return this.prefs.autoaddMaxHops;
  }

  onContactOverwrite(publicKey: Uint8Array): void {
    this.push(new FrameWriter().u8(PUSH.CONTACT_DELETED).bytes(publicKey).done());
    this.markDirty();
  }

  onContactsFull(): void {
    this.push(Uint8Array.of(PUSH.CONTACTS_FULL));
  }

  onDiscoveredContact(contact: ContactInfo, isNew: boolean, rx: ReceivedPacket): void {
    if (isNew) this.push(writeContactRecord(new FrameWriter().u8(PUSH.NEW_ADVERT), contact).done());
    else this.push(new FrameWriter().u8(PUSH.ADVERT).bytes(contact.publicKey).done());
    // The inbound path of every advert heard, for CMD_GET_ADVERT_PATH.
    recordAdvertPath(this.advertPaths, contact, rx, this.rtcNow());
    if (!isNew) this.markDirty();
  }

  onContactPathUpdated(contact: ContactInfo): void {
    this.push(new FrameWriter().u8(PUSH.PATH_UPDATED).bytes(contact.publicKey).done());
    this.markDirty();
  }

  onStateChanged(): void {
    this.markDirty();
  }

  /** MyMesh::processAck: SEND_CONFIRMED (ack · round trip) to every client; the entry is cleared. */
  processAck(ack: number): ContactInfo | undefined {
    const e = this.expectedAcks.take(ack);
    if (!e) return this.chat.checkConnectionsAck(ack);
    this.push(encodeSendConfirmed({ ackCode: ack, roundTripMs: Math.max(0, Math.round(this.clock.now() - e.sentAtMs)) }));
    return e.contact;
  }

  expectAck(ack: number, contact: ContactInfo): void {
    this.expectedAcks.expect(ack, contact, this.clock.now());
  }

  /** queueMessage: CONTACT_MSG_RECV(_V3) for every client. */
  private queueContactMessage(from: ContactInfo, txtType: number, rx: ReceivedPacket, ts: number, extra: Uint8Array, text: Uint8Array): void {
    this.queueForClients((v3) => frames.contactMessageFrame(v3, from.publicKey, txtType, rx, ts, extra, text));
  }

  onMessageRecv(from: ContactInfo, rx: ReceivedPacket, ts: number, text: Uint8Array): void {
    this.chat.markConnectionActive(from);
    this.queueContactMessage(from, TXT_TYPE.PLAIN, rx, ts, new Uint8Array(0), text);
  }

  onCommandDataRecv(from: ContactInfo, rx: ReceivedPacket, ts: number, text: Uint8Array): void {
    this.chat.markConnectionActive(from);
    this.queueContactMessage(from, TXT_TYPE.CLI_DATA, rx, ts, new Uint8Array(0), text);
  }

  onSignedMessageRecv(from: ContactInfo, rx: ReceivedPacket, ts: number, authorPrefix: Uint8Array, text: Uint8Array): void {
    this.chat.markConnectionActive(from);
    this.markDirty();
    this.queueContactMessage(from, TXT_TYPE.SIGNED_PLAIN, rx, ts, authorPrefix, text);
  }

  onChannelMessageRecv(channel: ChannelSlot, rx: ReceivedPacket, ts: number, text: Uint8Array): void {
    const idx = this.chat.channels.findIndex(channel.secret);
    this.queueForClients((v3) => frames.channelMessageFrame(v3, idx, rx, ts, text));
  }

  onChannelDataRecv(channel: ChannelSlot, rx: ReceivedPacket, dataType: number, data: Uint8Array): void {
    const frame = frames.channelDataFrame(this.chat.channels.findIndex(channel.secret), rx, dataType, data);
    if (frame) this.queueForClients(() => frame);
  }

  /** MyMesh::onContactRequest: telemetry for contacts the telemetry modes allow (base permission required). */
  onContactRequest(contact: ContactInfo, senderTimestamp: number, data: Uint8Array): Uint8Array | undefined {
    return telemetryReply(this, this.prefs.telemetryModes, contact, senderTimestamp, data);
  }

  /** MyMesh::onContactResponse: the pending login / status / telemetry / binary matchers of each client. */
  onContactResponse(contact: ContactInfo, data: Uint8Array): void {
    for (const s of this.sessions) if (s.matchResponse(contact, data)) return;
  }

  onContactPathRecv(contact: ContactInfo, inPath: McPath, outPath: McPath, extraType: number, extra: Uint8Array): boolean | undefined {
    for (const s of this.sessions) {
      const r = s.matchDiscovery(contact, inPath, outPath, extraType, extra);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  onControlDataRecv(rx: ReceivedPacket): void {
    const frame = frames.controlDataFrame(rx);
    if (frame) this.push(frame);
  }

  onRawDataRecv(rx: ReceivedPacket): void {
    const frame = frames.rawDataFrame(rx);
    if (frame) this.push(frame);
  }

  onTraceRecv(rx: ReceivedPacket, t: { tag: number; authCode: number; flags: number; snrs: Int8Array; hashes: Uint8Array }): void {
    const frame = frames.traceDataFrame(rx, t);
    if (frame) this.push(frame);
  }

  /** MyMesh::logRxRaw: PUSH_CODE_LOG_RX_DATA for every frame heard (ACK and PATH included), if it fits a frame. */
  logRxRaw(raw: Uint8Array, snrDb: number, rssiDbm: number): void {
    if (this.sessions.size === 0) return;
    const frame = frames.logRxFrame(raw, snrDb, rssiDbm);
    if (frame) this.push(frame);
  }

  // ---------------------------------------------------------------- commands

  /** MyMesh::handleCmdFrame for one client's frame. */
  handleCommand(s: Session, frame: Uint8Array): void {
    if (frame.length === 0) return;
    this.options.metrics?.command?.(frame[0]);
    this.current = s;
    try {
      if (!handleDeviceCommand(this, s, frame) && !handleMeshCommand(this, s, frame)) this.err(ERR_CODE.UNSUPPORTED_CMD);
    } catch (err) {
      // A bug in a handler must cost this one command only.
      this.dropped('handler-error');
      this.options.onError?.(err);
      this.err(ERR_CODE.ILLEGAL_ARG);
    } finally {
      this.current = undefined;
    }
  }

  /** The contact for a full or prefix key (lookupContactByPubKey). */
  lookup(prefix: Uint8Array): ContactInfo | undefined {
    return this.chat.contacts.lookup(prefix);
  }

  contactKeyHex(c: ContactInfo): string {
    return toHex(c.publicKey);
  }
}

