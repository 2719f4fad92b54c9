/**
 * MeshCoreGateway: a RadioGateway (runtime/bearer/radio-gateway.ts) that drives one MeshCore companion radio (serial
 * or TCP) and carries its text traffic into the router. Channel messages and DMs become `foreign` events; bundles
 * addressed to `mc:<key>` or `mc:ch:<index>` go out as text (sendText). The link reconnects with backoff; while it is
 * down canReach() is false and send() answers 'unreachable', so the router keeps bundles in its vault and re-sends
 * on the `peer` up events emitted after the next handshake.
 */
import type { Metrics } from '../../metrics/metrics.js';
import type { BearerEvents, BearerStatus, OutFrame, PeerId, SendResult } from '../../bearer/bearer.js';
import type { RadioGateway, RadioInfo, RadioLinkState, RadioModulation, RadioRefusal, RadioSelf, RadioSendResult, RadioText } from '../../bearer/radio-gateway.js';
import type { Bundle } from '../../bundle/bundle.js';
import type { ByteLink, LinkOpener } from '../../../firmware-protocol/framing/byte-link.js';
import { MeshCoreSession, type MeshCoreSessionOptions } from '../../../firmware-protocol/meshcore/client-session.js';
import { isMessageCode, type ReceivedMessage } from '../../../firmware-protocol/meshcore/message-frames.js';
import { toForeignMessage } from './foreign-message.js';
import { radioDetail } from './radio-detail.js';
import { channelsOf, modulationOf, nodesOf, selfOf } from './radio-info.js';
import { MAX_TEXT_LEN, EXPECTED_ACK_TABLE_SIZE } from '../../../firmware-protocol/meshcore/codes.js';
import { toHex, truncateUtf8, decodeUtf8 } from '../../../firmware-protocol/meshcore/bytes.js';
import { isEmptyChannel } from '../../../firmware-protocol/meshcore/device-frames.js';
import { hashtagChannelSecret, regionScopeKey } from '../../../firmware-protocol/meshcore/channel-secret.js';
import { setFloodScope } from '../../../firmware-protocol/meshcore/command-table.js';
import { MeshCoreContactUnknownError } from '../../../firmware-protocol/meshcore/errors.js';
import { TypedEmitter } from '../../../lib/events/typed-emitter.js';
import { channelPeer, contactPeer, isMeshCorePeer, parseMeshCorePeer } from './peer-address.js';
import { DEFAULT_DM_RETRY, type DmJob, type DmRetryPolicy } from './dm-retry.js';
import { DmQueue } from './dm-queue.js';
import { registerMeshCoreMetrics, type MeshCoreMetrics } from './meshcore-metrics.js';
import { MeshCoreGatewayStoppedError } from './errors.js';
import { Displacement, type DisplacementPolicy } from '../displacement.js';

export interface MeshCoreGatewayOptions {
  /** Bearer name, e.g. `meshcore0`. */
  name: string;
  /** Opens a fresh link to the radio (see device-opener.ts). */
  open: LinkOpener;
  session?: MeshCoreSessionOptions;
  /** Backoff between reconnects: initialMs doubling to maxMs; reset once a session stayed up stableMs. */
  reconnect?: { initialMs?: number; maxMs?: number; stableMs?: number };
  /** Back-off after the radio displaced us for another TCP client (runtime/bearers/displacement.ts); default
   * 5 s doubling to 10 min, reset by a session that stays up 60 s. */
  displacement?: Partial<DisplacementPolicy>;
  dmRetry?: Partial<DmRetryPolicy>;
  /** DMs in flight at once; the firmware remembers only 8 expected ACKs (EXPECTED_ACK_TABLE_SIZE). */
  maxInFlightDms?: number;
  /** Channels to make sure of after each handshake: `#name` → hashtag secret, else give `secretHex`. */
  channels?: Array<{ index: number; name: string; secretHex?: string }>;
  /** Region flood scope (`#name`) for everything the radio floods; many meshes drop un-scoped floods. Session
   * state on the radio, so it is set again after every handshake. Needs firmware v8+. */
  floodScope?: string;
  /** Bundle → text for the radio; default: the UTF-8 body (sealed bundles cannot be carried). */
  formatText?: (bundle: Bundle) => string | null;
  /** Keepalive: battery/storage poll interval; a missed reply drops the link and reconnects. 0 disables. */
  pollIntervalMs?: number;
  metrics?: Metrics;
  log?: GatewayLog;
  now?: () => number;
}

/** The logging the gateway needs; `console` fits, and so does the runtime's namespaced logger. */
export interface GatewayLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

const SILENT_LOG: GatewayLog = { debug() {}, info() {}, warn() {} };

type State = BearerStatus['state'];

/** How long a DM may be retried when the caller gives no expiry (a plain sendText). */
const DEFAULT_DM_LIFETIME_MS = 10 * 60_000;

/** Metric reason label → the typed refusal. */
const REFUSAL: Record<string, RadioRefusal> = {
  link_down: 'link-down', bad_address: 'bad-address', no_channel: 'no-channel', contact_unknown: 'unknown-node',
  dm_queue_full: 'busy', not_text: 'empty', radio_error: 'radio-error',
};

export class MeshCoreGateway implements RadioGateway {
  readonly name: string;
  readonly mode = 'sync' as const;
  readonly mesh = 'meshcore' as const;
  private state: State = 'stopped';
  private session: MeshCoreSession | null = null;
  private link: ByteLink | null = null;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private readonly listeners: TypedEmitter<BearerEvents>;
  private readonly log: GatewayLog;
  private readonly metrics?: MeshCoreMetrics;
  private readonly now: () => number;
  private readonly policy: DmRetryPolicy;
  private readonly dms: DmQueue;
  private readonly refusedPeers = new Set<string>();
  private readonly upWaiters = new Set<() => void>();
  private announced = new Set<string>();
  private connectedSince?: number;
  private reconnects = 0;
  private lastError?: { name: string; message: string; at: number };
  private battery?: number;
  private truncated = 0;
  private lastMessageFrameAt = 0;
  private readonly displacement: Displacement;
  private linkClose?: Error;
  /** Identity and radio parameters of the last session, kept while the link is down (RadioInfo.self/modulation). */
  private lastSelf?: RadioSelf;
  private lastModulation?: RadioModulation;

  constructor(private readonly options: MeshCoreGatewayOptions) {
    this.name = options.name;
    this.log = options.log ?? SILENT_LOG;
    this.listeners = new TypedEmitter<BearerEvents>({ onListenerError: (err, event) => this.log.warn('listener failed', { event, err: String(err) }) });
    this.metrics = options.metrics ? registerMeshCoreMetrics(options.metrics) : undefined;
    this.now = options.now ?? Date.now;
    this.displacement = new Displacement({
      bearer: this.name, device: () => this.link?.description, log: this.log, now: this.now,
      ...(options.displacement ? { policy: options.displacement } : {}), ...(this.metrics ? { counter: this.metrics.displaced } : {}),
    });
    this.policy = { ...DEFAULT_DM_RETRY, ...options.dmRetry };
    this.dms = new DmQueue({
      bearer: this.name,
      now: this.now,
      metrics: this.metrics,
      log: this.log,
      session: async (signal) => {
        while (this.state !== 'up' || !this.session) await this.whenUp({ signal });
        return this.session;
      },
      onSlotFree: () => this.onSlotFree(),
    }, this.policy, options.maxInFlightDms ?? EXPECTED_ACK_TABLE_SIZE);
  }

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }

  async start(): Promise<void> {
    if (this.abort) return;
    this.abort = new AbortController();
    this.state = 'starting';
    this.loop = this.connectLoop(this.abort.signal);
  }

  async stop(): Promise<void> {
    const ac = this.abort;
    if (!ac) return;
    this.abort = null;
    const wasUp = this.state === 'up';
    this.state = 'stopped';
    ac.abort(new MeshCoreGatewayStoppedError(this.name));
    if (wasUp) {
      const peers = [...this.announced];
      this.announced = new Set();
      for (const peer of peers) this.listeners.emit('peer', { bearer: this.name, peer, up: false });
    }
    for (const w of this.upWaiters) w();
    await this.session?.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
    this.dms.clear();
    this.state = 'stopped';
    this.metrics?.linkUp.set({ bearer: this.name }, 0);
  }

  /** Resolves when the session is up (tests, CLI). */
  whenUp(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.state === 'up') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        this.upWaiters.delete(done);
        options.signal?.removeEventListener('abort', onAbort);
        if (this.state === 'up') resolve();
        else reject(new MeshCoreGatewayStoppedError(this.name));
      };
      const onAbort = () => { this.upWaiters.delete(done); reject(options.signal!.reason); };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.upWaiters.add(done);
    });
  }

  canReach(peer: PeerId): boolean {
    if (this.state !== 'up' || !this.session || !isMeshCorePeer(peer)) return false;
    try {
      const a = parseMeshCorePeer(peer);
      if (a.kind === 'channel') return this.channelUsable(a.index);
      return this.session.findContact(a.key) !== undefined && this.dms.hasRoom();
    } catch {
      return false;
    }
  }

  async send(frame: OutFrame, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    options.signal?.throwIfAborted();
    if (!isMeshCorePeer(frame.peer) || frame.kind !== 'bundle' || !frame.bundle) return 'unreachable';
    parseMeshCorePeer(frame.peer); // a malformed mc: address is a caller bug: MeshCoreAddressError
    if (this.state !== 'up' || !this.session) return this.refuse(frame.peer, 'link_down');
    const text = (this.options.formatText ?? defaultText)(frame.bundle);
    if (text === null) return this.refuse(frame.peer, 'not_text');
    const r = await this.sendText({
      to: frame.peer, text, sentAt: frame.bundle.sentAt, expiresAt: frame.bundle.sentAt + frame.bundle.lifetime,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return r.status === 'refused' ? 'unreachable' : 'accepted';
  }

  async sendText(req: RadioText): Promise<RadioSendResult> {
    req.signal?.throwIfAborted();
    let addr;
    try {
      addr = parseMeshCorePeer(req.to);
    } catch (err) {
      return this.refused(req.to, 'bad_address', err);
    }
    const session = this.session;
    if (this.state !== 'up' || !session) return this.refused(req.to, 'link_down');
    // Empty text: the firmware needs len ≥ 14 for CMD_SEND_TXT_MSG (ERR_CODE_UNSUPPORTED_CMD otherwise).
    if (req.text === '') return this.refused(req.to, 'not_text');
    const sentAt = req.sentAt ?? this.now();
    // The sender timestamp is part of the encrypted payload: the same text with the same sentAt is the same packet
    // (the same hash), which MeshCore nodes drop as already seen.
    const senderTimestamp = Math.floor(sentAt / 1000);
    if (addr.kind === 'channel') {
      if (!this.channelUsable(addr.index)) return this.refused(req.to, 'no_channel');
      // sendGroupMessage cuts "<name>: " + text at 160 bytes, possibly mid character: cut cleanly here instead.
      const budget = MAX_TEXT_LEN - Buffer.byteLength(`${session.selfInfo?.name ?? ''}: `);
      const t = truncateUtf8(req.text, Math.max(0, budget));
      if (t.truncated) this.truncated++;
      try {
        await session.sendChannelMessage(addr.index, decodeUtf8(t.bytes), { senderTimestamp, signal: req.signal });
      } catch (err) {
        req.signal?.throwIfAborted();
        if (!this.abort) throw new MeshCoreGatewayStoppedError(this.name);
        if (!isUnanswered(err)) return this.refused(req.to, 'radio_error', err);
        // The radio had the whole command when the link dropped: the companion firmware carries a command out as
        // soon as it has read it (MyMesh::handleCmdFrame), so the text is most likely on the air and only RESP_OK
        // was lost. A channel text has no acknowledgement a re-send could wait for, so answering unreachable would
        // make the router send it again after the reconnect and the channel would hear it twice. Counted as sent.
        this.metrics?.unconfirmed.inc({ bearer: this.name });
        this.log.warn('MeshCore link dropped before the radio confirmed a channel text; counting it as sent, not repeating it', {
          peer: req.to, err: (err as Error).message,
        });
        return { status: 'unconfirmed', pieces: 1 };
      }
      this.metrics?.messagesOut.inc({ bearer: this.name, kind: 'channel' });
      return { status: 'sent', pieces: 1 };
    }
    const contact = session.findContact(addr.key);
    if (!contact) return this.refused(req.to, 'contact_unknown', new MeshCoreContactUnknownError(addr.hex));
    if (!this.dms.hasRoom()) return this.refused(req.to, 'dm_queue_full');
    const t = truncateUtf8(req.text, MAX_TEXT_LEN);
    if (t.truncated) this.truncated++;
    const job: DmJob = {
      peer: req.to, key: contact.publicKey, text: decodeUtf8(t.bytes), textBytes: t.bytes.length, senderTimestamp,
      expiresAt: req.expiresAt ?? sentAt + DEFAULT_DM_LIFETIME_MS, attempt: 0, acks: new Set(), sentAt: this.now(), lastSendAt: this.now(),
    };
    let sent;
    try {
      sent = await session.sendDirectMessage(job.key, job.text, { attempt: 0, senderTimestamp, signal: req.signal });
    } catch (err) {
      req.signal?.throwIfAborted();
      if (!this.abort) throw new MeshCoreGatewayStoppedError(this.name);
      return this.refused(req.to, err instanceof MeshCoreContactUnknownError ? 'contact_unknown' : 'radio_error', err);
    }
    this.metrics?.messagesOut.inc({ bearer: this.name, kind: 'direct' });
    // Stopped between SENT and here: the radio sent it once; there is nobody left to retry it.
    if (this.abort) this.dms.track(job, sent, this.abort.signal);
    return { status: 'sent', pieces: 1 };
  }

  radio(): RadioInfo {
    const s = this.state === 'up' ? this.session : null;
    const d = this.displacement.detail();
    const link: RadioLinkState = this.state === 'up' || this.state === 'stopped' || this.state === 'starting' ? this.state : d.backingOff ? 'displaced' : 'down';
    const device = this.link?.description;
    return {
      name: this.name,
      mesh: 'meshcore',
      link: { state: link, ...(device ? { device } : {}), reconnects: this.reconnects, ...(this.lastError ? { lastError: this.lastError.message } : {}), displacement: d },
      ...(this.lastSelf ? { self: this.lastSelf } : {}),
      channels: s ? channelsOf(s) : [],
      nodes: s ? nodesOf(s) : [],
      ...(this.lastModulation ? { modulation: this.lastModulation } : {}),
    };
  }

  status(): BearerStatus {
    return {
      name: this.name,
      kind: 'meshcore',
      mode: this.mode,
      state: this.state,
      peers: this.state === 'up' ? [...this.announced] : [],
      detail: {
        link: { state: this.state, device: this.link?.description, connectedSince: this.connectedSince, reconnects: this.reconnects },
        displacement: this.displacement.detail(),
        ...radioDetail(this.session),
        batteryMilliVolts: this.battery,
        dm: { inFlight: this.dms.size, confirmations: this.dms.confirmations, retries: this.dms.retries, expired: this.dms.expired, lastRttMs: this.dms.lastRttMs },
        floodScope: this.options.floodScope,
        truncatedTexts: this.truncated,
        lastError: this.lastError,
      },
    };
  }

  // ---- internals ----

  private channelUsable(index: number): boolean {
    const c = this.session?.channels[index];
    return c !== undefined && !isEmptyChannel(c);
  }

  private refused(peer: string, reason: keyof typeof REFUSAL, err?: unknown): RadioSendResult {
    this.refuse(peer, reason, err);
    return { status: 'refused', reason: REFUSAL[reason]!, ...(err instanceof Error ? { detail: err.message } : {}) };
  }

  private refuse(peer: string, reason: string, err?: unknown): SendResult {
    this.metrics?.sendErrors.inc({ bearer: this.name, reason });
    if (err instanceof Error) this.lastError = { name: err.name, message: err.message, at: this.now() };
    if (reason === 'dm_queue_full' || reason === 'contact_unknown') this.refusedPeers.add(peer);
    this.log.debug('send refused', { peer, reason, err: err instanceof Error ? err.message : undefined });
    return 'unreachable';
  }

  private onSlotFree(): void {
    // A DM slot is free again: tell the router the peers we turned away may be retried.
    if (this.state === 'up') {
      for (const p of this.refusedPeers) if (this.canReach(p)) this.listeners.emit('peer', { bearer: this.name, peer: p, up: true });
    }
    this.refusedPeers.clear();
  }

  private async connectLoop(signal: AbortSignal): Promise<void> {
    const initial = this.options.reconnect?.initialMs ?? 500;
    const max = this.options.reconnect?.maxMs ?? 30_000;
    // Only a session that stayed up this long resets the backoff: a TCP companion takes one client, so two hosts
    // (this relay and a phone app) would otherwise kick each other off twice a second.
    const stableMs = this.options.reconnect?.stableMs ?? 30_000;
    let delay = initial;
    let first = true;
    let displacedWait: number | undefined;
    while (!signal.aborted) {
      if (!first) {
        // Displaced by another client: wait that out rather than take the radio back (Displacement warned).
        const wait = displacedWait ?? delay;
        await new Promise<void>((resolve) => {
          const onAbort = () => { clearTimeout(t); resolve(); };
          const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, wait);
          signal.addEventListener('abort', onAbort, { once: true });
        });
        if (signal.aborted) return;
        if (displacedWait === undefined) delay = Math.min(max, delay * 2);
        displacedWait = undefined;
      }
      first = false;
      let closed: Promise<Error | undefined>;
      try {
        ({ closed } = await this.connectOnce(signal));
      } catch (err) {
        if (signal.aborted) return;
        if (this.state !== 'stopped') this.state = 'down';
        // Kicked during the handshake (an app that reconnects at once): a displacement all the same.
        displacedWait = this.displacement.ended(this.linkClose);
        if (displacedWait !== undefined) continue;
        this.lastError = { name: (err as Error).name, message: (err as Error).message, at: this.now() };
        this.log.warn('MeshCore connect failed', { err: (err as Error).message });
        continue;
      }
      const upAt = this.now();
      const why = await closed;
      if (signal.aborted) return;
      if (this.now() - upAt >= stableMs) delay = initial;
      displacedWait = this.displacement.ended(this.linkClose ?? why);
      this.goDown(displacedWait !== undefined);
    }
  }

  /** Opens, handshakes, announces; resolves with a promise that settles when the session closes. */
  private async connectOnce(signal: AbortSignal): Promise<{ closed: Promise<Error | undefined> }> {
    this.linkClose = undefined;
    const link = await this.options.open({ signal });
    this.link = link;
    // How the link ended, as the link says it (a clean close by the radio means another client took it).
    link.onClose((err) => { if (this.link === link) this.linkClose = err; });
    const session = new MeshCoreSession(link, this.options.session);
    const closed = new Promise<Error | undefined>((resolve) => session.on('close', (err) => resolve(err)));
    this.wire(session);
    try {
      await session.start({ signal });
      for (const ch of this.options.channels ?? []) {
        // A refused channel (slot out of range on a small build) is reported, not a reason to drop the radio.
        await this.ensureChannel(session, ch, signal).catch((err: Error) => {
          if (!(err.name === 'MeshCoreCommandRejectedError' || err.name === 'MeshCoreArgumentError')) throw err;
          this.lastError = { name: err.name, message: `channel ${ch.index} ${ch.name}: ${err.message}`, at: this.now() };
          this.log.warn('MeshCore channel not set', { index: ch.index, name: ch.name, err: err.message });
        });
      }
      if (this.options.floodScope) {
        await session.request(setFloodScope, { key: regionScopeKey(this.options.floodScope) }, { signal }).catch((err: Error) => {
          if (err.name !== 'MeshCoreCommandRejectedError') throw err;
          this.lastError = { name: err.name, message: `flood scope ${this.options.floodScope}: ${err.message}`, at: this.now() };
          this.log.warn('MeshCore flood scope not set (firmware older than v8?)', { scope: this.options.floodScope });
        });
      }
      this.battery = await session.getBattAndStorage({ signal }).then(
        (b) => b.batteryMilliVolts,
        (err: Error) => {
          if (err.name !== 'MeshCoreCommandRejectedError') throw err;
          return undefined;
        },
      );
    } catch (err) {
      await session.close().catch(() => undefined);
      throw err;
    }
    if (signal.aborted) {
      await session.close().catch(() => undefined);
      throw signal.reason;
    }
    this.session = session;
    this.lastSelf = selfOf(session);
    this.lastModulation = modulationOf(session);
    this.state = 'up';
    this.connectedSince = this.now();
    this.metrics?.linkUp.set({ bearer: this.name }, 1);
    this.displacement.up();
    this.log.info('MeshCore radio up', { device: link.description, name: session.selfInfo?.name, firmware: session.deviceInfo?.firmwareVersion });
    for (const w of [...this.upWaiters]) w();
    this.announceAll(session);
    this.startPolling(session, signal);
    return { closed };
  }

  private async ensureChannel(session: MeshCoreSession, ch: { index: number; name: string; secretHex?: string }, signal: AbortSignal): Promise<void> {
    const secret = ch.secretHex ? Uint8Array.from(Buffer.from(ch.secretHex, 'hex')) : hashtagChannelSecret(ch.name);
    const have = session.channels[ch.index];
    if (have && have.name === ch.name && toHex(have.secret) === toHex(secret)) return;
    await session.setChannel({ index: ch.index, name: ch.name, secret }, { signal });
  }

  private startPolling(session: MeshCoreSession, signal: AbortSignal): void {
    const every = this.options.pollIntervalMs ?? 60_000;
    if (every <= 0) return;
    const timer = setInterval(() => {
      session.getBattAndStorage({ signal }).then(
        (b) => { this.battery = b.batteryMilliVolts; },
        (err: Error) => {
          if (signal.aborted || !session.isReady) return;
          this.log.warn('MeshCore keepalive failed, reconnecting', { err: err.message });
          void session.close();
        },
      );
    }, every);
    timer.unref();
    session.on('close', () => clearInterval(timer));
  }

  private wire(session: MeshCoreSession): void {
    const bearer = this.name;
    session.on('frame', (f) => {
      this.metrics?.framesIn.inc({ bearer });
      if (isMessageCode(f[0])) this.lastMessageFrameAt = performance.now();
    });
    session.on('frameOut', () => this.metrics?.framesOut.inc({ bearer }));
    session.on('garbage', (g) => this.metrics?.decodeErrors.inc({ bearer }, g.resyncs));
    session.on('decodeError', () => this.metrics?.decodeErrors.inc({ bearer }));
    session.on('message', (m) => this.onMessage(session, m));
    session.on('confirmed', (c) => this.dms.confirm(c));
    session.on('contact', (c) => {
      const peer = contactPeer(toHex(c.publicKey));
      // Heard again (advert or new path): an unconfirmed DM to it is worth re-sending now rather than after backoff.
      this.dms.wake(c.publicKey);
      if (this.state === 'up' && !this.announced.has(peer)) {
        this.announced.add(peer);
        this.listeners.emit('peer', { bearer, peer, up: true, name: c.name });
      }
    });
    session.on('contactRemoved', (key) => {
      const peer = contactPeer(toHex(key));
      if (this.announced.delete(peer)) this.listeners.emit('peer', { bearer, peer, up: false });
    });
  }

  private announceAll(session: MeshCoreSession): void {
    this.announced = new Set();
    for (const c of session.usableChannels()) {
      const peer = channelPeer(c.index);
      this.announced.add(peer);
      this.listeners.emit('peer', { bearer: this.name, peer, up: true, name: c.name });
    }
    for (const c of session.contacts.values()) {
      const peer = contactPeer(toHex(c.publicKey));
      this.announced.add(peer);
      this.listeners.emit('peer', { bearer: this.name, peer, up: true, name: c.name });
    }
  }

  private goDown(displaced: boolean): void {
    if (this.state === 'stopped') return;
    if (this.state === 'up') {
      this.reconnects++;
      this.metrics?.reconnects.inc({ bearer: this.name });
    }
    this.state = 'down';
    this.session = null;
    this.connectedSince = undefined;
    this.metrics?.linkUp.set({ bearer: this.name }, 0);
    // A displacement was announced by Displacement (one warning per run); anything else is a lost link.
    if (!displaced) this.log.warn('MeshCore radio down', { device: this.link?.description });
    const peers = [...this.announced];
    this.announced = new Set();
    for (const peer of peers) this.listeners.emit('peer', { bearer: this.name, peer, up: false });
  }

  private onMessage(session: MeshCoreSession, m: ReceivedMessage): void {
    const f = toForeignMessage(this.name, session, m, this.now());
    if (!f) return;
    this.metrics?.messagesIn.inc({ bearer: this.name, kind: f.direct ? 'direct' : 'channel' });
    this.metrics?.rxToGateway.observe({ bearer: this.name }, (performance.now() - this.lastMessageFrameAt) / 1000);
    this.listeners.emit('foreign', f);
  }
}

/** The link closed after the command was written in full (client-session: MeshCoreLinkClosedError.unanswered). */
function isUnanswered(err: unknown): boolean {
  return err instanceof Error && err.name === 'MeshCoreLinkClosedError' && typeof (err as { unanswered?: unknown }).unanswered === 'string';
}

function defaultText(bundle: Bundle): string | null {
  if (bundle.sealed) return null;
  return decodeUtf8(bundle.body);
}
