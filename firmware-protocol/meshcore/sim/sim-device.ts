/**
 * SimDevice: a MeshCore companion radio's command handler and event sources, following
 * examples/companion_radio/MyMesh.cpp (handleCmdFrame, queueMessage, onChannelMessageRecv, processAck,
 * checkSerialInterface) and src/helpers/BaseChatMesh.cpp (onAdvertRecv, sendMessage, sendGroupMessage). The
 * radio side is a SimMesh hook; the wire side is one or more SimInterfaces (MultiSerialInterface: every frame goes
 * to every interface, the first with a pending command wins).
 */
import { CMD, ERR_CODE, MAX_TEXT_LEN, OUT_PATH_UNKNOWN, PUB_KEY_SIZE, PUSH, RESP, TXT_TYPE, ADV_TYPE, APP_VER_V3_FRAMES,
  SEND_TIMEOUT_BASE_MILLIS, FLOOD_SEND_TIMEOUT_FACTOR, DIRECT_SEND_PERHOP_FACTOR, DIRECT_SEND_PERHOP_EXTRA_MILLIS } from '../codes.js';
import { FrameReader, FrameWriter, encodeUtf8, toHex, decodeUtf8 } from '../bytes.js';
import { readContactRecord, writeContactRecord, type Contact } from '../contact-record.js';
import { encodeBattAndStorage, encodeChannelInfo, encodeDeviceInfo, encodeSelfInfo, encodeSendConfirmed, encodeSent, type ChannelInfo } from '../device-frames.js';
import { encodeMessageFrame, type ReceivedMessage } from '../message-frames.js';
import { MESHCORE_MAX_FRAME_SIZE } from '../../framing/meshcore-frame.js';
import type { SimInterface } from './sim-interfaces.js';
import { cmdAddUpdateContact, cmdSendTxtMsg } from './sim-commands.js';
import { handleSettingsCommand } from './sim-settings-commands.js';
import { onAdvertRecv } from './sim-adverts.js';
import {
  DEFAULT_SIM_CONFIG, expectedAck, loraAirtimeMs, newPersistent, newVolatile,
  type SimDeviceConfig, type SimPersistent, type SimVolatile,
} from './sim-state.js';

/** What the device puts on air; a SimMesh delivers it. */
export interface SimAir {
  directMessage(from: SimDevice, m: { to: Contact; text: string; senderTimestamp: number; attempt: number; ack: number; flood: boolean }): void;
  channelMessage(from: SimDevice, m: { channel: ChannelInfo; text: string; senderTimestamp: number }): void;
  advert(from: SimDevice, m: { flood: boolean }): void;
}

export interface HeardAdvert {
  publicKey: Uint8Array;
  name: string;
  type: number;
  timestamp: number;
  hops: number;
  lat?: number;
  lon?: number;
}

export class SimDevice {
  readonly config: SimDeviceConfig;
  persistent: SimPersistent;
  ram: SimVolatile;
  readonly interfaces: SimInterface[] = [];
  air: SimAir | null = null;
  /** Push PUSH_CODE_LOG_RX_DATA for heard packets (the firmware always does; tests may turn it off). */
  logRxEnabled = true;
  /** Received frames the full offline queue had no channel frame to make room for. */
  dropped = 0;
  /** Commands handled, by code (for tests). */
  readonly handled = new Map<number, number>();
  /** While true the device is "off" (between reboot and boot). */
  private off = false;
  private loopScheduled = false;
  private readonly now: () => number;

  constructor(config: Partial<SimDeviceConfig> = {}, options: { now?: () => number; persistent?: SimPersistent } = {}) {
    this.config = { ...DEFAULT_SIM_CONFIG, ...config };
    this.now = options.now ?? Date.now;
    this.persistent = options.persistent ?? newPersistent(this.config);
    this.ram = newVolatile(this.persistent, this.now());
  }

  get publicKey(): Uint8Array {
    return this.persistent.publicKey;
  }
  get name(): string {
    return this.persistent.prefs.nodeName;
  }
  get isOff(): boolean {
    return this.off;
  }

  addInterface(iface: SimInterface): void {
    this.interfaces.push(iface);
  }

  /** RTC seconds (the firmware's getRTCClock()->getCurrentTime()). */
  rtcNow(): number {
    return Math.floor(this.now() / 1000) + this.ram.rtcOffsetSecs;
  }

  millis(): number {
    return this.now() - this.ram.bootMs;
  }

  isConnected(): boolean {
    return this.interfaces.some((i) => i.isConnected());
  }

  /** Bytes from the host on one interface. */
  receive(iface: SimInterface, bytes: Uint8Array): void {
    if (this.off) return;
    iface.receive(bytes);
    this.kick();
  }

  /** Power cycle: RAM state is lost, flash state kept. The transports decide what the host sees. */
  powerOff(): void {
    this.off = true;
    for (const i of this.interfaces) i.reset();
  }

  powerOn(): void {
    this.ram = newVolatile(this.persistent, this.now());
    this.off = false;
    for (const i of this.interfaces) i.reset();
  }

  writeFrame(payload: Uint8Array): void {
    if (this.off) return;
    for (const i of this.interfaces) i.writeFrame(payload);
    this.kick();
  }

  /** Schedules firmware loop iterations while any interface or the contacts iterator has work. */
  kick(): void {
    if (this.loopScheduled || this.off) return;
    this.loopScheduled = true;
    setImmediate(() => {
      this.loopScheduled = false;
      this.loopOnce();
      if (!this.off && (this.ram.iter || this.interfaces.some((i) => i.hasWork()))) this.kick();
    });
  }

  private loopOnce(): void {
    if (this.off) return;
    let frame: Uint8Array | null = null;
    for (const i of this.interfaces) {
      frame = i.checkRecvFrame();
      if (frame) break;
    }
    if (frame && frame.length > 0) {
      this.handleCmdFrame(frame);
    } else if (this.ram.iter) {
      this.iterStep();
    }
  }

  ok(): void {
    this.writeFrame(Uint8Array.of(RESP.OK));
  }
  err(code: number): void {
    this.writeFrame(Uint8Array.of(RESP.ERR, code));
  }

  findContact(prefix: Uint8Array): Contact | undefined {
    return this.persistent.contacts.find((c) => prefix.every((b, i) => c.publicKey[i] === b));
  }

  handleCmdFrame(f: Uint8Array): void {
    const len = f.length;
    const code = f[0];
    this.handled.set(code, (this.handled.get(code) ?? 0) + 1);
    const p = this.persistent.prefs;
    const r = new FrameReader(f);
    r.u8();
    if (code === CMD.DEVICE_QUERY && len >= 2) {
      this.ram.appTargetVer = f[1];
      this.writeFrame(encodeDeviceInfo({
        firmwareVerCode: this.config.firmwareVerCode, maxContacts: this.config.maxContacts, maxChannels: this.config.maxChannels,
        blePin: p.blePin, buildDate: this.config.buildDate, manufacturer: this.config.manufacturer,
        firmwareVersion: this.config.firmwareVersion, repeat: p.repeat, pathHashMode: p.pathHashMode,
      }));
    } else if (code === CMD.APP_START && len >= 8) {
      this.ram.iter = null; // "stop any left-over ContactsIterator"
      this.writeFrame(encodeSelfInfo({
        advType: ADV_TYPE.CHAT, txPower: p.txPowerDbm, maxTxPower: this.config.maxTxPower, publicKey: this.publicKey,
        lat: p.lat, lon: p.lon, multiAcks: p.multiAcks, advertLocPolicy: p.advertLocPolicy, telemetryModes: p.telemetryModes,
        manualAddContacts: p.manualAddContacts, radio: { freqKhz: p.freqKhz, bwHz: p.bwHz, sf: p.sf, cr: p.cr }, name: p.nodeName,
      }));
    } else if (code === CMD.SEND_TXT_MSG && len >= 14) {
      cmdSendTxtMsg(this, f);
    } else if (code === CMD.SEND_CHANNEL_TXT_MSG) {
      const txtType = f[1];
      const idx = f[2];
      r.u8();
      r.u8();
      const ts = len >= 7 ? r.u32() : 0;
      if (txtType !== TXT_TYPE.PLAIN) return this.err(ERR_CODE.UNSUPPORTED_CMD);
      const ch = idx < this.persistent.channels.length ? this.persistent.channels[idx] : undefined;
      if (!ch) return this.err(ERR_CODE.NOT_FOUND);
      // sendGroupMessage: "<name>: " prefix, name + text cut to MAX_TEXT_LEN bytes.
      const prefix = encodeUtf8(`${p.nodeName}: `);
      let text = f.subarray(Math.min(7, len));
      if (text.length + prefix.length > MAX_TEXT_LEN) text = text.subarray(0, MAX_TEXT_LEN - prefix.length);
      const full = new Uint8Array(prefix.length + text.length);
      full.set(prefix);
      full.set(text, prefix.length);
      this.air?.channelMessage(this, { channel: ch, text: decodeUtf8(full), senderTimestamp: ts });
      this.countSent(true);
      this.ok();
    } else if (code === CMD.GET_CONTACTS) {
      if (this.ram.iter) return this.err(ERR_CODE.BAD_STATE);
      const since = len >= 5 ? r.u32() : 0;
      this.writeFrame(new FrameWriter().u8(RESP.CONTACTS_START).u32(this.persistent.contacts.length).done());
      this.ram.iter = { next: 0, since, mostRecent: 0 };
    } else if (code === CMD.SET_ADVERT_NAME && len >= 2) {
      p.nodeName = decodeUtf8(f.subarray(1, Math.min(len, 32)));
      this.ok();
    } else if (code === CMD.GET_DEVICE_TIME) {
      this.writeFrame(new FrameWriter().u8(RESP.CURR_TIME).u32(this.rtcNow()).done());
    } else if (code === CMD.SET_DEVICE_TIME && len >= 5) {
      const secs = r.u32();
      if (secs >= this.rtcNow()) {
        this.ram.rtcOffsetSecs = secs - Math.floor(this.now() / 1000);
        this.ok();
      } else this.err(ERR_CODE.ILLEGAL_ARG);
    } else if (code === CMD.SEND_SELF_ADVERT) {
      this.air?.advert(this, { flood: len >= 2 && f[1] === 1 });
      this.countSent(true);
      this.ok();
    } else if (code === CMD.RESET_PATH && len >= 1 + PUB_KEY_SIZE) {
      const c = this.findContact(f.subarray(1, 33));
      if (!c) return this.err(ERR_CODE.NOT_FOUND);
      c.outPathLen = OUT_PATH_UNKNOWN;
      this.ok();
    } else if (code === CMD.ADD_UPDATE_CONTACT && len >= 1 + 32 + 2 + 1) {
      cmdAddUpdateContact(this, f);
    } else if (code === CMD.REMOVE_CONTACT) {
      const key = toHex(f.subarray(1, 33));
      const i = this.persistent.contacts.findIndex((c) => toHex(c.publicKey) === key);
      if (i < 0) return this.err(ERR_CODE.NOT_FOUND);
      this.persistent.contacts.splice(i, 1);
      this.persistent.advertBlobs.delete(key); // _store->deleteBlobByKey
      this.ok();
    } else if (code === CMD.GET_CONTACT_BY_KEY) {
      const c = this.findContact(f.subarray(1, 33));
      if (!c || len < 2) return this.err(ERR_CODE.NOT_FOUND);
      this.writeFrame(writeContactRecord(new FrameWriter().u8(RESP.CONTACT), c).done());
    } else if (code === CMD.SYNC_NEXT_MESSAGE) {
      const next = this.ram.offlineQueue.shift();
      this.writeFrame(next ?? Uint8Array.of(RESP.NO_MORE_MESSAGES));
    } else if (code === CMD.SET_RADIO_PARAMS) {
      const freq = r.u32(), bw = r.u32(), sf = r.u8(), cr = r.u8();
      const repeat = r.remaining > 0 ? r.u8() : 0;
      if (repeat) return this.err(ERR_CODE.ILLEGAL_ARG); // the simulator has no allowed repeat frequencies
      if (freq >= 150000 && freq <= 2500000 && sf >= 5 && sf <= 12 && cr >= 5 && cr <= 8 && bw >= 7000 && bw <= 500000) {
        Object.assign(p, { freqKhz: freq, bwHz: bw, sf, cr, repeat: false });
        this.ok();
      } else this.err(ERR_CODE.ILLEGAL_ARG);
    } else if (code === CMD.SET_RADIO_TX_POWER) {
      const power = r.i8();
      if (power < -9 || power > this.config.maxTxPower) return this.err(ERR_CODE.ILLEGAL_ARG);
      p.txPowerDbm = power;
      this.ok();
    } else if (code === CMD.REBOOT && decodeUtf8(f.subarray(1, 7)) === 'reboot') {
      this.onRebootCommand?.();
    } else if (code === CMD.GET_BATT_AND_STORAGE) {
      this.writeFrame(encodeBattAndStorage({
        batteryMilliVolts: this.config.batteryMilliVolts, storageUsedKb: this.config.storageUsedKb, storageTotalKb: this.config.storageTotalKb,
      }));
    } else if (code === CMD.GET_CHANNEL && len >= 2) {
      const ch = this.persistent.channels[f[1]];
      if (!ch) return this.err(ERR_CODE.NOT_FOUND);
      this.writeFrame(encodeChannelInfo(ch));
    } else if (code === CMD.SET_CHANNEL && len >= 2 + 32 + 32) {
      this.err(ERR_CODE.UNSUPPORTED_CMD);
    } else if (code === CMD.SET_CHANNEL && len >= 2 + 32 + 16) {
      const idx = f[1];
      if (idx >= this.persistent.channels.length) return this.err(ERR_CODE.NOT_FOUND);
      const nameBytes = f.subarray(2, 34);
      const z = nameBytes.indexOf(0);
      this.persistent.channels[idx] = {
        index: idx, name: decodeUtf8(z < 0 ? nameBytes.subarray(0, 31) : nameBytes.subarray(0, z)), secret: f.slice(34, 50),
      };
      this.ok();
    } else if (!handleSettingsCommand(this, f)) {
      this.err(ERR_CODE.UNSUPPORTED_CMD);
    }
  }

  /** Set by the transport: what a CMD_REBOOT does to the host link. */
  onRebootCommand?: () => void;

  private iterStep(): void {
    const it = this.ram.iter!;
    const c = this.persistent.contacts[it.next++];
    if (c) {
      if (c.lastMod > it.since) {
        this.writeFrame(writeContactRecord(new FrameWriter().u8(RESP.CONTACT), c).done());
        it.mostRecent = Math.max(it.mostRecent, c.lastMod);
      }
      return;
    }
    this.writeFrame(new FrameWriter().u8(RESP.END_OF_CONTACTS).u32(it.mostRecent).done());
    this.ram.iter = null;
  }

  // ---- events from the simulated mesh ----

  /** MyMesh::addToOfflineQueue: when full, drop the oldest channel frame, else drop the new frame. */
  private queueFrame(frame: Uint8Array): void {
    const q = this.ram.offlineQueue;
    if (q.length >= this.config.offlineQueueSize) {
      const i = q.findIndex((x) => x[0] === RESP.CHANNEL_MSG_RECV || x[0] === RESP.CHANNEL_MSG_RECV_V3 || x[0] === RESP.CHANNEL_DATA_RECV);
      if (i >= 0) {
        q.splice(i, 1);
        q.push(frame);
      }
      this.dropped += i < 0 ? 1 : 0;
    } else {
      q.push(frame);
    }
    // queueMessage tickles the app even when the frame was dropped.
    if (this.isConnected()) this.writeFrame(Uint8Array.of(PUSH.MSG_WAITING));
  }

  private v3(): boolean {
    return this.ram.appTargetVer >= APP_VER_V3_FRAMES;
  }

  /** A DM from a node. Dropped silently unless the sender is a contact (the radio cannot decrypt it otherwise). */
  receiveDirect(m: { from: Uint8Array; text: string; senderTimestamp: number; snr?: number; hops?: number; flood?: boolean; raw?: Uint8Array }): boolean {
    if (this.off) return false;
    if (m.raw) this.logRx(m.raw, m.snr);
    this.countRecv(m.flood !== false);
    const c = this.findContact(m.from);
    if (!c) return false;
    c.lastMod = this.rtcNow();
    const msg: ReceivedMessage = {
      kind: 'contact', pubKeyPrefix: c.publicKey.slice(0, 6), pathLen: m.flood === false ? 0xff : m.hops ?? 0,
      txtType: TXT_TYPE.PLAIN, senderTimestamp: m.senderTimestamp, text: m.text, snr: m.snr ?? 0,
    };
    this.queueFrame(encodeMessageFrame(msg, this.v3()));
    return true;
  }

  /** A GRP_TXT. Delivered only if a channel slot holds this secret (findChannelIdx). `text` is "<name>: <msg>". */
  receiveChannel(m: { secret: Uint8Array; text: string; senderTimestamp: number; snr?: number; hops?: number; raw?: Uint8Array }): boolean {
    if (this.off) return false;
    if (m.raw) this.logRx(m.raw, m.snr);
    this.countRecv(true);
    const idx = this.persistent.channels.findIndex((ch) => ch.secret.every((b, i) => b === m.secret[i]) && (ch.name !== '' || ch.secret.some((b) => b)));
    if (idx < 0) return false;
    const msg: ReceivedMessage = {
      kind: 'channel', channelIdx: idx, pathLen: m.hops ?? 0, txtType: TXT_TYPE.PLAIN, senderTimestamp: m.senderTimestamp,
      text: m.text, snr: m.snr ?? 0,
    };
    this.queueFrame(encodeMessageFrame(msg, this.v3()));
    return true;
  }

  /** An ACK (or PATH+ACK) for one of our DMs: MyMesh::processAck. `pathHops` set when it came as a PATH return. */
  receiveAck(ack: number, options: { pathHops?: number } = {}): boolean {
    if (this.off) return false;
    const i = this.ram.ackTable.findIndex((e) => e !== null && e.ack === ack);
    if (i < 0) return false;
    const e = this.ram.ackTable[i]!;
    this.ram.ackTable[i] = null; // "the same ACK can be received multiple times"
    this.writeFrame(encodeSendConfirmed({ ackCode: ack, roundTripMs: Math.max(0, this.millis() - e.sentAtMs) }));
    if (options.pathHops !== undefined) {
      const c = this.persistent.contacts.find((x) => toHex(x.publicKey) === e.contactKey);
      if (c) {
        c.outPathLen = options.pathHops & 0x3f;
        this.writeFrame(new FrameWriter().u8(PUSH.PATH_UPDATED).bytes(c.publicKey).done()); // onContactPathUpdated
      }
    }
    return true;
  }

  /** BaseChatMesh::onAdvertRecv with MyMesh::onDiscoveredContact (see sim-adverts.ts). */
  receiveAdvert(a: HeardAdvert, raw?: Uint8Array, options: { logRx?: boolean } = {}): void {
    if (this.off) return;
    if (raw && options.logRx !== false) {
      this.logRx(raw);
      this.countRecv(true);
    }
    onAdvertRecv(this, a, raw);
  }


  countSent(flood: boolean): void {
    const c = this.ram.counters;
    c.sent++;
    if (flood) c.sentFlood++;
    else c.sentDirect++;
  }

  countRecv(flood: boolean): void {
    const c = this.ram.counters;
    c.recv++;
    if (flood) c.recvFlood++;
    else c.recvDirect++;
  }

  /** PUSH_CODE_LOG_RX_DATA for every packet the radio decodes, before it is processed (MyMesh::logRxRaw).
   * Serial is always "connected", so it is pushed even with no app listening. */
  logRx(raw: Uint8Array, snr = 8, rssi = -60): void {
    if (!this.logRxEnabled) return;
    if (raw.length + 3 > MESHCORE_MAX_FRAME_SIZE || !this.isConnected()) return;
    this.writeFrame(new FrameWriter().u8(PUSH.LOG_RX_DATA).u8(Math.round(snr * 4)).u8(rssi).bytes(raw).done());
  }
}
