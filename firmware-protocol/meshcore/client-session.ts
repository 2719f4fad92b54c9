/**
 * MeshCoreSession: drives one companion radio over one ByteLink, the way the MeshCore apps and meshcore_py do
 * (MeshCore:docs/companion_protocol.md "connection", MyMesh.cpp handleCmdFrame):
 *   DEVICE_QUERY(app_target_ver) → DEVICE_INFO; APP_START → SELF_INFO; SET_DEVICE_TIME (the radio's RTC only moves
 *   forward); GET_CONTACTS; GET_CHANNEL 0..max; drain SYNC_NEXT_MESSAGE until NO_MORE_MESSAGES, and again on every
 *   PUSH_CODE_MSG_WAITING.
 * It caches contacts and channels, tracks SEND_CONFIRMED by ACK code, and emits what the radio pushes. One session
 * per link: when the link closes the session is over (the owner opens a new link and a new session).
 */
import type { ByteLink } from '../framing/byte-link.js';
import { MeshCoreFrameDecoder, encodeMeshCoreFrame, MESHCORE_MARKER_TO_RADIO } from '../framing/meshcore-frame.js';
import { APP_VER_V3_FRAMES, ERR_CODE, PUSH, isPlausibleRadioCode } from './codes.js';
import { CommandChannel, type RequestOptions } from './command-channel.js';
import * as C from './command-table.js';
import type { Contact } from './contact-record.js';
import { readContactRecord } from './contact-record.js';
import {
  decodePubKeyPush, decodeSendConfirmed, isEmptyChannel,
  type BattAndStorage, type ChannelInfo, type DeviceInfo, type SelfInfo, type SendConfirmed, type SentInfo,
} from './device-frames.js';
import type { ReceivedMessage } from './message-frames.js';
import { FrameReader, toHex } from './bytes.js';
import { hashtagChannelSecret } from './channel-secret.js';
import { MeshCoreContactUnknownError, MeshCoreLinkClosedError, MeshCoreSessionStateError } from './errors.js';
import { TypedEmitter } from '../../lib/events/typed-emitter.js';
import { AckWaiters } from './ack-waiters.js';

export interface MeshCoreSessionOptions {
  appName?: string;
  /** 3 (default) asks for the V3 message frames with SNR; 1 keeps the legacy frames. */
  appTargetVer?: number;
  commandTimeoutMs?: number;
  /** Set the radio clock from `now()` during start (default true). */
  setTime?: boolean;
  now?: () => number;
  /** Upper bound on channel slots probed when DEVICE_INFO does not say (old firmware). */
  maxChannelProbe?: number;
  /** DEVICE_QUERY tries before giving up (a board reset by the port opening answers late). */
  deviceQueryAttempts?: number;
}

export interface SessionStats {
  framesIn: number;
  framesOut: number;
  /** Frames that failed to decode plus bytes the framing decoder dropped while resyncing. */
  decodeErrors: number;
  discardedBytes: number;
  unsolicited: number;
}

export interface MeshCoreSessionEvents {
  message: (m: ReceivedMessage) => void;
  confirmed: (c: SendConfirmed) => void;
  /** A known contact advertised (PUSH_CODE_ADVERT) or was added/changed; the cache is updated first. */
  contact: (c: Contact) => void;
  /** An advert from a node the radio did not add (PUSH_CODE_NEW_ADVERT). */
  newAdvert: (c: Contact) => void;
  contactRemoved: (publicKey: Uint8Array) => void;
  contactsFull: () => void;
  /** Every frame from the radio, after handling (for logging and latency measurements). */
  frame: (payload: Uint8Array) => void;
  /** Every frame written to the radio. */
  frameOut: (payload: Uint8Array) => void;
  /** The framing decoder dropped bytes (garbage on the line, false frame starts). */
  garbage: (g: { resyncs: number; discardedBytes: number }) => void;
  decodeError: (err: Error) => void;
  close: (error?: Error) => void;
}

type State = 'idle' | 'starting' | 'ready' | 'closed';

export class MeshCoreSession extends TypedEmitter<MeshCoreSessionEvents> {
  readonly stats: SessionStats = { framesIn: 0, framesOut: 0, decodeErrors: 0, discardedBytes: 0, unsolicited: 0 };
  deviceInfo?: DeviceInfo;
  selfInfo?: SelfInfo;
  readonly contacts = new Map<string, Contact>();
  channels: ChannelInfo[] = [];

  private state: State = 'idle';
  private readonly decoder = new MeshCoreFrameDecoder({ accept: (p) => isPlausibleRadioCode(p[0]) });
  private readonly commands: CommandChannel;
  private readonly opts: Required<MeshCoreSessionOptions>;
  private unsubscribe: Array<() => void> = [];
  private draining = false;
  private drainAgain = false;
  private drainDone: Promise<void> = Promise.resolve();
  private readonly acks = new AckWaiters();

  constructor(readonly link: ByteLink, options: MeshCoreSessionOptions = {}) {
    super();
    this.opts = {
      appName: options.appName ?? 'lattice',
      appTargetVer: options.appTargetVer ?? APP_VER_V3_FRAMES,
      commandTimeoutMs: options.commandTimeoutMs ?? 5000,
      setTime: options.setTime ?? true,
      now: options.now ?? Date.now,
      maxChannelProbe: options.maxChannelProbe ?? 8,
      deviceQueryAttempts: options.deviceQueryAttempts ?? 4,
    };
    this.commands = new CommandChannel((p, signal) => this.writePayload(p, signal), link.description, this.opts.commandTimeoutMs);
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.state !== 'idle') throw new MeshCoreSessionStateError(this.state, 'start');
    this.state = 'starting';
    this.unsubscribe.push(this.link.onData((chunk) => this.onChunk(chunk)));
    this.unsubscribe.push(this.link.onClose((err) => this.onLinkClosed(err)));
    if (!this.link.isOpen) {
      this.onLinkClosed();
      throw new MeshCoreLinkClosedError(this.link.description);
    }
    const o = { signal: options.signal };
    this.deviceInfo = await this.firstContact(o.signal);
    this.selfInfo = await this.request(C.appStart, { appName: this.opts.appName, appVer: this.opts.appTargetVer }, o);
    if (this.opts.setTime) {
      try {
        await this.request(C.setDeviceTime, { epochSecs: Math.floor(this.opts.now() / 1000) }, o);
      } catch (err) {
        // ERR_CODE_ILLEGAL_ARG: the radio's clock is ahead of ours; the firmware refuses to go back. Not fatal.
        if (!(err instanceof Error && err.name === 'MeshCoreCommandRejectedError')) throw err;
      }
    }
    await this.refreshContacts(o);
    await this.refreshChannels(o);
    if (this.state !== 'starting') throw new MeshCoreLinkClosedError(this.link.description);
    this.state = 'ready';
    this.scheduleDrain();
    await this.drainDone;
  }

  /**
   * DEVICE_QUERY, asked a few times: opening a USB serial port toggles DTR/RTS, which resets many ESP32 boards
   * (auto-reset circuit), so the first query can be lost while the firmware boots (1–2 s).
   */
  private async firstContact(signal?: AbortSignal): Promise<DeviceInfo> {
    const attempts = Math.max(1, this.opts.deviceQueryAttempts);
    for (let i = 1; ; i++) {
      try {
        return await this.request(C.deviceQuery, { appTargetVer: this.opts.appTargetVer }, {
          signal, timeoutMs: Math.min(this.opts.commandTimeoutMs, 2500),
        });
      } catch (err) {
        if (i >= attempts || !(err instanceof Error && err.name === 'MeshCoreTimeoutError')) throw err;
      }
    }
  }

  /** Closes the link; the session ends. */
  async close(): Promise<void> {
    await this.link.close();
    this.onLinkClosed();
  }

  request<A, R>(spec: C.CommandSpec<A, R>, args: A, options?: RequestOptions): Promise<R> {
    if (this.state === 'closed') return Promise.reject(new MeshCoreLinkClosedError(this.link.description));
    return this.commands.request(spec, args, options);
  }

  async refreshContacts(options?: RequestOptions): Promise<Contact[]> {
    const res = await this.request(C.getContacts, {}, options);
    this.contacts.clear();
    for (const c of res.contacts) this.contacts.set(toHex(c.publicKey), c);
    return res.contacts;
  }

  async refreshChannels(options?: RequestOptions): Promise<ChannelInfo[]> {
    const max = this.deviceInfo?.maxChannels ?? this.opts.maxChannelProbe;
    const channels: ChannelInfo[] = [];
    for (let i = 0; i < max; i++) {
      try {
        channels.push(await this.request(C.getChannel, { index: i }, options));
      } catch (err) {
        // ERR_CODE_NOT_FOUND past the last slot (firmware without MAX_GROUP_CHANNELS in DEVICE_INFO).
        if (err instanceof Error && err.name === 'MeshCoreCommandRejectedError') break;
        throw err;
      }
    }
    this.channels = channels;
    return channels;
  }

  /** Channel slots with a name or a secret. */
  usableChannels(): ChannelInfo[] {
    return this.channels.filter((c) => !isEmptyChannel(c));
  }

  async setChannel(channel: ChannelInfo, options?: RequestOptions): Promise<void> {
    await this.request(C.setChannel, channel, options);
    this.channels[channel.index] = channel;
  }

  /** Sets slot `index` to the hashtag channel `#name` (secret = SHA-256("#name")[0..16]). */
  setHashtagChannel(index: number, name: string, options?: RequestOptions): Promise<void> {
    const tag = name.startsWith('#') ? name : `#${name}`;
    return this.setChannel({ index, name: tag, secret: hashtagChannelSecret(tag) }, options);
  }

  /** Finds a cached contact by full key or by a prefix (≥ 1 byte); undefined if none or ambiguous. */
  findContact(keyOrPrefix: Uint8Array): Contact | undefined {
    const hex = toHex(keyOrPrefix);
    const exact = this.contacts.get(hex);
    if (exact) return exact;
    let found: Contact | undefined;
    for (const [k, c] of this.contacts) {
      if (!k.startsWith(hex)) continue;
      if (found) return undefined;
      found = c;
    }
    return found;
  }

  /**
   * CMD_SEND_TXT_MSG to a contact. Throws MeshCoreContactUnknownError when the radio has no contact with this key
   * (checked in the cache first, and mapped from ERR_CODE_NOT_FOUND). Resolves at RESP_CODE_SENT; the firmware
   * never retries, see waitForConfirmation.
   */
  async sendDirectMessage(
    publicKey: Uint8Array, text: string,
    args: { attempt?: number; senderTimestamp?: number } & RequestOptions = {},
  ): Promise<SentInfo> {
    const contact = this.findContact(publicKey);
    if (!contact) throw new MeshCoreContactUnknownError(toHex(publicKey));
    try {
      return await this.request(C.sendTxtMsg, {
        publicKey: contact.publicKey, text, attempt: args.attempt ?? 0,
        senderTimestamp: args.senderTimestamp ?? Math.floor(this.opts.now() / 1000),
      }, args);
    } catch (err) {
      if (err instanceof Error && err.name === 'MeshCoreCommandRejectedError' && (err as { errCode?: number }).errCode === ERR_CODE.NOT_FOUND) {
        this.contacts.delete(toHex(contact.publicKey));
        throw new MeshCoreContactUnknownError(toHex(publicKey));
      }
      throw err;
    }
  }

  sendChannelMessage(channelIdx: number, text: string, args: { senderTimestamp?: number } & RequestOptions = {}): Promise<void> {
    return this.request(C.sendChannelTxtMsg, {
      channelIdx, text, senderTimestamp: args.senderTimestamp ?? Math.floor(this.opts.now() / 1000),
    }, args);
  }

  getDeviceTime(options?: RequestOptions): Promise<number> {
    return this.request(C.getDeviceTime, undefined, options);
  }

  setDeviceTime(epochSecs: number, options?: RequestOptions): Promise<void> {
    return this.request(C.setDeviceTime, { epochSecs }, options);
  }

  sendSelfAdvert(flood: boolean, options?: RequestOptions): Promise<void> {
    return this.request(C.sendSelfAdvert, { flood }, options);
  }

  getBattAndStorage(options?: RequestOptions): Promise<BattAndStorage> {
    return this.request(C.getBattAndStorage, undefined, options);
  }

  async addUpdateContact(contact: Contact, options?: RequestOptions): Promise<void> {
    await this.request(C.addUpdateContact, contact, options);
    this.contacts.set(toHex(contact.publicKey), contact);
  }

  async removeContact(publicKey: Uint8Array, options?: RequestOptions): Promise<void> {
    await this.request(C.removeContact, { publicKey }, options);
    this.contacts.delete(toHex(publicKey));
  }

  async resetPath(publicKey: Uint8Array, options?: RequestOptions): Promise<void> {
    await this.request(C.resetPath, { publicKey }, options);
    const c = this.contacts.get(toHex(publicKey));
    if (c) c.outPathLen = 0xff;
  }

  /**
   * Waits for PUSH_CODE_SEND_CONFIRMED with this ACK code. Resolves null after `timeoutMs` (a lost ACK is normal
   * on a mesh), rejects on abort or when the link closes.
   */
  waitForConfirmation(ackCode: number, options: { timeoutMs: number; signal?: AbortSignal }): Promise<SendConfirmed | null> {
    if (this.state === 'closed') return Promise.reject(new MeshCoreLinkClosedError(this.link.description));
    return this.acks.wait(ackCode, options);
  }

  private async writePayload(payload: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.link.write(encodeMeshCoreFrame(payload, MESHCORE_MARKER_TO_RADIO), { signal });
    this.stats.framesOut++;
    this.emit('frameOut', payload);
  }

  private onChunk(chunk: Uint8Array): void {
    const before = this.decoder.stats;
    const resyncs = before.resyncs;
    const discarded = before.discardedBytes;
    const frames = this.decoder.push(chunk);
    const g = { resyncs: this.decoder.stats.resyncs - resyncs, discardedBytes: this.decoder.stats.discardedBytes - discarded };
    this.stats.decodeErrors += g.resyncs;
    this.stats.discardedBytes += g.discardedBytes;
    if (g.resyncs > 0 || g.discardedBytes > 0) this.emit('garbage', g);
    for (const f of frames) {
      this.stats.framesIn++;
      try {
        this.onFrame(f);
      } catch (err) {
        this.stats.decodeErrors++;
        this.emit('decodeError', err as Error);
      }
      this.emit('frame', f);
    }
  }

  private onFrame(f: Uint8Array): void {
    const code = f[0];
    if (code >= 0x80) return this.onPush(f);
    if (!this.commands.handleFrame(f)) this.stats.unsolicited++;
  }

  private onPush(f: Uint8Array): void {
    switch (f[0]) {
      case PUSH.MSG_WAITING:
        if (this.state === 'ready') this.scheduleDrain();
        return;
      case PUSH.SEND_CONFIRMED: {
        const c = decodeSendConfirmed(f);
        this.acks.deliver(c);
        this.emit('confirmed', c);
        return;
      }
      case PUSH.ADVERT:
      case PUSH.PATH_UPDATED:
        this.refreshOne(decodePubKeyPush(f));
        return;
      case PUSH.NEW_ADVERT: {
        const r = new FrameReader(f);
        r.u8();
        this.emit('newAdvert', readContactRecord(r));
        return;
      }
      case PUSH.CONTACT_DELETED: {
        const key = decodePubKeyPush(f);
        this.contacts.delete(toHex(key));
        this.emit('contactRemoved', key);
        return;
      }
      case PUSH.CONTACTS_FULL:
        this.emit('contactsFull');
        return;
      default:
        // LOG_RX_DATA (every packet heard), login/status/telemetry responses: not used by this client.
        return;
    }
  }

  /** Fetches one contact after ADVERT / PATH_UPDATED (CMD_GET_CONTACT_BY_KEY) without blocking the frame loop. */
  private refreshOne(key: Uint8Array): void {
    if (this.state !== 'ready') return;
    this.request(C.getContactByKey, { publicKey: key }).then(
      (c) => {
        this.contacts.set(toHex(c.publicKey), c);
        this.emit('contact', c);
      },
      () => undefined, // removed meanwhile (ERR_CODE_NOT_FOUND) or the link went down: nothing to update
    );
  }

  private scheduleDrain(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    this.drainDone = this.drain().finally(() => {
      this.draining = false;
    });
  }

  /** Pops the radio's offline queue until NO_MORE_MESSAGES; a MSG_WAITING meanwhile triggers another round. */
  private async drain(): Promise<void> {
    do {
      this.drainAgain = false;
      for (;;) {
        let next;
        try {
          next = await this.request(C.syncNextMessage, undefined);
        } catch (err) {
          if (this.state === 'closed') return;
          this.emit('decodeError', err as Error);
          // Messages stay queued on the radio and no new MSG_WAITING may come: try again shortly.
          setTimeout(() => { if (this.state === 'ready') this.scheduleDrain(); }, 1000).unref();
          return;
        }
        if (next === null) break;
        if (next.kind !== 'other') this.emit('message', next);
      }
    } while (this.drainAgain && this.state === 'ready');
  }

  private onLinkClosed(error?: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.commands.close(new MeshCoreLinkClosedError(this.link.description, { cause: error }));
    this.acks.failAll(new MeshCoreLinkClosedError(this.link.description, { cause: error }));
    this.emit('close', error);
  }
}
