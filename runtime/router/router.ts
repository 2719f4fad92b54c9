/**
 * Router: the relay core. It composes the parts, one concept each, around a shared context (router-context.ts):
 *
 *   ingest-pipeline.ts  every bundle in: decode, loop check, dedupe, verify, route decision, persist (durable)
 *   dispatcher.ts       out on every bearer that can reach a target, the outbox row's state machine
 *   retry-scheduler.ts  queued targets tried again: timer while a failed send waits, full passes on peer-up
 *   bloom-receipts.ts   delivery blooms retire hand-offs and travel back upstream
 *   bloom-exchange.ts   this node's own signed, salted blooms
 *   peer-directory.ts   neighbours heard, their short ids
 *
 * and answers the RelayNode side: send() (create, sign, store), foreign messages wrapped in bundles, the views of
 * the inbox, the outbox and the peers. Dispatch sends on ALL bearers that can reach a target at once; sync
 * `accepted` = delivered to that hop (durable there where the bearer carries acknowledgements: every received frame
 * is settled back to its bearer once its fate is known, bearer.ts `InFrame.settle`), async `accepted` waits for the
 * recipient's delivery blooms. Targets nobody can reach stay queued in the vault and go out on a `peer` up event or
 * the retry timer (with back-off), also after a restart. Every drop is counted by reason.
 */
import type { Bearer, ForeignMessage, PeerEvent, SenderAuthEvent } from '../bearer/bearer.js';
import { SENDER_AUTH_EVENT } from './sender-auth-view.js';
import { BROADCAST } from '../bearer/bearer.js';
import { encodeBundle } from '../bundle/bundle-codec.js';
import { bundleId } from '../bundle/bundle-id.js';
import { createBundle } from '../bundle/create-bundle.js';
import { timerClockOf, type TimerClock } from '../../lib/clock/timer-clock.js';
import type { Identity } from '../identity/identity.js';
import { InvalidPeerKeyError } from '../identity/errors.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { BadRequestError, INBOX_DEFAULT_LIMIT, InvalidRecipientError, SENT_DEFAULT_LIMIT, UnknownPeerError, type BundleView, type InboxEntry, type OutboxState, type PeerSummary, type SendRequest, type SentEntry } from '../node/relay-node.js';
import type { Vault } from '../vault/vault.js';
import { hex } from '../vault/vault-keys.js';
import { BloomExchange } from './bloom-exchange.js';
import { BloomReceipts } from './bloom-receipts.js';
import { bundleView, inboxEntry, sentFixed, sentState, type SentFixed } from './bundle-views.js';
import { Dispatcher } from './dispatcher.js';
import { RouterStoppedError } from './errors.js';
import { IngestPipeline, type IngestOutcome } from './ingest-pipeline.js';
import { PeerDirectory } from './peer-directory.js';
import { foreignAddressProblem, isForeignAddress, nodeIdShapeProblem } from './recipient-address.js';
import { RetryScheduler } from './retry-scheduler.js';
import type { DropFields, RouterContext } from './router-context.js';
import { RouterEvents } from './router-events.js';
import { routerCounters } from './router-metrics.js';
import { NODE_ID_HEX } from './route-plan.js';
import { VerifyPool } from './verify-pool.js';

export type { IngestOutcome } from './ingest-pipeline.js';

export interface RouterOptions {
  identity: Identity;
  /** A started Vault (the daemon starts it before the router and stops it after). */
  vault: Vault;
  bearers: readonly Bearer[];
  metrics?: Metrics;
  log?: Logger;
  /** The router's time; a TimerClock moves its timers too (retries, bloom broadcasts), so tests need not wait. */
  clock?: (() => number) | TimerClock;
  /** Periodic delivery-bloom broadcast. Default 30 s. */
  bloomIntervalMs?: number;
  /** Delay between an inbox change and the bloom broadcast it triggers. Default 2 s. */
  bloomDebounceMs?: number;
  /** First backoff for failed sends, and the least time between two retry passes of the timer. Default 5 s;
   * per-bundle backoff doubles up to `maxBackoffMs` (default 10 min). The timer only looks at an in-memory list of
   * failed sends (cheap), and is armed only while that list holds one (an idle relay does not wake for it). */
  retryIntervalMs?: number;
  maxBackoffMs?: number;
  /** Per-send timeout. Default 30 s. */
  sendTimeoutMs?: number;
  /** Worker threads for signature checks of received bundles (0: verify on the main thread). Default 0. */
  verifyWorkers?: number;
  /** Lifetime of bundles created here when the sender names none (`vault.lifetimeDays`). Default 7 days. */
  defaultLifetimeMs?: number;
  /** This node's v2 stamps (runtime/bearers/lora/v2/stamp-allocator.ts), when a LoRa bearer speaks Lattice v2: sends
   * to a node or to everyone then get a stamp for sentAt and a compact seal (runtime/bundle/compact-seal.ts), so
   * that v2 frames can carry them at ≤ 24 bytes of overhead. Still signed for every other bearer. */
  stamps?: { next(): Promise<number> };
}

export class Router {
  readonly events = new RouterEvents();
  private readonly ctx: RouterContext;
  private readonly identity: Identity;
  private readonly vault: Vault;
  private readonly bearers: readonly Bearer[];
  private readonly now: () => number;
  private readonly defaultLifetimeMs?: number;
  private readonly stamps?: { next(): Promise<number> };
  private readonly peerDirectory: PeerDirectory;
  private readonly blooms: BloomExchange;
  private readonly receipts: BloomReceipts;
  private readonly dispatcher: Dispatcher;
  private readonly retries: RetryScheduler;
  private readonly pipeline: IngestPipeline;
  private readonly pool?: VerifyPool;
  private readonly foreignSeen = new Map<string, number>();
  /** Decoded (and for sealed ones decrypted) fixed parts of our sent bundles, so the dashboard's tick re-reads only
   * their outbox rows; bounded (the newest are the ones asked for). */
  private readonly sentCache = new Map<string, SentFixed>();
  private readonly inflight = new Set<Promise<unknown>>();
  private unsubscribe: Array<() => void> = [];
  private stopController?: AbortController;
  private startedAt = 0;

  constructor(options: RouterOptions) {
    this.identity = options.identity;
    this.vault = options.vault;
    this.bearers = options.bearers;
    const log = options.log ?? createLogger('router');
    const { now, timers } = timerClockOf(options.clock);
    this.now = now;
    if (options.defaultLifetimeMs !== undefined) this.defaultLifetimeMs = options.defaultLifetimeMs;
    if (options.stamps) this.stamps = options.stamps;
    if (options.verifyWorkers) this.pool = new VerifyPool(options.verifyWorkers);
    const counters = routerCounters(options.metrics, () => this.vault.counts().outbox);
    this.ctx = {
      identity: this.identity, vault: this.vault, bearers: this.bearers, log, now, timers, counters, events: this.events,
      sendTimeoutMs: options.sendTimeoutMs ?? 30_000,
      signal: () => this.stopController?.signal,
      drop: (reason, fields) => this.drop(reason, fields),
      track: (p) => this.track(p),
    };
    const retryIntervalMs = options.retryIntervalMs ?? 5_000;
    this.peerDirectory = new PeerDirectory(now);
    this.blooms = new BloomExchange({
      identity: this.identity,
      bearers: this.bearers,
      clock: now,
      timers,
      intervalMs: options.bloomIntervalMs ?? 30_000,
      debounceMs: options.bloomDebounceMs ?? 2_000,
      onSent: () => counters.bloomSent(),
      log,
    });
    this.receipts = new BloomReceipts(this.ctx, this.blooms, this.peerDirectory);
    this.dispatcher = new Dispatcher(this.ctx, this.peerDirectory, this.receipts, { retryIntervalMs, maxBackoffMs: options.maxBackoffMs ?? 600_000 });
    this.retries = new RetryScheduler(this.ctx, { retryIntervalMs, dispatch: (id) => this.dispatcher.dispatch(id) });
    this.dispatcher.retries = this.retries;
    this.pipeline = new IngestPipeline(this.ctx, {
      peers: this.peerDirectory, exchange: this.blooms, receipts: this.receipts, dispatcher: this.dispatcher,
      ...(this.pool ? { pool: this.pool } : {}),
    });
  }

  get running(): boolean {
    return this.stopController !== undefined;
  }

  get shortId(): string {
    return this.identity.shortId;
  }

  /** When the retry timer fires next (router time), if a failed send waits for it. */
  get retryDueAt(): number | undefined {
    return this.retries.dueAt;
  }

  /** Subscribes to the bearers and the vault, rebuilds the delivery bloom from the inbox, resumes queued targets. */
  async start(): Promise<void> {
    if (this.stopController) return;
    this.stopController = new AbortController();
    this.startedAt = this.now();
    this.pool?.start();
    for (const b of this.bearers) {
      this.unsubscribe.push(
        b.on('frame', (f) => this.track(this.pipeline.onFrame(f))),
        b.on('foreign', (m) => this.track(this.onForeign(m))),
        b.on('peer', (e) => this.onPeer(e)),
        b.on('senderAuth', (e) => this.onSenderAuth(e)),
      );
    }
    // A verdict decided while its frame was on its way to the vault (a bearer decides some at receive time) waits here
    // for the bundle to be stored.
    this.unsubscribe.push(this.events.on('received', ({ id }) => {
      const early = this.earlyVerdicts.get(id);
      if (!early) return;
      this.earlyVerdicts.delete(id);
      for (const e of early) this.traceVerdict(id, e);
    }));
    this.unsubscribe.push(this.vault.events.on('expired', ({ id }) => this.events.emit('dropped', { reason: 'expired', id: hex(id) })));
    for (const { id } of this.vault.inboxIds({ limit: 256 }).reverse()) this.blooms.bloom.add(id);
    this.blooms.start();
    this.retries.start();
  }

  async stop(): Promise<void> {
    if (!this.stopController) return;
    this.stopController.abort(new RouterStoppedError('stop'));
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    const retries = this.retries.stop();
    this.blooms.stop();
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    await retries;
    await this.pool?.stop();
    this.stopController = undefined;
  }

  private track<T>(p: Promise<T>): void {
    this.inflight.add(p);
    p.catch((err) => {
      // A full vault refusing custody is counted and logged as a drop already (ingest()).
      if ((err as Error)?.name !== 'StoreFullError') this.ctx.log.warn('router task failed', { err: String(err) });
    }).finally(() => this.inflight.delete(p));
  }

  private drop(reason: string, fields: DropFields = {}): 'dropped' {
    this.ctx.counters.drop(reason);
    this.events.emit('dropped', { reason, ...fields });
    return 'dropped';
  }

  /** Verdicts on bundles not stored yet (id hex → verdicts), bounded: a verdict whose bundle is never stored (refused,
   * a duplicate dropped before the vault) must not stay. */
  private readonly earlyVerdicts = new Map<string, SenderAuthEvent[]>();
  /** (id, result) pairs already recorded, recent ones: every flood echo of a broadcast brings a verdict, and one row
   * per distinct verdict is all the inbox needs (bounded trace rows under a flood). */
  private readonly tracedVerdicts = new Set<string>();

  private traceVerdict(id: string, e: SenderAuthEvent): void {
    const key = `${id}:${e.result}`;
    if (this.tracedVerdicts.has(key)) return;
    if (this.tracedVerdicts.size >= 4096) this.tracedVerdicts.delete(this.tracedVerdicts.values().next().value!);
    this.tracedVerdicts.add(key);
    this.vault.trace(Buffer.from(id, 'hex'), { at: this.now(), event: SENDER_AUTH_EVENT, bearer: e.bearer, detail: e.result });
  }

  /** A bearer's verdict on a bundle's origin: recorded as a `sender-auth` trace event (InboxEntry.senderAuth). */
  private onSenderAuth(e: SenderAuthEvent): void {
    if (!/^[0-9a-f]{64}$/.test(e.id) || !this.vault.isOpen) return;
    if (this.vault.has(Buffer.from(e.id, 'hex'))) {
      this.traceVerdict(e.id, e);
      return;
    }
    const list = this.earlyVerdicts.get(e.id);
    if (list) list.push(e);
    else {
      if (this.earlyVerdicts.size >= 256) this.earlyVerdicts.delete(this.earlyVerdicts.keys().next().value!);
      this.earlyVerdicts.set(e.id, [e]);
    }
  }

  private onPeer(e: PeerEvent): void {
    if (NODE_ID_HEX.test(e.peer) || /^(mt|mc):/.test(e.peer)) this.peerDirectory.seen(e.peer, e.bearer, e.name);
    // A new neighbour is a new chance for everything queued: retry now, ignoring backoff.
    if (e.up) this.retries.peerUp();
  }

  /**
   * The ingest pipeline for an encoded bundle from a bearer (ingest-pipeline.ts). Resolves once the bundle is
   * durable here ('stored', or 'duplicate' once the copy already held is flushed) or refused for good ('dropped').
   */
  ingestBytes(bytes: Uint8Array, link: { bearer: string; from?: string }): Promise<IngestOutcome> {
    return this.pipeline.ingestBytes(bytes, link);
  }

  /** Sends a bundle's queued targets on every bearer that can reach them now. */
  dispatch(id: Uint8Array): Promise<void> {
    return this.dispatcher.dispatch(id);
  }

  /**
   * Creates, signs (seals for node recipients) and stores a bundle; resolves with its id once durable. `sentAt`
   * (default now) lets a caller that retries after a crash (the bridge's durable queue) re-create the very same
   * bundle: Ed25519 signatures are deterministic, so for a clear body (broadcast, foreign recipient) the id is the
   * same and the vault keeps one copy. Sealed bodies use a random nonce, so this does not hold for node recipients.
   */
  async send(request: SendRequest & { sentAt?: number }): Promise<{ bundleId: string }> {
    if (!this.stopController) throw new RouterStoppedError('send');
    const recipient = this.resolveRecipient(request.to);
    // A caller-chosen sentAt (a retry that must give the same id) keeps it; foreign recipients never go as v2.
    const stamp = this.stamps && request.sentAt === undefined && typeof recipient !== 'string' ? await this.stamps.next() : undefined;
    let b;
    try {
      b = createBundle(this.identity, {
        recipient,
        text: request.text,
        sentAt: request.sentAt ?? this.now(),
        ...(stamp !== undefined ? { stamp } : {}),
        ...(request.lifetimeMs !== undefined ? { lifetimeMs: request.lifetimeMs } : this.defaultLifetimeMs !== undefined ? { lifetimeMs: this.defaultLifetimeMs } : {}),
      });
    } catch (err) {
      // Sealing to a node id that has no X25519 form (not a point, or a low-order one): the sender's mistake.
      if (err instanceof InvalidPeerKeyError) throw new InvalidRecipientError(request.to, `not a node's public key (${err.message})`, { cause: err });
      throw err;
    }
    // Encoded once, for the vault; the first dispatch sends these very bytes.
    const outcome = await this.pipeline.ingest(b, encodeBundle(b), { created: true });
    if (outcome === 'dropped') throw new BadRequestError('the bundle was refused (lifetime out of range?)');
    return { bundleId: hex(bundleId(b)) };
  }

  private resolveRecipient(to: string): Uint8Array | string | null {
    if (typeof to !== 'string' || to.length === 0) throw new BadRequestError('recipient missing');
    if (to === BROADCAST || to === 'broadcast') return null;
    if (isForeignAddress(to)) {
      const problem = foreignAddressProblem(to);
      if (problem) throw new InvalidRecipientError(to, problem);
      return to;
    }
    const lower = to.toLowerCase();
    if (NODE_ID_HEX.test(lower)) return new Uint8Array(Buffer.from(lower, 'hex'));
    if (/^[a-z2-7]{12}$/.test(lower)) {
      const known = this.peerDirectory.byShortId(lower);
      if (known) return new Uint8Array(Buffer.from(known, 'hex'));
      if (lower === this.identity.shortId) return this.identity.nodeId;
    }
    const problem = nodeIdShapeProblem(lower);
    if (problem) throw new InvalidRecipientError(to, problem);
    throw new UnknownPeerError(to);
  }

  // ---- foreign meshes -------------------------------------------------------------------------------------------

  private async onForeign(m: ForeignMessage): Promise<void> {
    if (m.packetId !== undefined) {
      // The same foreign packet heard by two gateways (or re-flooded on the foreign mesh) becomes one bundle.
      const key = `${m.from}|${m.packetId}`;
      if (this.foreignSeen.has(key)) {
        this.drop('foreign-duplicate', { bearer: m.bearer, from: m.from });
        return;
      }
      if (this.foreignSeen.size > 4096) this.foreignSeen.delete(this.foreignSeen.keys().next().value!);
      this.foreignSeen.set(key, m.receivedAt);
    }
    const body = m.text !== undefined ? new TextEncoder().encode(m.text) : m.data;
    if (!body) {
      this.drop('foreign-empty', { bearer: m.bearer, from: m.from });
      return;
    }
    const b = createBundle(this.identity, {
      recipient: m.direct ? this.identity.nodeId : m.to,
      body,
      sentAt: this.now(),
      ...(this.defaultLifetimeMs !== undefined ? { lifetimeMs: this.defaultLifetimeMs } : {}),
      origin: { id: m.from, ...(m.fromName !== undefined ? { name: m.fromName } : {}) },
    });
    await this.pipeline.ingest(b, encodeBundle(b), { created: true, bearer: m.bearer, from: m.from });
  }

  // ---- views ----------------------------------------------------------------------------------------------------

  bundleView(idHex: string): BundleView | undefined {
    if (!/^[0-9a-f]{64}$/.test(idHex) || !this.vault.isOpen) return undefined;
    const id = Buffer.from(idHex, 'hex');
    const stored = this.vault.get(id);
    if (!stored) return undefined;
    return bundleView(this.identity, stored, this.vault.outbox(id), this.vault.traceEvents(id));
  }

  /** RelayNode.inbox: the newest `limit` messages received after `since`, oldest first. */
  inbox(options: { limit?: number; since?: number } = {}): InboxEntry[] {
    const out: InboxEntry[] = [];
    const { since } = options;
    // The vault pages newest first and includes `since` itself; rows at exactly `since` are the oldest it can
    // return, so dropping them here never hides a newer message behind the limit.
    for (const { id, receivedAt } of this.vault.inboxIds({ limit: options.limit ?? INBOX_DEFAULT_LIMIT, since })) {
      if (since !== undefined && receivedAt <= since) continue;
      const stored = this.vault.get(id);
      if (!stored || stored.expired) continue;
      const e = inboxEntry(this.identity, stored, () => this.vault.traceEvents(id));
      if (e) out.push(e);
    }
    return out.reverse();
  }

  /** RelayNode.sentMessages: the newest `limit` bundles created here, newest first, with their state now. */
  sentMessages(options: { limit?: number } = {}): SentEntry[] {
    if (!this.vault.isOpen) return [];
    const out: SentEntry[] = [];
    for (const { id } of this.vault.sentIds({ limit: options.limit ?? SENT_DEFAULT_LIMIT })) {
      const idHex = hex(id);
      const stored = this.vault.get(id);
      if (!stored) continue; // purged between the index read and this one
      let fixed = this.sentCache.get(idHex);
      if (!fixed) {
        fixed = sentFixed(this.identity, stored);
        if (!fixed) continue;
        if (this.sentCache.size >= 512) this.sentCache.delete(this.sentCache.keys().next().value!);
        this.sentCache.set(idHex, fixed);
      }
      out.push({ ...fixed, state: sentState(fixed, this.vault.outbox(id), stored.expired) });
    }
    return out;
  }

  outboxCounts(): Record<OutboxState, number> {
    return this.vault.counts().outbox;
  }

  peers(): PeerSummary[] {
    return this.peerDirectory.summaries(this.bearers, this.startedAt);
  }
}
