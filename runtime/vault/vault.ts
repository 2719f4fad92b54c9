/**
 * Vault: the relay's durable store (one LMDB environment in the data dir, named sub-databases, vault-tables.ts).
 *
 *   bundles   id -> row header + encoded bundle            (put-if-absent: a second copy is a duplicate)
 *   expired   id -> tombstone row (body dropped)           (kept `retentionMs` after expiry for `lattice trace`)
 *   expiry    u64be expiresAt | id -> phase byte           (the sweep walks it in time order)
 *   inbox     u64be receivedAt | id -> ''                  (bundles for this node or broadcast)
 *   sent      u64be receivedAt | id -> ''                  (bundles created here: the dashboard's sent list; kept
 *                                                          until the tombstone is purged, so it shows `expired`)
 *   outbox    id -> OutboxRow (msgpack)                    (per-target state machine, outbox.ts)
 *   st-<state> id -> ''                                    (one per outbox state: O(1) counts, restart re-queue)
 *   awaiting  node id | bundle id -> retirement state      (handed off, waiting for that node's bloom: bloom-retirement.ts)
 *   trace     id | u64be at | u32be seq -> TraceEvent      (for `lattice trace`)
 *   meta      string -> value                              (recent-id snapshot at clean shutdown; the sent-index mark, sent-index.ts)
 *   evictable u64be receivedAt | id -> ''                  (no custody duty left: what the byte budget evicts first)
 *
 * This file opens and closes the store, answers reads (changes not yet written are visible at once through the
 * writer's overlays) and composes the parts:
 *   - vault-writer.ts: write cycles. ingest() resolves only once its bundle is flushed; a cycle starts as soon as a
 *     write waits and the previous flush finished, within a budget of ≤ 10 fsyncs/s (commit-schedule.ts,
 *     fsync-budget.ts): an idle vault acknowledges in about one fsync, a busy one batches. `fsyncs` /
 *     lattice_vault_fsyncs_total count flushed cycles; a cycle is one LMDB transaction, one fdatasync (strace:
 *     one per cycle, plus 14 for opening and closing the store, and one more at a vault's first start: sent-index.ts).
 *   - expiry-sweep.ts: the sweep, armed for the next expiry (nothing armed while nothing is stored).
 *   - vault-budget.ts, vault-evict.ts: a bundle is kept until its own expiry or `maxKeepMs` after it arrived,
 *     whichever comes first; past `maxBytes` of LMDB pages delivered bundles are evicted, then tombstones, then new
 *     bundles are refused (StoreFullError).
 *   - vault-events.ts: `events.on('expired')`.
 */
import type { RootDatabase } from 'lmdb';
import { join } from 'node:path';
import type { Counter } from '../metrics/metrics.js';
import type { Metrics } from '../metrics/metrics.js';
import { openStore, type OnDamage, type StoreGuard } from '../store/open-store.js';
import type { TraceEvent } from '../node/relay-node.js';
import { timerClockOf, type TimerClock } from '../../lib/clock/timer-clock.js';
import { decodeBundleRow, type BundleRow } from './bundle-row.js';
import { VaultClosedError } from './errors.js';
import { firstExpiry, sweepStep, SweepTimer, type SweepResult } from './expiry-sweep.js';
import { isOutboxRow, OUTBOX_STATES, overallState, type OutboxRow, type OutboxState } from './outbox.js';
import { RecentIds } from './recent-ids.js';
import { hex, nodeIdKey, prefixEnd, splitTimeIdKey, timeKey } from './vault-keys.js';
import { VaultBudget, type VaultUsage } from './vault-budget.js';
import { VaultEvents } from './vault-events.js';
import { backfillSentIndex } from './sent-index.js';
import { allTables, entryCount, openTables, pagesInUse, type VaultTables } from './vault-tables.js';
import { VaultWriter, type IngestResult } from './vault-writer.js';
import type { IngestRecord } from './ingest-rows.js';
import { closeEnv, flushedOrFailed, guardWrites } from '../storage/lmdb-commit.js';
import type { WriteTarget } from '../storage/disk-full.js';

export type { IngestResult } from './vault-writer.js';
export type { IngestRecord } from './ingest-rows.js';

export interface VaultOptions {
  /** Directory of the LMDB environment (created if missing), e.g. `<dataDir>/vault`. */
  path: string;
  /** LMDB map size (virtual reservation). Default 2 GiB on 64-bit, 512 MiB on 32-bit. */
  mapSize?: number;
  /** Most flushes (write cycles, each ending in at most one fsync) in any second. Default 10; Infinity: no budget. */
  fsyncsPerSecond?: number;
  /** Of those, how many may follow each other without waiting (fsync-budget.ts). Default 3. */
  fsyncBurst?: number;
  /** How long writes nobody waits for (outbox changes, trace events) gather before a cycle of their own; a bundle
   * arriving meanwhile takes them along. Default 100 ms. */
  groupCommitMs?: number;
  /** New bundles per write cycle, which is one LMDB transaction (and one fdatasync). Default 2,000. */
  maxCycleBundles?: number;
  /** Newest bundle ids the dedupe filter always remembers. Default 1,000,000 (4 MB of tables). */
  recentWindow?: number;
  /** How long an expired bundle's tombstone, outbox row and trace are kept. Default 24 h. */
  retentionMs?: number;
  /** Least time between two expiry sweeps (the sweep itself is armed for the next expiry). Default 60 s; 0 disables
   * the timer (call sweep()). */
  sweepIntervalMs?: number;
  /** Expired bundles handled per sweep write cycle. Default 256. */
  sweepBatch?: number;
  /** The vault's time; a TimerClock moves its timers too (the fsync budget, background writes, the sweep). */
  clock?: (() => number) | TimerClock;
  /** Byte budget (LMDB pages in use; `vault.maxBytes`): evict delivered, then tombstones, then refuse. Unbounded when absent. */
  maxBytes?: number;
  /** Longest a bundle is kept after it arrived, whatever its own lifetime (`vault.lifetimeDays`). Unbounded when absent. */
  maxKeepMs?: number;
  /** Registers lattice_vault_fsyncs_total and the budget's metrics (vault-budget.ts). */
  metrics?: Metrics;
  /** Damaged files at start (runtime/store/open-store.ts): moved aside (`recover`, default) or `refuse`. */
  onDamage?: OnDamage;
}

export interface StoredBundle extends BundleRow {
  id: Uint8Array;
  expired: boolean;
}

export interface VaultCounts {
  stored: number;
  inbox: number;
  outbox: Record<OutboxState, number>;
}

type Settings = Required<Omit<VaultOptions, 'metrics' | 'clock' | 'onDamage' | 'maxBytes' | 'maxKeepMs'>> & { maxKeepMs?: number };

export class Vault {
  readonly events = new VaultEvents();
  readonly recent: RecentIds;
  readonly budget: VaultBudget;
  /** Write cycles that ended in a flush (each is at most one fsync of the data file). */
  fsyncs = 0;
  private root?: RootDatabase;
  private db!: VaultTables;
  private writer?: VaultWriter;
  private sweeper?: SweepTimer;
  private readonly opt: Settings;
  private readonly guard: StoreGuard;
  private readonly now: () => number;
  private readonly timers: TimerClock;
  private closing = false;
  private readonly fsyncCounter?: Counter;

  constructor(options: VaultOptions) {
    this.opt = {
      path: options.path,
      mapSize: options.mapSize ?? (process.arch === 'arm' || process.arch === 'ia32' ? 512 * 2 ** 20 : 2 * 2 ** 30),
      fsyncsPerSecond: options.fsyncsPerSecond ?? 10,
      fsyncBurst: options.fsyncBurst ?? 3,
      groupCommitMs: options.groupCommitMs ?? 100,
      maxCycleBundles: options.maxCycleBundles ?? 2_000,
      recentWindow: options.recentWindow ?? 1_000_000,
      retentionMs: options.retentionMs ?? 24 * 3600 * 1000,
      sweepIntervalMs: options.sweepIntervalMs ?? 60_000,
      sweepBatch: options.sweepBatch ?? 256,
      ...(options.maxKeepMs !== undefined ? { maxKeepMs: options.maxKeepMs } : {}),
    };
    this.budget = new VaultBudget({ ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}), ...(options.metrics ? { metrics: options.metrics } : {}) });
    ({ now: this.now, timers: this.timers } = timerClockOf(options.clock));
    this.guard = { store: 'vault', onDamage: options.onDamage, metrics: options.metrics };
    this.recent = new RecentIds({ window: this.opt.recentWindow });
    if (options.metrics) {
      this.fsyncCounter = options.metrics.counter({
        name: 'lattice_vault_fsyncs_total',
        help: 'Vault write cycles flushed to disk (each at most one fsync)',
      });
    }
  }

  get isOpen(): boolean {
    return this.root !== undefined && !this.closing;
  }

  async start(): Promise<void> {
    if (this.root) return;
    const root = await openStore({ path: this.opt.path, mapSize: this.opt.mapSize, maxDbs: 16 }, this.guard);
    this.db = openTables(root);
    // Before the writer and its write guard: the one-time listing of a vault older than the `sent` index.
    await backfillSentIndex(root, this.db);
    const writer = (this.writer = new VaultWriter({
      root, tables: this.db, recent: this.recent, budget: this.budget, now: this.now, timers: this.timers,
      writeTarget: this.writeTarget, retentionMs: this.opt.retentionMs,
      maxCycleBundles: this.opt.maxCycleBundles, backgroundMs: this.opt.groupCommitMs,
      fsyncsPerSecond: this.opt.fsyncsPerSecond, fsyncBurst: this.opt.fsyncBurst,
      keepUntil: (row) => this.keepUntil(row),
      flushed: () => {
        this.fsyncs++;
        this.fsyncCounter?.inc();
      },
      committed: ({ earliestExpiry }) => {
        this.measure();
        if (earliestExpiry < Infinity) this.sweeper?.expiresAt(earliestExpiry);
      },
    }));
    // Every write's outcome is collected for the cycle that issued it (lmdb-commit.ts: none may go unobserved).
    guardWrites(root, [root, ...allTables(this.db)], (outcome) => writer.observe(outcome));
    this.root = root;
    this.closing = false;
    this.measure();
    // The snapshot is only an accelerator (every hit is confirmed in LMDB): load it when it fits, never trust it.
    const snap = this.db.meta.get('recent-ids');
    if (snap instanceof Uint8Array) this.recent.load(snap);
    if (this.opt.sweepIntervalMs > 0) {
      this.sweeper = new SweepTimer({
        timers: this.timers, now: this.now, minGapMs: this.opt.sweepIntervalMs, batch: this.opt.sweepBatch,
        firstDue: () => (this.isOpen ? firstExpiry(this.db.expiry) : undefined),
        sweep: () => this.sweep(),
      });
      this.sweeper.start();
    }
  }

  async stop(): Promise<void> {
    if (!this.root || this.closing) return;
    this.closing = true;
    this.sweeper?.stop();
    this.sweeper = undefined;
    await this.writer!.close();
    try {
      await this.db.meta.put('recent-ids', Buffer.from(this.recent.toBytes()));
      await flushedOrFailed(this.root);
    } catch {
      // Only an accelerator of the dedupe filter: without it the next start confirms more ids in LMDB.
    }
    await closeEnv(this.root);
    this.root = undefined;
    this.writer = undefined;
  }

  /** Bytes in use against the budget, and whether new bundles are refused (lattice status). */
  usage(): VaultUsage {
    return this.budget.usage();
  }

  /** When the expiry sweep fires next (the vault's time); undefined when none is armed. */
  get nextSweepAt(): number | undefined {
    return this.sweeper?.dueAt;
  }

  /** Pages in use and the data file's size, after a commit (vault-budget.ts says why pages). */
  private measure(): void {
    const { usedBytes, fileBytes, pageSize } = pagesInUse(this.db);
    this.budget.measured(usedBytes, fileBytes, entryCount(this.db.evictable) + entryCount(this.db.expired), pageSize);
  }

  private need(op: string): VaultWriter {
    if (!this.root || this.closing || !this.writer) throw new VaultClosedError(op);
    return this.writer;
  }

  /** Where the vault's writes go, to tell a full disk from a failing one and to notice room returning. */
  private get writeTarget(): WriteTarget {
    return { path: this.opt.path, file: join(this.opt.path, 'data.mdb') };
  }

  /** When a stored bundle leaves: its own expiry, or `maxKeepMs` after it arrived if that comes first. */
  private keepUntil(row: { receivedAt: number; expiresAt: number }): number {
    return this.opt.maxKeepMs === undefined ? row.expiresAt : Math.min(row.expiresAt, row.receivedAt + this.opt.maxKeepMs);
  }

  // ---- dedupe and ingest -------------------------------------------------------------------------------------

  /** True when this id is stored (or on its way to disk). Never a false positive: filter hits are confirmed in LMDB. */
  has(id: Uint8Array): boolean {
    const writer = this.need('has');
    // Ids enter the filter when queued for writing, so a miss is final for in-flight ones too.
    if (!this.recent.has(id)) return false;
    const key = Buffer.from(id.buffer, id.byteOffset, id.byteLength);
    // A tombstone (expired, or evicted after delivery) still knows the id: a late copy is a duplicate.
    if (this.db.bundles.doesExist(key) || this.db.expired.doesExist(key)) return true;
    return writer.isInflight(id);
  }

  /**
   * Stores a bundle if its id is new; resolves once it is durable, 'stored' or 'duplicate' (a copy still on its way
   * to disk counts as a duplicate only once it is flushed: the caller may acknowledge it to the sender). Rejects
   * with StoreFullError when the budget or the disk has no room (VaultWriteError when the disk fails).
   */
  ingest(rec: IngestRecord): Promise<IngestResult> {
    return this.need('ingest').ingest(rec, hex(rec.id));
  }

  /**
   * For an id has() confirmed: resolves once that bundle is durable (right away when it already is); rejects when
   * the write cycle carrying it failed. has() is true for a bundle still on its way to disk, and a duplicate may
   * be acknowledged to its sender only once the first copy is flushed.
   */
  whenDurable(id: Uint8Array): Promise<void> {
    return this.writer ? this.writer.whenDurable(id) : Promise.resolve();
  }

  /** Resolves once everything queued so far (outbox changes, trace events) is written and flushed. */
  settle(): Promise<void> {
    return this.writer && this.root ? this.writer.settle() : Promise.resolve();
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  get(id: Uint8Array): StoredBundle | undefined {
    this.need('get');
    const key = Buffer.from(id.buffer, id.byteOffset, id.byteLength);
    const live = this.db.bundles.getBinary(key);
    if (live) return { ...decodeBundleRow(live), id: new Uint8Array(id), expired: false };
    const tomb = this.db.expired.getBinary(key);
    if (tomb) return { ...decodeBundleRow(tomb, 'expired'), id: new Uint8Array(id), expired: true };
    return undefined;
  }

  outbox(id: Uint8Array): OutboxRow | undefined {
    return this.need('outbox').outboxChange(hex(id)) ?? this.writtenOutbox(id);
  }

  private writtenOutbox(id: Uint8Array): OutboxRow | undefined {
    const row = this.db.outbox.get(Buffer.from(id.buffer, id.byteOffset, id.byteLength));
    return isOutboxRow(row) ? row : undefined;
  }

  traceEvents(id: Uint8Array): TraceEvent[] {
    const writer = this.need('traceEvents');
    const key = Buffer.from(id.buffer, id.byteOffset, id.byteLength);
    const out: TraceEvent[] = [];
    // Rows of the cycle being written can already be visible in LMDB (committed, not yet flushed): count once.
    const committed = new Set<string>();
    for (const { key: k, value } of this.db.trace.getRange({ start: key, end: prefixEnd(key) })) {
      out.push(value);
      committed.add(hex(k));
    }
    const unwritten = writer.unwrittenTraces();
    if (unwritten.length === 0) return out;
    const idHex = hex(id);
    for (const t of unwritten) if (hex(t.id) === idHex && !committed.has(hex(t.key))) out.push(t.event);
    return out.sort((a, b) => a.at - b.at);
  }

  /** Inbox ids, newest first. */
  inboxIds(options: { limit?: number; since?: number } = {}): Array<{ id: Uint8Array; receivedAt: number }> {
    this.need('inboxIds');
    const out: Array<{ id: Uint8Array; receivedAt: number }> = [];
    const range = this.db.inbox.getKeys({
      reverse: true,
      ...(options.since !== undefined ? { end: timeKey(options.since) } : {}),
      limit: options.limit ?? 100,
    });
    for (const k of range) {
      const { at, id } = splitTimeIdKey(k);
      out.push({ id, receivedAt: at });
    }
    return out;
  }

  /** Ids of the bundles created here (sent by this node, any way: API, CLI, bridge), newest first; an index range,
   * so listing the newest few costs the same however many the vault holds. Tombstones included until purged. */
  sentIds(options: { limit?: number } = {}): Array<{ id: Uint8Array; createdAt: number }> {
    this.need('sentIds');
    const out: Array<{ id: Uint8Array; createdAt: number }> = [];
    for (const k of this.db.sent.getKeys({ reverse: true, limit: options.limit ?? 100 })) {
      const { at, id } = splitTimeIdKey(k);
      out.push({ id, createdAt: at });
    }
    return out;
  }

  counts(): VaultCounts {
    const writer = this.need('counts');
    const outbox = Object.fromEntries(OUTBOX_STATES.map((s) => [s, entryCount(this.db.st[s])])) as Record<OutboxState, number>;
    // Changes not yet committed (they ride on the next write cycle) count already.
    // What LMDB shows is whatever committed last, so ask it (the overlay is small: one write cycle's changes).
    for (const e of writer.outboxChanges()) {
      const key = Buffer.from(e.id);
      const shown = OUTBOX_STATES.find((s) => this.db.st[s].doesExist(key));
      const now = overallState(e.row);
      if (now === shown) continue;
      if (shown) outbox[shown]--;
      outbox[now]++;
    }
    return { stored: entryCount(this.db.bundles), inbox: entryCount(this.db.inbox), outbox };
  }

  /** Ids with at least one queued target, in id order from `after` (exclusive); the retry loop pages through it. */
  queuedIds(options: { after?: Uint8Array; limit?: number } = {}): Uint8Array[] {
    const writer = this.need('queuedIds');
    const out: Uint8Array[] = [];
    const seen = new Set<string>();
    const after = options.after ? Buffer.from(options.after) : undefined;
    for (const k of this.db.st.queued.getKeys({ ...(after ? { start: after, exclusiveStart: true } : {}), limit: options.limit ?? 256 })) {
      out.push(new Uint8Array(k));
      seen.add(hex(k));
    }
    // Rows queued in memory but not yet written (a bundle re-queued moments ago).
    for (const e of writer.outboxChanges()) {
      if (!seen.has(e.idHex) && overallState(e.row) === 'queued' && (!after || Buffer.compare(Buffer.from(e.id), after) > 0)) out.push(e.id);
    }
    return out;
  }

  /** Bundle ids that `nodeId`'s delivery bloom may retire. */
  awaitingIds(nodeId: Uint8Array): Uint8Array[] {
    return this.awaitingEntries(nodeId).map((e) => e.id);
  }

  /** Bundle ids that `nodeId`'s delivery bloom may retire, with the retirement state stored beside each. */
  awaitingEntries(nodeId: Uint8Array): Array<{ id: Uint8Array; state: Uint8Array }> {
    const changes = this.need('awaitingEntries').awaitingChanges();
    const prefix = Buffer.from(nodeId);
    const out: Array<{ id: Uint8Array; state: Uint8Array }> = [];
    const pending = changes.size > 0 ? new Map<string, Buffer | null>() : undefined;
    if (pending) for (const [k, e] of changes) if (e.key.subarray(0, 32).equals(prefix)) pending.set(k, e.state);
    for (const { key, value } of this.db.awaiting.getRange({ start: prefix, end: prefixEnd(prefix) })) {
      const k = key as Buffer;
      let state: Buffer | null | undefined = value;
      if (pending?.size) {
        const kh = hex(k);
        if (pending.has(kh)) {
          state = pending.get(kh);
          pending.delete(kh);
        }
      }
      if (state) out.push({ id: new Uint8Array(k.subarray(32, 64)), state: new Uint8Array(state) });
    }
    if (pending) for (const [kh, state] of pending) if (state) out.push({ id: new Uint8Array(Buffer.from(kh, 'hex').subarray(32, 64)), state: new Uint8Array(state) });
    return out;
  }

  // ---- writes that ride on the next cycle (not awaited for durability) ------------------------------------------

  /** Replaces a bundle's outbox row (the router's state machine computes it). */
  setOutbox(id: Uint8Array, row: OutboxRow): void {
    this.need('setOutbox').setOutbox(id, row);
  }

  /** Lists (or re-lists, with a new state) a bundle under `nodeId`'s delivery bloom. */
  addAwaiting(nodeId: Uint8Array, id: Uint8Array, state: Uint8Array = new Uint8Array(0)): void {
    this.need('addAwaiting').writeAwaiting(nodeIdKey(nodeId, id), Buffer.from(state));
  }

  removeAwaiting(nodeId: Uint8Array, id: Uint8Array): void {
    this.need('removeAwaiting').writeAwaiting(nodeIdKey(nodeId, id), null);
  }

  trace(id: Uint8Array, event: TraceEvent): void {
    if (this.isOpen) this.writer!.trace(id, event);
  }

  // ---- expiry ---------------------------------------------------------------------------------------------------

  /**
   * One bounded sweep step (expiry-sweep.ts). Resolves with the number of expiry entries handled once it is
   * durable; the bundles it expired are then announced (`events.on('expired')`).
   */
  sweep(): Promise<number> {
    const writer = this.need('sweep');
    return new Promise<number>((resolve, reject) => {
      let result: SweepResult | undefined;
      let failed: unknown;
      writer.queue({
        urgent: true,
        write: () => {
          // A row that does not parse fails this sweep (its caller hears of it), not the write cycle it rides on.
          try {
            result = sweepStep({
              tables: this.db,
              now: this.now(),
              retentionMs: this.opt.retentionMs,
              outbox: (id) => writer.outboxChange(hex(id)) ?? this.writtenOutbox(id),
              setOutbox: (id, row) => writer.setOutbox(id, row),
              forget: (id) => writer.forgetOutbox(id),
              trace: (id, event) => writer.trace(id, event),
            }, this.opt.sweepBatch);
            return result.puts;
          } catch (err) {
            failed = err;
            return 0;
          }
        },
        done: (err) => {
          if (err ?? failed) return reject(err ?? failed);
          const r = result!;
          resolve(r.handled);
          // A step run again after a failed cycle is announced once, when it committed.
          result = undefined;
          for (const e of r.expired) this.events.emit('expired', e);
        },
      });
    });
  }

  /** Sweeps until nothing is due (tests, shutdown tools). */
  async sweepAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.sweep();
      total += n;
      if (n < this.opt.sweepBatch) return total;
    }
  }
}
