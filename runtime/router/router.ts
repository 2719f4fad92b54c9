/**
 * Router: the relay core. Every bundle — created here, received as a frame on any bearer, or wrapped from a foreign
 * mesh — goes through one pipeline:
 *
 *   decode -> loop check (own short id in the custody chain: refuse custody) -> dedupe (before the ~140 µs
 *   signature check, so replays and flood echoes cost a hash and a lookup) -> verify -> route decision ->
 *   persist (durable, group commit) -> dispatch
 *
 * Dispatch sends on ALL bearers that can reach a target at once (Promise.allSettled, one AbortSignal per send);
 * sync `accepted` = delivered to that hop (durable there where the bearer carries acknowledgements: every received
 * frame is settled back to its bearer once its fate is known, bearer.ts `InFrame.settle`), async `accepted` waits
 * for the recipient's delivery blooms (they retire only what was handed off: bloom-retirement.ts). Targets nobody
 * can reach stay queued in the vault and go out on a `peer` up event or the retry timer (with backoff), also after
 * a restart. Every drop is counted by reason.
 */
import { BROADCAST, type Bearer, type ForeignMessage, type FrameFate, type InFrame, type PeerEvent } from '../bearer/bearer.js';
import { decodeBundle, encodeBundle } from '../bundle/bundle-codec.js';
import type { Bundle } from '../bundle/bundle.js';
import { bundleId } from '../bundle/bundle-id.js';
import { createBundle, withCustody } from '../bundle/create-bundle.js';
import { BundleDecodeError, BundleRejectedError } from '../bundle/errors.js';
import { checkBundleRules, verifyBundle } from '../bundle/verify-bundle.js';
import type { Identity } from '../identity/identity.js';
import { shortId } from '../identity/short-id.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { InvalidPeerKeyError } from '../identity/errors.js';
import { BadRequestError, INBOX_DEFAULT_LIMIT, InvalidRecipientError, UnknownPeerError, type BundleView, type InboxEntry, type OutboxState, type PeerSummary, type SendRequest } from '../node/relay-node.js';
import type { OutboxRow, OutboxTarget } from '../vault/outbox.js';
import type { Vault } from '../vault/vault.js';
import { hex } from '../vault/vault-keys.js';
import { decodeFrame, encodeFrame } from '../wire/frame-codec.js';
import { BloomExchange } from './bloom-exchange.js';
import { judgeBloom } from './bloom-retirement.js';
import { bundleView, inboxEntry } from './bundle-views.js';
import { foreignAddressProblem, isForeignAddress, nodeIdShapeProblem } from './recipient-address.js';
import { RouterStoppedError } from './errors.js';
import { bearersFor, floodPeers, NODE_ID_HEX, planRoute, recipientKey } from './route-plan.js';
import { RouterEvents } from './router-events.js';
import { routerCounters, type RouterCounters } from './router-metrics.js';
import { VerifyPool, VerifyPoolClosedError } from './verify-pool.js';
import { peekBundle } from '../bundle/bundle-peek.js';

export interface RouterOptions {
  identity: Identity;
  /** A started Vault (the daemon starts it before the router and stops it after). */
  vault: Vault;
  bearers: readonly Bearer[];
  metrics?: Metrics;
  log?: Logger;
  clock?: () => number;
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
}

export type IngestOutcome = 'stored' | 'duplicate' | 'dropped';

/** Duplicate trace rows written per second at most (the counter still counts every duplicate). */
const DUP_TRACES_PER_SECOND = 100;
/** Bundles with failed sends the retry timer remembers; beyond this it falls back to a scan of the backlog. */
const RETRY_MEMORY = 50_000;

interface PeerInfo {
  bearers: Set<string>;
  lastSeen: number;
  name?: string;
}

export class Router {
  readonly events = new RouterEvents();
  private readonly identity: Identity;
  private readonly vault: Vault;
  private readonly bearers: readonly Bearer[];
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly counters: RouterCounters;
  private readonly blooms: BloomExchange;
  private readonly opt: { retryIntervalMs: number; maxBackoffMs: number; sendTimeoutMs: number; defaultLifetimeMs?: number };
  private readonly shortIds = new Map<string, string>();
  private readonly peerInfo = new Map<string, PeerInfo>();
  private readonly dispatching = new Set<string>();
  private readonly again = new Set<string>();
  private readonly foreignSeen = new Map<string, number>();
  private readonly dupTraced = new Map<string, number>();
  private dupBudget = DUP_TRACES_PER_SECOND;
  private dupBudgetAt = 0;
  private unsubscribe: Array<() => void> = [];
  private stopController?: AbortController;
  private retryTimer?: NodeJS.Timeout;
  /** When the armed retry timer fires, and when the last pass that had something to do ran (this.now() time). */
  private retryArmedAt = 0;
  private lastPassAt = -Infinity;
  private retryKick?: NodeJS.Timeout;
  private retrying?: Promise<void>;
  private pendingForce = false;
  private fullPassDue = true;
  private readonly retryDue = new Map<string, { id: Uint8Array; at: number }>();
  private readonly inflight = new Set<Promise<unknown>>();
  private startedAt = 0;
  private readonly pool?: VerifyPool;
  private poolLost = false;

  constructor(options: RouterOptions) {
    this.identity = options.identity;
    this.vault = options.vault;
    this.bearers = options.bearers;
    this.log = options.log ?? createLogger('router');
    this.now = options.clock ?? Date.now;
    this.opt = {
      retryIntervalMs: options.retryIntervalMs ?? 5_000,
      maxBackoffMs: options.maxBackoffMs ?? 600_000,
      sendTimeoutMs: options.sendTimeoutMs ?? 30_000,
      ...(options.defaultLifetimeMs !== undefined ? { defaultLifetimeMs: options.defaultLifetimeMs } : {}),
    };
    if (options.verifyWorkers) this.pool = new VerifyPool(options.verifyWorkers);
    this.counters = routerCounters(options.metrics, () => this.vault.counts().outbox);
    this.blooms = new BloomExchange({
      identity: this.identity,
      bearers: this.bearers,
      clock: this.now,
      intervalMs: options.bloomIntervalMs ?? 30_000,
      debounceMs: options.bloomDebounceMs ?? 2_000,
      onSent: () => this.counters.bloomSent(),
      log: this.log,
    });
  }

  get running(): boolean {
    return this.stopController !== undefined;
  }

  get shortId(): string {
    return this.identity.shortId;
  }

  /** Subscribes to the bearers, rebuilds the delivery bloom from the inbox, resumes queued targets. */
  async start(): Promise<void> {
    if (this.stopController) return;
    this.stopController = new AbortController();
    this.startedAt = this.now();
    this.pool?.start();
    for (const b of this.bearers) {
      this.unsubscribe.push(
        b.on('frame', (f) => this.track(this.onFrame(f))),
        b.on('foreign', (m) => this.track(this.onForeign(m))),
        b.on('peer', (e) => this.onPeer(e)),
      );
    }
    this.unsubscribe.push(this.vault.events.on('expired', ({ id }) => this.events.emit('dropped', { reason: 'expired', id: hex(id) })));
    for (const { id } of this.vault.inboxIds({ limit: 256 }).reverse()) this.blooms.bloom.add(id);
    this.blooms.start();
    this.fullPassDue = true;
    this.kickRetry(0);
  }

  async stop(): Promise<void> {
    if (!this.stopController) return;
    this.stopController.abort(new RouterStoppedError('stop'));
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.retryKick) clearTimeout(this.retryKick);
    this.retryTimer = this.retryKick = undefined;
    this.blooms.stop();
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    if (this.retrying) await this.retrying;
    await this.pool?.stop();
    this.stopController = undefined;
  }

  private track<T>(p: Promise<T>): void {
    this.inflight.add(p);
    p.catch((err) => {
      // A full vault refusing custody is counted and logged as a drop already (ingest()).
      if ((err as Error)?.name !== 'StoreFullError') this.log.warn('router task failed', { err: String(err) });
    }).finally(() => this.inflight.delete(p));
  }

  private short(nodeIdHex: string): string {
    let s = this.shortIds.get(nodeIdHex);
    if (!s) {
      s = shortId(Buffer.from(nodeIdHex, 'hex'));
      if (this.shortIds.size > 4096) this.shortIds.clear();
      this.shortIds.set(nodeIdHex, s);
    }
    return s;
  }

  private drop(reason: string, fields: { id?: string; bearer?: string; from?: string; detail?: string } = {}): 'dropped' {
    this.counters.drop(reason);
    this.events.emit('dropped', { reason, ...fields });
    return 'dropped';
  }

  // ---- ingest --------------------------------------------------------------------------------------------------

  /**
   * A frame from a bearer. Its fate goes back to the bearer (`InFrame.settle`) once known, so a bearer that
   * acknowledges frames does so only for a bundle that is durable here; anything that went wrong on our side
   * (stopping, vault error) settles 'not-stored', and the sender keeps custody.
   */
  private async onFrame(f: InFrame): Promise<void> {
    if (f.from && NODE_ID_HEX.test(f.from)) this.seen(f.from, f.bearer);
    let fate: FrameFate = 'not-stored';
    try {
      fate = await this.frameFate(f);
    } finally {
      try {
        f.settle?.(fate);
      } catch (err) {
        this.log.warn('bearer settle callback threw', { bearer: f.bearer, err: String(err) });
      }
    }
  }

  private async frameFate(f: InFrame): Promise<FrameFate> {
    let frame;
    try {
      frame = decodeFrame(f.bytes);
    } catch (err) {
      this.drop('malformed-frame', { bearer: f.bearer, ...(f.from ? { from: f.from } : {}), detail: (err as Error).message });
      return 'refused';
    }
    if (frame.kind === 'bundle') {
      const outcome = await this.ingestBytes(frame.payload, { bearer: f.bearer, ...(f.from ? { from: f.from } : {}) });
      return outcome === 'dropped' ? 'refused' : outcome;
    }
    if (frame.kind === 'bloom') this.onBloom(frame.payload, f.bearer, f.from);
    else {
      this.drop('unsupported-frame', { bearer: f.bearer, detail: frame.kind });
      return 'refused';
    }
    return 'handled';
  }

  /**
   * The ingest pipeline for an encoded bundle from a bearer. Resolves once the bundle is durable here — 'stored',
   * or 'duplicate' once the copy already held is flushed — or refused for good ('dropped', counted by reason);
   * rejects when it could not be stored now (RouterStoppedError while stopping, vault errors). Dispatch to next
   * hops continues in the background.
   */
  async ingestBytes(bytes: Uint8Array, link: { bearer: string; from?: string }): Promise<IngestOutcome> {
    if (!this.stopController) throw new RouterStoppedError('ingest');
    // Floods bring many copies of each bundle: recognise a stored one from its id fields, read in place, before
    // paying for a full decode (bundle-peek.ts; anything unusual falls through to the full path below).
    const peeked = peekBundle(bytes, this.identity.shortId);
    if (peeked) {
      const where = () => ({ id: hex(peeked.id), bearer: link.bearer, ...(link.from ? { from: link.from } : {}) });
      if (peeked.loop) return this.drop('loop', where());
      if (this.vault.has(peeked.id)) return this.durableDuplicate(peeked.id, where);
    }
    let b: Bundle;
    try {
      b = decodeBundle(bytes);
    } catch (err) {
      return this.drop('malformed', { bearer: link.bearer, ...(link.from ? { from: link.from } : {}), detail: (err as Error).message });
    }
    return this.ingest(b, bytes, { ...link, created: false });
  }

  private async ingest(b: Bundle, bytes: Uint8Array, link: { bearer?: string; from?: string; created: boolean }): Promise<IngestOutcome> {
    const id = bundleId(b);
    const where = (): { id: string; bearer?: string; from?: string } =>
      ({ id: hex(id), ...(link.bearer ? { bearer: link.bearer } : {}), ...(link.from ? { from: link.from } : {}) });
    if (!link.created && b.custody.includes(this.identity.shortId)) return this.drop('loop', where());
    if (this.vault.has(id)) return this.durableDuplicate(id, where);
    const now = this.now();
    try {
      await this.check(b, bytes, now, id, link.created);
    } catch (err) {
      if (err instanceof BundleRejectedError) return this.drop(err.reason, where());
      if (err instanceof BundleDecodeError) return this.drop('malformed', where());
      throw err;
    }
    if (!this.stopController || this.stopController.signal.aborted) {
      // Not a refusal of the bundle: the sender must keep it and try again (InFrame.settle 'not-stored').
      this.drop('stopping', where());
      throw new RouterStoppedError('ingest');
    }
    const plan = planRoute(b, this.identity, link.created);
    let result;
    try {
      result = await this.vault.ingest({
        id,
        bytes,
        receivedAt: now,
        expiresAt: b.sentAt + b.lifetime,
        ...(link.bearer ? { bearer: link.bearer } : {}),
        ...(link.from ? { from: link.from } : {}),
        created: link.created,
        inbox: plan.inbox,
        targets: plan.targets,
      });
    } catch (err) {
      // Not stored, so not taken into custody: counted, and thrown on (StoreFullError / VaultWriteError) so that
      // a send answers 507 / 503 and a relay offering the bundle is not acknowledged and keeps it.
      const name = (err as Error)?.name;
      if (name === 'StoreFullError') this.drop('store-full', where());
      else if (name === 'VaultWriteError') this.drop('vault-write-error', where());
      throw err;
    }
    if (result === 'duplicate') return this.duplicate(id, where);
    const idHex = hex(id);
    this.counters.bundlesIn(link.bearer ?? 'local');
    this.events.emit('received', {
      id: idHex, sender: hex(b.sender), recipient: recipientKey(b), hops: b.hops, created: link.created,
      ...(link.bearer ? { bearer: link.bearer } : {}), ...(link.from ? { from: link.from } : {}), bundle: b,
    });
    if (plan.notForwarded) this.drop(plan.notForwarded, where());
    if (plan.inbox) {
      this.blooms.delivered(id);
      this.events.emit('delivered', { id: idHex, to: 'inbox', via: 'inbox', ...(link.bearer ? { bearer: link.bearer } : {}) });
    }
    if (plan.targets.length > 0) this.track(this.dispatch(id));
    return 'stored';
  }

  /** Signature, lifetime and hop checks: on the verify pool when there is one, else inline. */
  private async check(b: Bundle, bytes: Uint8Array, now: number, id: Uint8Array, created: boolean): Promise<void> {
    // Created here a moment ago (a send, a foreign message wrapped, a bridged part): this relay's own key signed it,
    // so verifying that signature again would only cost an Ed25519 verification; the rules still apply.
    if (created) return checkBundleRules(b, now);
    if (this.pool) {
      try {
        await this.pool.verify(bytes, now);
        return;
      } catch (err) {
        if (!(err instanceof VerifyPoolClosedError)) throw err;
        if (!this.poolLost) this.log.warn('verify workers are gone; verifying on the main thread');
        this.poolLost = true;
      }
    }
    verifyBundle(b, { now, id });
  }

  /** A copy of a bundle has() knows: counted now, resolved once the copy held here is flushed (it may still be on
   * its way to disk, and a duplicate is acknowledged to its sender as durable). */
  private async durableDuplicate(id: Uint8Array, where: () => { id: string; bearer?: string; from?: string }): Promise<'duplicate'> {
    const d = this.duplicate(id, where);
    await this.vault.whenDurable(id);
    return d;
  }

  private duplicate(id: Uint8Array, where: () => { id: string; bearer?: string; from?: string }): 'duplicate' {
    this.counters.duplicate();
    const listening = this.events.listening('duplicate');
    // A few trace rows per bundle show where echoes came from, within a global budget per second: a flood storm
    // (or a replay attack) must not turn into a write storm.
    const now = this.now();
    if (now - this.dupBudgetAt >= 1000) {
      this.dupBudgetAt = now;
      this.dupBudget = DUP_TRACES_PER_SECOND;
    }
    if (!listening && this.dupBudget <= 0) return 'duplicate';
    const w = where();
    if (listening) this.events.emit('duplicate', w);
    if (this.dupBudget <= 0) return 'duplicate';
    const n = this.dupTraced.get(w.id) ?? 0;
    if (n < 3) {
      this.dupBudget--;
      if (this.dupTraced.size > 4096) this.dupTraced.clear();
      this.dupTraced.set(w.id, n + 1);
      this.vault.trace(id, { at: now, event: 'duplicate', ...(w.bearer ? { bearer: w.bearer } : {}), ...(w.from ? { peer: w.from } : {}) });
    }
    return 'duplicate';
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
    let b;
    try {
      b = createBundle(this.identity, {
        recipient,
        text: request.text,
        sentAt: request.sentAt ?? this.now(),
        ...(request.lifetimeMs !== undefined ? { lifetimeMs: request.lifetimeMs } : this.opt.defaultLifetimeMs !== undefined ? { lifetimeMs: this.opt.defaultLifetimeMs } : {}),
      });
    } catch (err) {
      // Sealing to a node id that has no X25519 form (not a point, or a low-order one): the sender's mistake.
      if (err instanceof InvalidPeerKeyError) throw new InvalidRecipientError(request.to, `not a node's public key (${err.message})`, { cause: err });
      throw err;
    }
    const outcome = await this.ingest(b, encodeBundle(b), { created: true });
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
      for (const p of this.peerInfo.keys()) if (this.short(p) === lower) return new Uint8Array(Buffer.from(p, 'hex'));
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
      ...(this.opt.defaultLifetimeMs !== undefined ? { lifetimeMs: this.opt.defaultLifetimeMs } : {}),
      origin: { id: m.from, ...(m.fromName !== undefined ? { name: m.fromName } : {}) },
    });
    await this.ingest(b, encodeBundle(b), { created: true, bearer: m.bearer, from: m.from });
  }

  // ---- dispatch -------------------------------------------------------------------------------------------------

  private backoff(tries: number): number {
    return Math.min(this.opt.maxBackoffMs, this.opt.retryIntervalMs * 2 ** Math.min(Math.max(0, tries - 1), 16));
  }

  /** Sends a bundle's queued targets on every bearer that can reach them now. */
  async dispatch(id: Uint8Array): Promise<void> {
    const idHex = hex(id);
    if (this.dispatching.has(idHex)) {
      this.again.add(idHex);
      return;
    }
    this.dispatching.add(idHex);
    try {
      do {
        this.again.delete(idHex);
        await this.dispatchOnce(id, idHex);
      } while (this.again.has(idHex) && this.stopController);
    } finally {
      this.dispatching.delete(idHex);
    }
  }

  private async dispatchOnce(id: Uint8Array, idHex: string): Promise<void> {
    const signal = this.stopController?.signal;
    if (!signal || signal.aborted || !this.vault.isOpen) return;
    const stored = this.vault.get(id);
    const row = this.vault.outbox(id);
    if (!stored || stored.expired || !row) return;
    const b = decodeBundle(stored.bytes);
    const now = this.now();
    if (now >= b.sentAt + b.lifetime) return; // the expiry sweep marks it
    const to = recipientKey(b);
    const exclude = stored.created ? stored.bearer : undefined; // the gateway a foreign message came in on
    const targets: OutboxTarget[] = [];
    const sends: Array<{ peer: string; bearers: Bearer[] }> = [];
    for (const t of row.targets) {
      if (t.state !== 'queued') {
        targets.push(t);
        continue;
      }
      const direct = bearersFor(t.peer, this.bearers, exclude);
      if (direct.length > 0) {
        targets.push(t);
        sends.push({ peer: t.peer, bearers: direct });
        continue;
      }
      if (t.peer !== to) {
        targets.push(t); // a neighbour that went away: wait for it
        continue;
      }
      const have = new Set(row.targets.map((x) => x.peer));
      const hops = floodPeers(b, { nodeIdHex: this.identity.nodeIdHex, bearers: this.bearers, shortIdOf: (p) => this.short(p) }, stored.from)
        .filter((p) => !have.has(p));
      if (hops.length === 0) {
        targets.push(t);
        continue;
      }
      for (const p of hops) {
        targets.push({ peer: p, state: 'queued', at: now, tries: 0 });
        sends.push({ peer: p, bearers: bearersFor(p, this.bearers, exclude) });
      }
    }
    // Nothing can go out now: leave the row as it is (no write); a peer-up event or the retry timer comes back.
    if (sends.length === 0) return;
    const copy = stored.created ? b : withCustody(b, this.identity.shortId);
    const bytes = encodeFrame({ kind: 'bundle', payload: encodeBundle(copy) });
    const results = await Promise.all(sends.map((s) => this.sendOn(s.bearers, s.peer, bytes, copy, id, signal)));
    // Re-read: a delivery bloom may have retired targets while the sends were in flight.
    const current = this.vault.isOpen ? this.vault.outbox(id) : undefined;
    if (!current) return;
    const byPeer = new Map<string, OutboxTarget>();
    for (const t of targets) byPeer.set(t.peer, t);
    for (const t of current.targets) if (t.state !== 'queued' && byPeer.has(t.peer)) byPeer.set(t.peer, t);
    const done = this.now();
    let maxTries = 0;
    sends.forEach((s, i) => {
      const r = results[i]!;
      const t = byPeer.get(s.peer);
      if (!t || t.state !== 'queued') return;
      const next: OutboxTarget = { ...t, tries: t.tries + 1, at: done };
      if (r.sync.length > 0) {
        next.state = 'delivered';
        next.bearer = r.sync.join(',');
        this.vault.trace(id, { at: done, event: 'delivered', peer: s.peer, bearer: next.bearer });
        this.events.emit('delivered', { id: idHex, to: s.peer, bearer: next.bearer, via: 'sync' });
      } else if (r.async.length > 0) {
        next.state = 'accepted';
        next.bearer = r.async.join(',');
        // Handed off: from now on (never before) the recipient's bloom may retire it; broadcast copies handed to a
        // broker are retired by that neighbour's bloom (it accepts broadcasts).
        this.awaitBloom(to === BROADCAST ? s.peer : to, id);
      }
      // Passed on towards a Lattice recipient, or handed to it by a relay with someone upstream to tell: its blooms,
      // coming back, turn "relayed" into "delivered" here and travel on to where the bundle came from.
      if (r.sync.length > 0 && (s.peer !== to || !stored.created)) this.awaitBloom(to, id);
      maxTries = Math.max(maxTries, next.tries);
      byPeer.set(s.peer, next);
    });
    const nextRow: OutboxRow = { targets: [...byPeer.values()], nextTryAt: done + this.backoff(maxTries) };
    this.vault.setOutbox(id, nextRow);
    // Failed sends are retried by the timer from memory (no scan of the whole backlog); a restart or a peer-up
    // event rescans everything queued anyway.
    if (nextRow.targets.some((t) => t.state === 'queued')) {
      if (this.retryDue.size < RETRY_MEMORY) this.retryDue.set(idHex, { id, at: nextRow.nextTryAt });
      else this.fullPassDue = true;
      this.armRetry(this.fullPassDue ? this.now() : nextRow.nextTryAt);
    } else this.retryDue.delete(idHex);
  }

  private async sendOn(bearers: Bearer[], peer: string, bytes: Uint8Array, bundle: Bundle, id: Uint8Array, stop: AbortSignal): Promise<{ sync: string[]; async: string[] }> {
    const out = { sync: [] as string[], async: [] as string[] };
    const at = this.now();
    const settled = await Promise.allSettled(bearers.map((x) => {
      this.vault.trace(id, { at, event: 'sent', bearer: x.name, peer });
      return x.send({ peer, kind: 'bundle', bytes, bundle }, { signal: AbortSignal.any([stop, AbortSignal.timeout(this.opt.sendTimeoutMs)]) });
    }));
    settled.forEach((r, i) => {
      const x = bearers[i]!;
      if (r.status === 'fulfilled' && r.value === 'accepted') {
        (x.mode === 'sync' ? out.sync : out.async).push(x.name);
        this.counters.bundlesOut(x.name);
        if (this.vault.isOpen) this.vault.trace(id, { at: this.now(), event: 'accepted', bearer: x.name, peer });
      } else if (r.status === 'rejected') {
        this.log.debug('send failed', { bearer: x.name, peer, err: String(r.reason) });
      }
    });
    if (out.sync.length || out.async.length) this.events.emit('forwarded', { id: hex(id), peer, bearers: [...out.sync, ...out.async] });
    return out;
  }

  // ---- retries, peers -------------------------------------------------------------------------------------------

  private onPeer(e: PeerEvent): void {
    if (NODE_ID_HEX.test(e.peer) || /^(mt|mc):/.test(e.peer)) this.seen(e.peer, e.bearer, e.name);
    // A new neighbour is a new chance for everything queued: retry now, ignoring backoff.
    if (e.up) this.kickRetry(50, true);
  }

  private seen(peer: string, bearer: string, name?: string): void {
    let p = this.peerInfo.get(peer);
    if (!p) {
      if (this.peerInfo.size > 10_000) this.peerInfo.delete(this.peerInfo.keys().next().value!);
      this.peerInfo.set(peer, (p = { bearers: new Set(), lastSeen: 0 }));
    }
    p.bearers.add(bearer);
    p.lastSeen = this.now();
    if (name) p.name = name;
  }

  /** Schedules a retry pass; `force` (a new peer) rescans every queued row and ignores backoff. */
  private kickRetry(delayMs: number, force = false): void {
    if (!this.stopController) return;
    this.pendingForce ||= force;
    if (this.retryKick) clearTimeout(this.retryKick);
    this.retryKick = setTimeout(() => {
      this.retryKick = undefined;
      if (this.retrying) {
        void this.retrying.then(() => this.kickRetry(0));
        return;
      }
      const forced = this.pendingForce;
      this.pendingForce = false;
      this.retrying = this.retryPass(forced).finally(() => {
        this.retrying = undefined;
        this.rearmRetry();
      });
    }, delayMs);
  }

  /**
   * Arms the retry timer for `at` (this.now() time), or sooner than the timer already armed: it fires when the
   * earliest remembered failed send is due, but at most once per retry interval so failures due a few ms apart
   * share one pass. Nothing waiting, no timer: an idle relay sleeps.
   */
  private armRetry(at: number): void {
    if (!this.stopController) return;
    const fireAt = Math.max(at, this.lastPassAt + this.opt.retryIntervalMs);
    if (this.retryTimer && this.retryArmedAt <= fireAt) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryArmedAt = fireAt;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kickRetry(0);
    }, Math.max(0, fireAt - this.now()));
    this.retryTimer.unref();
  }

  /** After a pass: the timer for the earliest send still waiting (or the full pass still owed), or none. */
  private rearmRetry(): void {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    if (this.fullPassDue) return this.armRetry(this.now());
    let earliest = Infinity;
    for (const r of this.retryDue.values()) if (r.at < earliest) earliest = r.at;
    if (earliest < Infinity) this.armRetry(earliest);
  }

  private async retryPass(force: boolean): Promise<void> {
    if (force || this.fullPassDue) {
      this.fullPassDue = false;
      this.lastPassAt = this.now();
      await this.scanQueued(force);
      return;
    }
    const now = this.now();
    const due: Uint8Array[] = [];
    for (const [idHex, r] of this.retryDue) if (r.at <= now) {
      due.push(r.id);
      this.retryDue.delete(idHex);
    }
    // A timer that fired a little early (its clock is the event loop's) finds nothing due and is armed again.
    if (due.length > 0) this.lastPassAt = now;
    for (let i = 0; i < due.length && this.stopController; i += 256) await Promise.allSettled(due.slice(i, i + 256).map((id) => this.dispatch(id)));
  }

  /** Pages through every queued outbox row (bounded reads per page) and dispatches those due. */
  private async scanQueued(force: boolean): Promise<void> {
    let after: Uint8Array | undefined;
    for (;;) {
      if (!this.stopController || !this.vault.isOpen) return;
      const ids = this.vault.queuedIds({ ...(after ? { after } : {}), limit: 256 });
      if (ids.length === 0) return;
      const now = this.now();
      const due = ids.filter((id) => force || (this.vault.outbox(id)?.nextTryAt ?? 0) <= now);
      await Promise.allSettled(due.map((id) => this.dispatch(id)));
      after = ids[ids.length - 1];
      if (ids.length < 256) return;
    }
  }

  // ---- delivery blooms ------------------------------------------------------------------------------------------

  /** Lists a handed-off bundle under `node`'s delivery bloom (a node id; foreign addresses and `*` have none). */
  private awaitBloom(node: string, id: Uint8Array): void {
    if (NODE_ID_HEX.test(node)) this.vault.addAwaiting(Buffer.from(node, 'hex'), id);
  }

  /**
   * A delivery bloom retires the outbox rows it proves delivered (bloom-retirement.ts: handed off, then carried by
   * BLOOM_RUN salted blooms of the node in a row), and travels back along the custody path: a relay with bundles
   * waiting for the node's blooms passes every bloom of that node (signed, unchanged; hit or miss, so what reaches
   * upstream does not depend on content) on to the neighbours it got those bundles from, so the sender learns of
   * delivery however many hops away it is. Blooms of a node nothing here waits for stop here, so they do not flood
   * the mesh.
   */
  private onBloom(payload: Uint8Array, bearer: string, from?: string): void {
    const got = this.blooms.receive(payload);
    if ('reason' in got) {
      this.drop(got.reason, { bearer });
      return;
    }
    this.counters.bloomReceived();
    const node = got.nodeIdHex;
    if (from === node) this.seen(node, bearer);
    const now = this.now();
    const verdict = judgeBloom(this.vault, got);
    const upstream = new Set<string>();
    for (const id of verdict.waiting) {
      const stored = this.vault.get(id);
      if (stored && !stored.created && stored.from && NODE_ID_HEX.test(stored.from) && stored.from !== node && stored.from !== from) upstream.add(stored.from);
    }
    for (const id of verdict.confirmed) {
      const row = this.vault.outbox(id);
      const stored = this.vault.get(id);
      if (!row || !stored || stored.expired) {
        this.vault.removeAwaiting(got.nodeId, id);
        continue;
      }
      const forRecipient = recipientKey(decodeBundle(stored.bytes)) === node;
      // Lingering only helps a relay pass the node's next blooms upstream; a node that is not the recipient (a
      // neighbour that took a broadcast copy) or a bundle made here has nobody to pass them to.
      if (!forRecipient || stored.created) this.vault.removeAwaiting(got.nodeId, id);
      // Defence in depth (and vaults written before the fix listed bundles at ingest): only a hand-off can be
      // retired. An accepted target, or one delivered by a send, is one.
      if (!row.targets.some((t) => t.state === 'accepted' || (t.state === 'delivered' && t.tries > 0))) {
        this.vault.removeAwaiting(got.nodeId, id);
        this.drop('bloom-before-send', { id: hex(id), bearer, from: node });
        continue;
      }
      let changed = false;
      const targets = row.targets.map((t) => {
        if ((t.state === 'queued' || t.state === 'accepted') && (forRecipient || t.peer === node)) {
          changed = true;
          return { ...t, state: 'delivered' as const, at: now };
        }
        return t;
      });
      if (forRecipient && !targets.some((t) => t.peer === node)) {
        targets.push({ peer: node, state: 'delivered', at: now, tries: 0, bearer });
        changed = true;
      }
      if (!changed) continue;
      this.vault.setOutbox(id, { ...row, targets });
      this.vault.trace(id, { at: now, event: 'delivered', peer: node, bearer, detail: 'delivery bloom' });
      this.events.emit('delivered', { id: hex(id), to: node, bearer, via: 'bloom' });
    }
    if (upstream.size > 0) this.track(this.passBloomUpstream(payload, upstream));
  }

  private async passBloomUpstream(payload: Uint8Array, peers: Set<string>): Promise<void> {
    const signal = this.stopController?.signal;
    if (!signal) return;
    const bytes = encodeFrame({ kind: 'bloom', payload });
    const sends: Promise<unknown>[] = [];
    for (const peer of peers) {
      for (const b of bearersFor(peer, this.bearers)) {
        sends.push(b.send({ peer, kind: 'bloom', bytes }, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.opt.sendTimeoutMs)]) }));
      }
    }
    await Promise.allSettled(sends);
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
      const e = inboxEntry(this.identity, stored);
      if (e) out.push(e);
    }
    return out.reverse();
  }

  outboxCounts(): Record<OutboxState, number> {
    return this.vault.counts().outbox;
  }

  peers(): PeerSummary[] {
    const live = new Map<string, Set<string>>();
    for (const b of this.bearers) for (const p of b.status().peers) {
      if (!live.has(p)) live.set(p, new Set());
      live.get(p)!.add(b.name);
    }
    const out: PeerSummary[] = [];
    for (const [id, bearers] of live) {
      const info = this.peerInfo.get(id);
      out.push({
        id,
        shortId: NODE_ID_HEX.test(id) ? this.short(id) : info?.name ?? id,
        ...(info?.name ? { name: info.name } : {}),
        bearers: [...bearers],
        lastSeen: info?.lastSeen ?? this.startedAt,
      });
    }
    return out;
  }
}
