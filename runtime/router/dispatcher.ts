/**
 * Dispatch: a bundle's queued targets go out on ALL bearers that can reach them at once (Promise.allSettled, one
 * AbortSignal per send); sync `accepted` = delivered to that hop (durable there where the bearer carries
 * acknowledgements), async `accepted` waits for the recipient's delivery blooms (bloom-receipts.ts). A target nobody
 * can reach directly is replaced by the flood set (route-plan.ts); what cannot go out stays queued and is retried
 * (retry-scheduler.ts) with a doubling back-off.
 *
 * Decode once, encode once: right after an ingest the router hands over the bundle it decoded (`Fresh`), so the
 * first attempt reads nothing back; a retry (minutes later, or after a restart) reads the stored bundle and decodes
 * it, the one codec pass a retry costs before its copy. A relayed copy is encoded once (our short id joins its
 * custody chain, which changes the bytes); a bundle created here goes out as the very bytes stored. Bearers get the
 * decoded copy with the frame (OutFrame.bundle) and need not decode it again.
 */
import { type Bearer, BROADCAST } from '../bearer/bearer.js';
import { decodeBundle, encodeBundle } from '../bundle/bundle-codec.js';
import type { Bundle } from '../bundle/bundle.js';
import { withCustody } from '../bundle/create-bundle.js';
import type { OutboxRow, OutboxTarget } from '../vault/outbox.js';
import { hex } from '../vault/vault-keys.js';
import { encodeFrame } from '../wire/frame-codec.js';
import type { BloomReceipts } from './bloom-receipts.js';
import type { PeerDirectory } from './peer-directory.js';
import type { RetryScheduler } from './retry-scheduler.js';
import type { RouterContext } from './router-context.js';
import { bearersFor, floodPeers, recipientKey } from './route-plan.js';
import { sendDeadline } from './send-deadline.js';

/** A bundle just stored, as the ingest had it: the decoded bundle and its encoded bytes (what the vault holds). */
export interface Fresh {
  bundle: Bundle;
  bytes: Uint8Array;
  created: boolean;
  bearer?: string;
  from?: string;
}

export interface DispatcherOptions {
  /** First back-off of a failed send; doubles per try up to `maxBackoffMs`. */
  retryIntervalMs: number;
  maxBackoffMs: number;
}

export class Dispatcher {
  private readonly dispatching = new Set<string>();
  private readonly again = new Set<string>();
  /** Set once the retry scheduler exists (it dispatches through this). */
  retries!: RetryScheduler;

  constructor(
    private readonly ctx: RouterContext,
    private readonly peers: PeerDirectory,
    private readonly receipts: BloomReceipts,
    private readonly o: DispatcherOptions,
  ) {}

  private backoff(tries: number): number {
    return Math.min(this.o.maxBackoffMs, this.o.retryIntervalMs * 2 ** Math.min(Math.max(0, tries - 1), 16));
  }

  /** Sends a bundle's queued targets on every bearer that can reach them now. */
  async dispatch(id: Uint8Array, fresh?: Fresh): Promise<void> {
    const idHex = hex(id);
    if (this.dispatching.has(idHex)) {
      this.again.add(idHex);
      return;
    }
    this.dispatching.add(idHex);
    try {
      let first = fresh;
      do {
        this.again.delete(idHex);
        await this.dispatchOnce(id, idHex, first);
        first = undefined; // a second round re-reads the row and the bundle
      } while (this.again.has(idHex) && this.ctx.signal());
    } finally {
      this.dispatching.delete(idHex);
    }
  }

  private async dispatchOnce(id: Uint8Array, idHex: string, fresh: Fresh | undefined): Promise<void> {
    const { vault, identity } = this.ctx;
    const signal = this.ctx.signal();
    if (!signal || signal.aborted || !vault.isOpen) return;
    const row = vault.outbox(id);
    if (!row) return;
    let stored: Fresh;
    if (fresh) stored = fresh;
    else {
      // A retry: the bundle is read back from the vault (nothing of it is kept in memory meanwhile).
      const got = vault.get(id);
      if (!got || got.expired) return;
      stored = { bundle: decodeBundle(got.bytes), bytes: got.bytes, created: got.created, ...(got.bearer !== undefined ? { bearer: got.bearer } : {}), ...(got.from !== undefined ? { from: got.from } : {}) };
    }
    const b = stored.bundle;
    const now = this.ctx.now();
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
      const direct = bearersFor(t.peer, this.ctx.bearers, exclude);
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
      const hops = floodPeers(b, { nodeIdHex: identity.nodeIdHex, bearers: this.ctx.bearers, shortIdOf: (p) => this.peers.short(p) }, stored.from)
        .filter((p) => !have.has(p));
      if (hops.length === 0) {
        targets.push(t);
        continue;
      }
      for (const p of hops) {
        targets.push({ peer: p, state: 'queued', at: now, tries: 0 });
        sends.push({ peer: p, bearers: bearersFor(p, this.ctx.bearers, exclude) });
      }
    }
    // Nothing can go out now: leave the row as it is (no write); a peer-up event or the retry timer comes back.
    if (sends.length === 0) return;
    // Created here: the stored bytes are this very bundle's encoding (router.ts encoded it once, for the vault).
    const copy = stored.created ? b : withCustody(b, identity.shortId);
    const bytes = encodeFrame({ kind: 'bundle', payload: stored.created ? stored.bytes : encodeBundle(copy) });
    const results = await Promise.all(sends.map((s) => this.sendOn(s.bearers, s.peer, bytes, copy, id, signal)));
    this.settle(id, idHex, to, stored.created, targets, sends, results);
  }

  /** Records what the sends achieved in the outbox row; what is still queued waits for the retry timer. */
  private settle(id: Uint8Array, idHex: string, to: string, created: boolean, targets: OutboxTarget[], sends: Array<{ peer: string }>, results: Array<{ sync: string[]; async: string[] }>): void {
    const { vault } = this.ctx;
    // Re-read: a delivery bloom may have retired targets while the sends were in flight.
    const current = vault.isOpen ? vault.outbox(id) : undefined;
    if (!current) return;
    const byPeer = new Map<string, OutboxTarget>();
    for (const t of targets) byPeer.set(t.peer, t);
    for (const t of current.targets) if (t.state !== 'queued' && byPeer.has(t.peer)) byPeer.set(t.peer, t);
    const done = this.ctx.now();
    let maxTries = 0;
    sends.forEach((s, i) => {
      const r = results[i]!;
      const t = byPeer.get(s.peer);
      if (!t || t.state !== 'queued') return;
      const next: OutboxTarget = { ...t, tries: t.tries + 1, at: done };
      if (r.sync.length > 0) {
        next.state = 'delivered';
        next.bearer = r.sync.join(',');
        vault.trace(id, { at: done, event: 'delivered', peer: s.peer, bearer: next.bearer });
        this.ctx.events.emit('delivered', { id: idHex, to: s.peer, bearer: next.bearer, via: 'sync' });
      } else if (r.async.length > 0) {
        next.state = 'accepted';
        next.bearer = r.async.join(',');
        // Handed off: from now on (never before) the recipient's bloom may retire it; broadcast copies handed to a
        // broker are retired by that neighbour's bloom (it accepts broadcasts).
        this.receipts.awaitBloom(to === BROADCAST ? s.peer : to, id);
      }
      // Passed on towards a Lattice recipient, or handed to it by a relay with someone upstream to tell: its blooms,
      // coming back, turn "relayed" into "delivered" here and travel on to where the bundle came from.
      if (r.sync.length > 0 && (s.peer !== to || !created)) this.receipts.awaitBloom(to, id);
      maxTries = Math.max(maxTries, next.tries);
      byPeer.set(s.peer, next);
    });
    const nextRow: OutboxRow = { targets: [...byPeer.values()], nextTryAt: done + this.backoff(maxTries) };
    vault.setOutbox(id, nextRow);
    // Failed sends are retried by the timer from memory (no scan of the whole backlog); a restart or a peer-up
    // event rescans everything queued anyway.
    if (nextRow.targets.some((t) => t.state === 'queued')) this.retries.failed(idHex, id, nextRow.nextTryAt);
    else this.retries.done(idHex);
  }

  private async sendOn(bearers: Bearer[], peer: string, bytes: Uint8Array, bundle: Bundle, id: Uint8Array, stop: AbortSignal): Promise<{ sync: string[]; async: string[] }> {
    const { vault } = this.ctx;
    const out = { sync: [] as string[], async: [] as string[] };
    const at = this.ctx.now();
    const deadline = sendDeadline(stop, this.ctx.sendTimeoutMs, `sending a bundle to ${peer}`);
    const settled = await Promise.allSettled(bearers.map((x) => {
      vault.trace(id, { at, event: 'sent', bearer: x.name, peer });
      return x.send({ peer, kind: 'bundle', bytes, bundle }, { signal: deadline.signal });
    }));
    deadline.done();
    settled.forEach((r, i) => {
      const x = bearers[i]!;
      if (r.status === 'fulfilled' && r.value === 'accepted') {
        (x.mode === 'sync' ? out.sync : out.async).push(x.name);
        this.ctx.counters.bundlesOut(x.name);
        if (vault.isOpen) vault.trace(id, { at: this.ctx.now(), event: 'accepted', bearer: x.name, peer });
      } else if (r.status === 'rejected') {
        this.ctx.log.debug('send failed', { bearer: x.name, peer, err: String(r.reason) });
      }
    });
    if (out.sync.length || out.async.length) this.ctx.events.emit('forwarded', { id: hex(id), peer, bearers: [...out.sync, ...out.async] });
    return out;
  }
}
