/**
 * The device half of the companion protocol (examples/companion_radio/MyMesh.cpp): the CompanionDevice of
 * ./companion-device.ts over a ChatMesh (./chat-mesh.ts). MyMesh is a BaseChatMesh sub-class; here the device is
 * the ChatMesh's ChatApp. Shared device state (prefs, contacts, channels, the expected-ACK table, advert paths) lives
 * here; what the firmware keeps once for its one app connection (app_target_ver, the offline queue, the contacts
 * iterator, sign buffer, pending request matchers, the flood-scope override) lives in each client's Session
 * (./companion-session.ts). The command handlers are in ./commands-device.ts and ./commands-mesh.ts.
 */
import type { Clock } from '../../../lib/clock/clock.js';
import { MESHCORE_MAX_FRAME_SIZE } from '../../framing/meshcore-frame.js';
import { FrameWriter, toHex } from '../bytes.js';
import { ERR_CODE, EXPECTED_ACK_TABLE_SIZE, PUSH, RESP } from '../codes.js';
import { writeContactRecord } from '../contact-record.js';
import type { FloodOptions } from '../mesh/mesh-api.js';
import type { McPath, ReceivedPacket } from '../mesh/mesh-handler.js';
import { ADV_TYPE } from '../ota/advert-data.js';
import type { McPacket, PathHashSize } from '../ota/packet.js';
import { TXT_TYPE } from '../ota/text-payload.js';
import { packetPathLen, REQ_TYPE, type ChatApp, type ChatMesh } from './chat-mesh.js';
import type { ChannelSlot } from './channel-table.js';
import type { CompanionClient, CompanionDevice, CompanionSession } from './companion-device.js';
import type { CompanionMetrics } from './companion-metrics.js';
import type { CompanionState, CompanionStore } from './companion-store.js';
import { MemoryCompanionStore } from './companion-store.js';
import { type ContactInfo } from './contacts-table.js';
import { isNullScopeKey, transportCode } from './flood-scope.js';
import { DEFAULT_BUILD, defaultPrefs, type CompanionBuild, type NodePrefs } from './node-prefs.js';
import { Session } from './companion-session.js';
import { applyChannels, type ChannelSpec } from './channel-spec.js';
import { handleDeviceCommand } from './commands-device.js';
import { handleMeshCommand } from './commands-mesh.js';
import { selfTelemetry, TELEM_PERM } from './telemetry.js';

/** MyMesh.cpp LAZY_CONTACTS_WRITE_DELAY, ms. */
export const LAZY_WRITE_DELAY_MS = 5000;
/** MyMesh.h ADVERT_PATH_TABLE_SIZE. */
export const ADVERT_PATH_TABLE_SIZE = 16;

export interface AdvertPath {
  prefix: Uint8Array;
  name: string;
  recvTimestamp: number;
  pathLen: number;
  path: Uint8Array;
}

export interface CompanionRadioOptions {
  chat: ChatMesh;
  clock: Clock;
  store?: CompanionStore;
  build?: Partial<CompanionBuild>;
  /** Preferences a new (or reset) device starts with, over the firmware defaults (config: name, radio). */
  prefs?: Partial<NodePrefs>;
  /** Channels from config, put in free slots at start (Public is always slot 0; see ./channel-spec.ts). */
  channels?: readonly ChannelSpec[];
  /** The type this node advertises (SELF_INFO, adverts): ADV_TYPE_CHAT for a companion, REPEATER on a repeater node. */
  advType?: number;
  /** board.getBattMilliVolts(): the power monitor's reading; 0 when there is none (as boards without a divider). */
  batteryMilliVolts?: () => number | undefined;
  /** CMD_REBOOT / after CMD_FACTORY_RESET: what a reboot means to the host (default: every client is dropped). */
  onReboot?: () => void;
  /** Radio settings the app changed (CMD_SET_RADIO_PARAMS, CMD_SET_RADIO_TX_POWER): the owner retunes. */
  onRadioChanged?: (prefs: NodePrefs) => void;
  /** CMD_SET_DEVICE_TIME: set the RTC (the simulator); absent = the host's clock is authoritative. */
  setRtc?: (epochSeconds: number) => void;
  /** The radio's noise floor for CMD_GET_STATS radio (Radio::getNoiseFloor); 0 when unknown. */
  noiseFloorDbm?: () => number | undefined;
  metrics?: CompanionMetrics;
  /** Persistence failures (logged by the owner; the device goes on with its state in memory). */
  onError?: (err: unknown) => void;
}

interface ExpectedAck {
  ack: number;
  sentAtMs: number;
  contact: ContactInfo;
}

export class CompanionRadio implements CompanionDevice, ChatApp {
  readonly chat: ChatMesh;
  readonly clock: Clock;
  readonly store: CompanionStore;
  readonly build: CompanionBuild;
  readonly advType: number;
  prefs: NodePrefs;
  readonly sessions = new Set<Session>();
  /** Frames that arrived while no client was attached: handed to the next client that attaches. */
  backlog: Uint8Array[] = [];
  readonly ackTable: Array<ExpectedAck | undefined> = new Array(EXPECTED_ACK_TABLE_SIZE).fill(undefined);
  nextAckIdx = 0;
  readonly advertPaths: AdvertPath[] = [];
  readonly bootMs: number;
  /** The session whose command is being handled (replies and its flood scope). */
  current: Session | undefined;
  private readonly initialPrefs: Partial<NodePrefs>;
  private dirtyTimer: AbortController | undefined;
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
    this.chat.app = this;
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
    this.dirtyTimer?.abort();
    for (const s of [...this.sessions]) s.close('device stopped');
    await this.saveNow();
  }

  // ---------------------------------------------------------------- CompanionDevice

  attach(client: CompanionClient, kind: string): CompanionSession {
    const s = new Session(this, client, kind);
    if (this.sessions.size === 0 && this.backlog.length > 0) {
      s.queue.push(...this.backlog);
      this.backlog = [];
    }
    this.sessions.add(s);
    this.options.metrics?.clientAttached?.(kind);
    return s;
  }

  clients(): number {
    return this.sessions.size;
  }

  /** Called by Session.detach. */
  detached(s: Session): void {
    if (this.sessions.delete(s)) this.options.metrics?.clientDetached?.(s.kind);
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
    for (const s of this.sessions) s.write(frame);
  }

  /** MyMesh::addToOfflineQueue for every client (or the backlog), then PUSH_CODE_MSG_WAITING to all. */
  queueForClients(build: (v3: boolean) => Uint8Array): void {
    this.options.metrics?.messageQueued?.();
    if (this.sessions.size === 0) {
      this.addToQueue(this.backlog, build(false));
      return;
    }
    for (const s of this.sessions) {
      this.addToQueue(s.queue, build(s.appTargetVer >= 3));
      s.write(Uint8Array.of(PUSH.MSG_WAITING));
    }
  }

  private addToQueue(q: Uint8Array[], frame: Uint8Array): void {
    if (q.length < this.build.offlineQueueSize) {
      q.push(frame);
      return;
    }
    const i = q.findIndex((x) => x[0] === RESP.CHANNEL_MSG_RECV || x[0] === RESP.CHANNEL_MSG_RECV_V3 || x[0] === RESP.CHANNEL_DATA_RECV);
    if (i < 0) {
      this.options.metrics?.dropped?.('queue-full');
      return;
    }
    q.splice(i, 1);
    q.push(frame);
    this.options.metrics?.dropped?.('queue-evicted');
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
    if (this.stopped || this.dirtyTimer) return;
    const ac = new AbortController();
    this.dirtyTimer = ac;
    this.clock.sleep(LAZY_WRITE_DELAY_MS, { signal: ac.signal, unref: true }).then(
      () => {
        this.dirtyTimer = undefined;
        void this.saveNow();
      },
      () => undefined,
    );
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
    this.dirtyTimer?.abort();
    this.dirtyTimer = undefined;
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
    this.ackTable.fill(undefined);
    return true;
  }

  /** board.reboot(): RAM state goes, the clients are dropped (they reconnect and start over). */
  reboot(): void {
    void this.saveNow();
    this.ackTable.fill(undefined);
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
    // The inbound path of every advert heard, for CMD_GET_ADVERT_PATH (16 entries, oldest evicted).
    const prefix = contact.publicKey.slice(0, 7);
    let p = this.advertPaths.find((x) => x.prefix.every((b, i) => b === prefix[i]));
    if (!p) {
      if (this.advertPaths.length >= ADVERT_PATH_TABLE_SIZE) {
        this.advertPaths.sort((a, b) => a.recvTimestamp - b.recvTimestamp);
        this.advertPaths.shift();
      }
      p = { prefix, name: '', recvTimestamp: 0, pathLen: 0, path: new Uint8Array(0) };
      this.advertPaths.push(p);
    }
    p.name = contact.name;
    p.recvTimestamp = this.rtcNow();
    p.pathLen = packetPathLen(rx.packet);
    p.path = rx.packet.path.slice();
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
    for (let i = 0; i < this.ackTable.length; i++) {
      const e = this.ackTable[i];
      if (e && e.ack === ack) {
        this.push(new FrameWriter().u8(PUSH.SEND_CONFIRMED).u32(ack).u32(Math.max(0, Math.round(this.clock.now() - e.sentAtMs))).done());
        this.ackTable[i] = undefined;
        return e.contact;
      }
    }
    return this.chat.checkConnectionsAck(ack);
  }

  expectAck(ack: number, contact: ContactInfo): void {
    this.ackTable[this.nextAckIdx] = { ack, sentAtMs: this.clock.now(), contact };
    this.nextAckIdx = (this.nextAckIdx + 1) % this.ackTable.length;
  }

  /** queueMessage: CONTACT_MSG_RECV(_V3) for every client. */
  private queueContactMessage(from: ContactInfo, txtType: number, rx: ReceivedPacket, ts: number, extra: Uint8Array, text: Uint8Array): void {
    const pathLen = isFloodRx(rx) ? packetPathLen(rx.packet) : 0xff;
    this.queueForClients((v3) => {
      const w = new FrameWriter(MESHCORE_MAX_FRAME_SIZE + 8);
      if (v3) w.u8(RESP.CONTACT_MSG_RECV_V3).u8(snr4(rx)).u8(0).u8(0);
      else w.u8(RESP.CONTACT_MSG_RECV);
      w.fixed(from.publicKey, 6).u8(pathLen).u8(txtType).u32(ts).bytes(extra);
      return w.bytes(text.subarray(0, Math.max(0, MESHCORE_MAX_FRAME_SIZE - w.length))).done();
    });
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
    const pathLen = isFloodRx(rx) ? packetPathLen(rx.packet) : 0xff;
    this.queueForClients((v3) => {
      const w = new FrameWriter(MESHCORE_MAX_FRAME_SIZE + 8);
      if (v3) w.u8(RESP.CHANNEL_MSG_RECV_V3).u8(snr4(rx)).u8(0).u8(0);
      else w.u8(RESP.CHANNEL_MSG_RECV);
      w.u8(idx & 0xff).u8(pathLen).u8(TXT_TYPE.PLAIN).u32(ts);
      return w.bytes(text.subarray(0, Math.max(0, MESHCORE_MAX_FRAME_SIZE - w.length))).done();
    });
  }

  onChannelDataRecv(channel: ChannelSlot, rx: ReceivedPacket, dataType: number, data: Uint8Array): void {
    if (data.length > MESHCORE_MAX_FRAME_SIZE - 9) return;
    const idx = this.chat.channels.findIndex(channel.secret);
    const pathLen = isFloodRx(rx) ? packetPathLen(rx.packet) : 0xff;
    const frame = new FrameWriter().u8(RESP.CHANNEL_DATA_RECV).u8(snr4(rx)).u8(0).u8(0).u8(idx & 0xff).u8(pathLen)
      .u16(dataType).u8(data.length).bytes(data).done();
    this.queueForClients(() => frame);
  }

  /** MyMesh::onContactRequest: telemetry for contacts the telemetry modes allow (base permission required). */
  onContactRequest(contact: ContactInfo, senderTimestamp: number, data: Uint8Array): Uint8Array | undefined {
    if (data[0] !== REQ_TYPE.GET_TELEMETRY_DATA) return undefined;
    const cp = contact.flags >> 1;
    const modes = this.prefs.telemetryModes;
    const allow = (mode: number, perm: number): number => (mode === 2 ? perm : mode === 1 ? cp & perm : 0);
    let perms = allow(modes & 3, TELEM_PERM.BASE) | allow((modes >> 2) & 3, TELEM_PERM.LOCATION) | allow((modes >> 4) & 3, TELEM_PERM.ENVIRONMENT);
    perms &= ~(data[1] ?? 0) & 0xff;
    if ((perms & TELEM_PERM.BASE) === 0) return undefined;
    const lpp = selfTelemetry(this, perms);
    const out = new Uint8Array(4 + lpp.length);
    new DataView(out.buffer).setUint32(0, senderTimestamp >>> 0, true);
    out.set(lpp, 4);
    return out;
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
    const p = rx.packet;
    if (p.payload.length + 4 > MESHCORE_MAX_FRAME_SIZE) return;
    this.push(new FrameWriter().u8(PUSH.CONTROL_DATA).u8(snr4(rx)).u8(rx.rssiDbm & 0xff).u8(packetPathLen(p)).bytes(p.payload).done());
  }

  onRawDataRecv(rx: ReceivedPacket): void {
    const p = rx.packet;
    if (p.payload.length + 4 > MESHCORE_MAX_FRAME_SIZE) return;
    this.push(new FrameWriter().u8(PUSH.RAW_DATA).u8(snr4(rx)).u8(rx.rssiDbm & 0xff).u8(0xff).bytes(p.payload).done());
  }

  onTraceRecv(rx: ReceivedPacket, t: { tag: number; authCode: number; flags: number; snrs: Int8Array; hashes: Uint8Array }): void {
    const pathSz = t.flags & 3;
    const n = t.hashes.length;
    if (12 + n + (n >> pathSz) + 1 > MESHCORE_MAX_FRAME_SIZE) return;
    const snrs = new Uint8Array(t.snrs.buffer, t.snrs.byteOffset, t.snrs.byteLength).subarray(0, n >> pathSz);
    this.push(new FrameWriter().u8(PUSH.TRACE_DATA).u8(0).u8(n).u8(t.flags).u32(t.tag).u32(t.authCode).bytes(t.hashes)
      .bytes(snrs).u8(snr4(rx)).done());
  }

  /** MyMesh::logRxRaw: PUSH_CODE_LOG_RX_DATA for every frame heard (ACK and PATH included), if it fits a frame. */
  logRxRaw(raw: Uint8Array, snrDb: number, rssiDbm: number): void {
    if (raw.length + 3 > MESHCORE_MAX_FRAME_SIZE || this.sessions.size === 0) return;
    this.push(new FrameWriter().u8(PUSH.LOG_RX_DATA).u8(Math.trunc(snrDb * 4) & 0xff).u8(Math.trunc(rssiDbm) & 0xff).bytes(raw).done());
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

function isFloodRx(rx: ReceivedPacket): boolean {
  return rx.packet.routeType === 0 || rx.packet.routeType === 1;
}

function snr4(rx: ReceivedPacket): number {
  return Math.trunc(rx.snrDb * 4) & 0xff;
}


