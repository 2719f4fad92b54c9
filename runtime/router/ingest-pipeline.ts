/**
 * The ingest pipeline: every bundle, created here, received as a frame on any bearer, or wrapped from a foreign
 * mesh, goes through it:
 *
 *   decode -> loop check (own short id in the custody chain: refuse custody) -> dedupe (before the ~140 µs
 *   signature check, so replays and flood echoes cost a hash and a lookup) -> verify -> route decision ->
 *   persist (durable) -> dispatch
 *
 * Decode once: a frame whose bearer already decoded the bundle (InFrame.bundle, the LoRa bearer rebuilding its
 * compact form) is not decoded again; a frame that comes encoded is recognised as a stored copy from its id fields,
 * read in place (bundle-peek.ts), before it is decoded at all; a new one is decoded once, and that decoded bundle
 * goes on to the `received` event and the first dispatch. The vault keeps the encoded bytes as they came: they are
 * what other bearers carry and what the id and signature were checked against.
 *
 * Every frame's fate goes back to its bearer (`InFrame.settle`) once known, so a bearer that acknowledges frames does
 * so only for a bundle that is durable here. Every drop is counted by reason.
 */
import type { FrameFate, InFrame } from '../bearer/bearer.js';
import { decodeBundle } from '../bundle/bundle-codec.js';
import type { Bundle } from '../bundle/bundle.js';
import { bundleId } from '../bundle/bundle-id.js';
import { peekBundle } from '../bundle/bundle-peek.js';
import { BundleDecodeError, BundleRejectedError } from '../bundle/errors.js';
import { checkBundleRules, verifyBundle } from '../bundle/verify-bundle.js';
import { hex } from '../vault/vault-keys.js';
import { decodeFrame } from '../wire/frame-codec.js';
import type { BloomExchange } from './bloom-exchange.js';
import type { BloomReceipts } from './bloom-receipts.js';
import type { Dispatcher } from './dispatcher.js';
import { RouterStoppedError } from './errors.js';
import type { PeerDirectory } from './peer-directory.js';
import type { DropFields, RouterContext } from './router-context.js';
import { NODE_ID_HEX, planRoute, recipientKey } from './route-plan.js';
import { VerifyPoolClosedError, type VerifyPool } from './verify-pool.js';

export type IngestOutcome = 'stored' | 'duplicate' | 'dropped';

/** Where a bundle came from: the bearer and link-level sender, and whether this relay created it. */
export interface IngestLink {
  bearer?: string;
  from?: string;
  created: boolean;
}

/** Duplicate trace rows written per second at most (the counter still counts every duplicate). */
const DUP_TRACES_PER_SECOND = 100;

export interface IngestPipelineParts {
  peers: PeerDirectory;
  exchange: BloomExchange;
  receipts: BloomReceipts;
  dispatcher: Dispatcher;
  pool?: VerifyPool;
}

export class IngestPipeline {
  private readonly dupTraced = new Map<string, number>();
  private dupBudget = DUP_TRACES_PER_SECOND;
  private dupBudgetAt = 0;
  private poolLost = false;

  constructor(private readonly ctx: RouterContext, private readonly parts: IngestPipelineParts) {}

  /**
   * A frame from a bearer. Its fate goes back to the bearer (`InFrame.settle`) once known; anything that went wrong
   * on our side (stopping, vault error) settles 'not-stored', and the sender keeps custody.
   */
  async onFrame(f: InFrame): Promise<void> {
    if (f.from && NODE_ID_HEX.test(f.from)) this.parts.peers.seen(f.from, f.bearer);
    let fate: FrameFate = 'not-stored';
    try {
      fate = await this.frameFate(f);
    } finally {
      try {
        f.settle?.(fate);
      } catch (err) {
        this.ctx.log.warn('bearer settle callback threw', { bearer: f.bearer, err: String(err) });
      }
    }
  }

  private async frameFate(f: InFrame): Promise<FrameFate> {
    let frame;
    try {
      frame = decodeFrame(f.bytes);
    } catch (err) {
      this.ctx.drop('malformed-frame', { bearer: f.bearer, ...(f.from ? { from: f.from } : {}), detail: (err as Error).message });
      return 'refused';
    }
    if (frame.kind === 'bundle') {
      const outcome = await this.ingestBytes(frame.payload, { bearer: f.bearer, ...(f.from ? { from: f.from } : {}) }, f.bundle);
      return outcome === 'dropped' ? 'refused' : outcome;
    }
    if (frame.kind === 'bloom') this.parts.receipts.receive(frame.payload, f.bearer, f.from);
    else {
      this.ctx.drop('unsupported-frame', { bearer: f.bearer, detail: frame.kind });
      return 'refused';
    }
    return 'handled';
  }

  /**
   * An encoded bundle from a bearer (`decoded`: the same bundle, decoded by the bearer). Resolves once the bundle is
   * durable here — 'stored', or 'duplicate' once the copy already held is flushed — or refused for good ('dropped',
   * counted by reason); rejects when it could not be stored now (RouterStoppedError while stopping, vault errors).
   * Dispatch to next hops continues in the background.
   */
  async ingestBytes(bytes: Uint8Array, link: { bearer: string; from?: string }, decoded?: Bundle): Promise<IngestOutcome> {
    if (!this.ctx.signal()) throw new RouterStoppedError('ingest');
    if (decoded) return this.ingest(decoded, bytes, { ...link, created: false });
    // Floods bring many copies of each bundle: recognise a stored one from its id fields, read in place, before
    // paying for a full decode (bundle-peek.ts; anything unusual falls through to the full path below).
    const peeked = peekBundle(bytes, this.ctx.identity.shortId);
    if (peeked) {
      const where = () => ({ id: hex(peeked.id), bearer: link.bearer, ...(link.from ? { from: link.from } : {}) });
      if (peeked.loop) return this.ctx.drop('loop', where());
      if (this.ctx.vault.has(peeked.id)) return this.durableDuplicate(peeked.id, where);
    }
    let b: Bundle;
    try {
      b = decodeBundle(bytes);
    } catch (err) {
      return this.ctx.drop('malformed', { bearer: link.bearer, ...(link.from ? { from: link.from } : {}), detail: (err as Error).message });
    }
    return this.ingest(b, bytes, { ...link, created: false });
  }

  /** The pipeline from the loop check on, for a decoded bundle and its encoding (stored as it is). */
  async ingest(b: Bundle, bytes: Uint8Array, link: IngestLink): Promise<IngestOutcome> {
    const { vault, identity, events } = this.ctx;
    const id = bundleId(b);
    const where = (): DropFields => ({ id: hex(id), ...(link.bearer ? { bearer: link.bearer } : {}), ...(link.from ? { from: link.from } : {}) });
    if (!link.created && b.custody.includes(identity.shortId)) return this.ctx.drop('loop', where());
    if (vault.has(id)) return this.durableDuplicate(id, where);
    const now = this.ctx.now();
    try {
      await this.check(b, bytes, now, id, link.created);
    } catch (err) {
      if (err instanceof BundleRejectedError) return this.ctx.drop(err.reason, where());
      if (err instanceof BundleDecodeError) return this.ctx.drop('malformed', where());
      throw err;
    }
    const signal = this.ctx.signal();
    if (!signal || signal.aborted) {
      // Not a refusal of the bundle: the sender must keep it and try again (InFrame.settle 'not-stored').
      this.ctx.drop('stopping', where());
      throw new RouterStoppedError('ingest');
    }
    const plan = planRoute(b, identity, link.created);
    let result;
    try {
      // Durable before anything else happens: the sender is acknowledged (custody moves here) on this promise.
      result = await vault.ingest({
        id,
        bytes,
        receivedAt: now,
        expiresAt: b.sentAt + b.lifetime,
        ...(link.bearer ? { bearer: link.bearer } : {}),
        ...(link.from ? { from: link.from } : {}),
        created: link.created,
        // The dashboard's sent list: what we created, except a foreign DM to this relay (received, in the inbox).
        sent: link.created && !(b.origin !== undefined && recipientKey(b) === identity.nodeIdHex),
        inbox: plan.inbox,
        targets: plan.targets,
      });
    } catch (err) {
      // Not stored, so not taken into custody: counted, and thrown on (StoreFullError / VaultWriteError) so that
      // a send answers 507 / 503 and a relay offering the bundle is not acknowledged and keeps it.
      const name = (err as Error)?.name;
      if (name === 'StoreFullError') this.ctx.drop('store-full', where());
      else if (name === 'VaultWriteError') this.ctx.drop('vault-write-error', where());
      throw err;
    }
    if (result === 'duplicate') return this.duplicate(id, where);
    const idHex = hex(id);
    this.ctx.counters.bundlesIn(link.bearer ?? 'local');
    events.emit('received', {
      id: idHex, sender: hex(b.sender), recipient: recipientKey(b), hops: b.hops, created: link.created,
      ...(link.bearer ? { bearer: link.bearer } : {}), ...(link.from ? { from: link.from } : {}), bundle: b,
    });
    if (plan.notForwarded) this.ctx.drop(plan.notForwarded, where());
    if (plan.inbox) {
      this.parts.exchange.delivered(id);
      events.emit('delivered', { id: idHex, to: 'inbox', via: 'inbox', ...(link.bearer ? { bearer: link.bearer } : {}) });
    }
    if (plan.targets.length > 0) {
      this.ctx.track(this.parts.dispatcher.dispatch(id, {
        bundle: b, bytes, created: link.created, ...(link.bearer ? { bearer: link.bearer } : {}), ...(link.from ? { from: link.from } : {}),
      }));
    }
    return 'stored';
  }

  /** Signature, lifetime and hop checks: on the verify pool when there is one, else inline. */
  private async check(b: Bundle, bytes: Uint8Array, now: number, id: Uint8Array, created: boolean): Promise<void> {
    // Created here a moment ago (a send, a foreign message wrapped, a bridged part): this relay's own key signed it,
    // so verifying that signature again would only cost an Ed25519 verification; the rules still apply.
    if (created) return checkBundleRules(b, now);
    const pool = this.parts.pool;
    if (pool) {
      try {
        // The worker decodes its own copy from the bytes: cloning the decoded bundle across costs about as much,
        // and decoding there keeps that work off this thread too.
        await pool.verify(bytes, now);
        return;
      } catch (err) {
        if (!(err instanceof VerifyPoolClosedError)) throw err;
        if (!this.poolLost) this.ctx.log.warn('verify workers are gone; verifying on the main thread');
        this.poolLost = true;
      }
    }
    verifyBundle(b, { now, id });
  }

  /** A copy of a bundle has() knows: counted now, resolved once the copy held here is flushed (it may still be on
   * its way to disk, and a duplicate is acknowledged to its sender as durable). */
  private async durableDuplicate(id: Uint8Array, where: () => DropFields): Promise<'duplicate'> {
    const d = this.duplicate(id, where);
    await this.ctx.vault.whenDurable(id);
    return d;
  }

  private duplicate(id: Uint8Array, where: () => DropFields): 'duplicate' {
    const { counters, events, vault } = this.ctx;
    counters.duplicate();
    const listening = events.listening('duplicate');
    // A few trace rows per bundle show where echoes came from, within a global budget per second: a flood storm
    // (or a replay attack) must not turn into a write storm.
    const now = this.ctx.now();
    if (now - this.dupBudgetAt >= 1000) {
      this.dupBudgetAt = now;
      this.dupBudget = DUP_TRACES_PER_SECOND;
    }
    if (!listening && this.dupBudget <= 0) return 'duplicate';
    const w = where() as { id: string; bearer?: string; from?: string };
    if (listening) events.emit('duplicate', w);
    if (this.dupBudget <= 0) return 'duplicate';
    const n = this.dupTraced.get(w.id) ?? 0;
    if (n < 3) {
      this.dupBudget--;
      if (this.dupTraced.size > 4096) this.dupTraced.clear();
      this.dupTraced.set(w.id, n + 1);
      vault.trace(id, { at: now, event: 'duplicate', ...(w.bearer ? { bearer: w.bearer } : {}), ...(w.from ? { peer: w.from } : {}) });
    }
    return 'duplicate';
  }
}
