/**
 * Vault: the relay's durable store (one LMDB environment in the data dir, named sub-databases).
 *
 *   bundles   id -> row header + encoded bundle            (put-if-absent: a second copy is a duplicate)
 *   expired   id -> tombstone row (body dropped)           (kept `retentionMs` after expiry for `lattice trace`)
 *   expiry    u64be expiresAt | id -> phase byte           (the sweep walks it in time order)
 *   inbox     u64be receivedAt | id -> ''                  (bundles for this node or broadcast)
 *   outbox    id -> OutboxRow (msgpack)                    (per-target state machine, outbox.ts)
 *   st-<state> id -> ''                                    (one per outbox state: O(1) counts, restart re-queue)
 *   awaiting  node id | bundle id -> retirement state      (handed off, waiting for that node's bloom: bloom-retirement.ts)
 *   trace     id | u64be at | u32be seq -> TraceEvent      (for `lattice trace`)
 *   meta      string -> value                              (recent-id snapshot at clean shutdown)
 *   evictable u64be receivedAt | id -> ''                  (no custody duty left: what the byte budget evicts first)
 *
 * Durability: ingest() resolves only after the commit is flushed (`await root.flushed`; with lmdb-js's default
 * overlappingSync a write promise resolves at commit, before fsync — the lmdb-js README). Group commit: one
 * write cycle at most every `groupCommitMs` (100 ms default) takes everything queued, writes it in event turns of
 * ≤ `maxTxnPuts` puts (lmdb-js puts one event turn's writes in one txn; big txns inflate anonymous RSS,
 * docs/measurements.md §3) and waits for one flush. `fsyncs` / lattice_vault_fsyncs_total count those flushed cycles; LMDB's
 * overlapping sync may issue more than one fdatasync per cycle when a cycle spans several transactions (strace
 * measured 85 fdatasync for 16 cycles of ~20 k bundles, i.e. 5/s at 17 k bundles/s).
 *
 * Counts come from LMDB's per-database entry counts (mdb_stat, O(1)), so restart needs no scan and no counter
 * can drift after a crash.
 *
 * Bounds (vault-budget.ts, vault-evict.ts): a bundle is kept until its own expiry or `maxKeepMs` after it arrived,
 * whichever comes first; past `maxBytes` of LMDB pages delivered bundles are evicted, then tombstones, then new
 * bundles are refused (StoreFullError). A write cycle that fails (disk full, I/O error) loses nothing acknowledged:
 * its ingests are refused, its outbox changes stay in memory and are written by a later cycle, and new bundles are
 * refused until a retry (growing delay) commits again (lmdb-commit.ts says why every write promise is observed).
 */
import type { Database, RootDatabase } from 'lmdb';
import { join } from 'node:path';
import type { Counter } from '../metrics/metrics.js';
import type { Metrics } from '../metrics/metrics.js';
import { openStore, type OnDamage, type StoreGuard } from '../store/open-store.js';
import type { TraceEvent } from '../node/relay-node.js';
import { decodeBundle, encodeBundle } from '../bundle/bundle-codec.js';
import { decodeBundleRow, encodeBundleRow, rowReceivedAt, type BundleRow } from './bundle-row.js';
import { StoreFullError, VaultClosedError, VaultWriteError } from './errors.js';
import { isOutboxRow, OUTBOX_STATES, overallState, type OutboxRow, type OutboxState } from './outbox.js';
import { RecentIds } from './recent-ids.js';
import { hex, nodeIdKey, prefixEnd, splitTimeIdKey, timeIdKey, timeKey, traceKey } from './vault-keys.js';
import { VaultBudget, type VaultUsage } from './vault-budget.js';
import { evictStep } from './vault-evict.js';
import { closeEnv, flushedOrFailed, guardWrites, type WriteOutcome } from '../storage/lmdb-commit.js';
import { isDiskFullError, type WriteTarget } from '../storage/disk-full.js';
import { retryWhenRoom } from '../storage/room-watch.js';

export interface VaultOptions {
  /** Directory of the LMDB environment (created if missing), e.g. `<dataDir>/vault`. */
  path: string;
  /** LMDB map size (virtual reservation). Default 2 GiB on 64-bit, 512 MiB on 32-bit. */
  mapSize?: number;
  /** Minimum time between write cycles (each ends with one fsync). Default 100 ms. */
  groupCommitMs?: number;
  /** Puts per LMDB transaction. Default 1000. */
  maxTxnPuts?: number;
  /** Bundles per write cycle. Default 20,000. */
  maxCycleBundles?: number;
  /** Newest bundle ids the dedupe filter always remembers. Default 1,000,000 (4 MB of tables). */
  recentWindow?: number;
  /** How long an expired bundle's tombstone, outbox row and trace are kept. Default 24 h. */
  retentionMs?: number;
  /** Expiry sweep period. Default 60 s; 0 disables the timer (call sweep()). */
  sweepIntervalMs?: number;
  /** Expired bundles handled per sweep write cycle. Default 256. */
  sweepBatch?: number;
  clock?: () => number;
  /** Byte budget (LMDB pages in use; `vault.maxBytes`): evict delivered, then tombstones, then refuse. Unbounded when absent. */
  maxBytes?: number;
  /** Longest a bundle is kept after it arrived, whatever its own lifetime (`vault.lifetimeDays`). Unbounded when absent. */
  maxKeepMs?: number;
  /** Registers lattice_vault_fsyncs_total and the budget's metrics (vault-budget.ts). */
  metrics?: Metrics;
  /** Damaged files at start (runtime/store/open-store.ts): moved aside (`recover`, default) or `refuse`. */
  onDamage?: OnDamage;
}

export interface IngestRecord {
  id: Uint8Array;
  /** The encoded bundle as received. */
  bytes: Uint8Array;
  receivedAt: number;
  expiresAt: number;
  bearer?: string;
  from?: string;
  created?: boolean;
  /** For this node or broadcast: listed in the inbox. */
  inbox?: boolean;
  /** Outbox targets to queue (empty or absent: no outbox row). */
  targets?: string[];
  /** Lists the bundle under this node's delivery bloom at once. The router does not use it: a bloom may retire
   * only what was handed off, so it calls addAwaiting() at the hand-off instead. */
  awaitingNode?: Uint8Array;
}

export type IngestResult = 'stored' | 'duplicate';

export interface StoredBundle extends BundleRow {
  id: Uint8Array;
  expired: boolean;
}

export interface VaultCounts {
  stored: number;
  inbox: number;
  outbox: Record<OutboxState, number>;
}

interface PendingIngest {
  rec: IngestRecord;
  idHex: string;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
  /** Settles with resolve/reject: a second copy arriving meanwhile waits on it (see whenDurable). */
  done: Promise<IngestResult>;
  /** Its share of the budget's pending bytes. */
  cost: number;
}

interface OverlayEntry {
  id: Uint8Array;
  row: OutboxRow;
  /** State of the row as last written to LMDB (undefined: no row there yet). */
  base: OutboxState | undefined;
  version: number;
  /** A failed cycle may or may not have written it: the next write clears every state index but its own. */
  rebase?: boolean;
}

type Op = () => number;
/** Eviction steps and write probes are not queued again when their cycle fails (they are made afresh). */
type OnceOp = Op & { once?: boolean };
/** Trace events kept in memory while the vault cannot write; beyond this the oldest are dropped (and counted). */
const TRACE_BACKLOG = 20_000;
/** Size of the write that tests, after a failed cycle, whether the disk takes writes again. */
const PROBE_BYTES = 256 * 1024;
/** Rows an eviction step touches per stage. */
const EVICT_BATCH = 64;
/** A trace event waiting for the next write cycle; its key is fixed when queued so reads can tell it apart. */
interface PendingTrace {
  id: Uint8Array;
  event: TraceEvent;
  key: Buffer;
}
const EMPTY = Buffer.alloc(0);
const STAT_PROBE_KEY = Buffer.of(0);
const PHASE_LIVE = 0;
const PHASE_TOMB = 1;

export class Vault {
  private root?: RootDatabase;
  private db!: {
    bundles: Database<Buffer, Buffer>;
    expired: Database<Buffer, Buffer>;
    expiry: Database<Buffer, Buffer>;
    inbox: Database<Buffer, Buffer>;
    outbox: Database<OutboxRow, Buffer>;
    awaiting: Database<Buffer, Buffer>;
    trace: Database<TraceEvent, Buffer>;
    meta: Database<unknown, string>;
    evictable: Database<Buffer, Buffer>;
    st: Record<OutboxState, Database<Buffer, Buffer>>;
  };
  readonly recent: RecentIds;
  private readonly opt: Required<Omit<VaultOptions, 'metrics' | 'clock' | 'onDamage' | 'maxBytes' | 'maxKeepMs'>> & { maxKeepMs?: number };
  private readonly guard: StoreGuard;
  readonly budget: VaultBudget;
  private readonly now: () => number;
  private ingests: PendingIngest[] = [];
  private readonly inflight = new Map<string, PendingIngest>();
  private ops: Op[] = [];
  private readonly overlay = new Map<string, OverlayEntry>();
  /** Awaiting-index writes not yet committed (key hex -> state, null: removed); reads see them at once. */
  private readonly awaitingOverlay = new Map<string, { key: Buffer; state: Buffer | null; version: number }>();
  private dirty = new Set<string>();
  private traceQueue: PendingTrace[] = [];
  private traceWriting: PendingTrace[] = [];
  private traceSeq = Math.floor(Math.random() * 0xffffffff);
  private timer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private cycle?: Promise<void>;
  private lastCycleAt = 0;
  private version = 0;
  private closing = false;
  /** Write promises of the cycle running now (one per LMDB transaction, plus conditional writes). */
  private cycleWrites: Promise<WriteOutcome>[] = [];
  /** Set while a retry after a failed write cycle is pending (storage/room-watch.ts). */
  private retryCancel?: () => void;
  private evictCursor?: Buffer;
  private evictQueued = false;
  /** Write cycles that ended in a flush (each is at most one fsync of the data file). */
  fsyncs = 0;
  private readonly fsyncCounter?: Counter;

  constructor(options: VaultOptions) {
    this.opt = {
      path: options.path,
      mapSize: options.mapSize ?? (process.arch === 'arm' || process.arch === 'ia32' ? 512 * 2 ** 20 : 2 * 2 ** 30),
      groupCommitMs: options.groupCommitMs ?? 100,
      maxTxnPuts: options.maxTxnPuts ?? 1000,
      maxCycleBundles: options.maxCycleBundles ?? 20_000,
      recentWindow: options.recentWindow ?? 1_000_000,
      retentionMs: options.retentionMs ?? 24 * 3600 * 1000,
      sweepIntervalMs: options.sweepIntervalMs ?? 60_000,
      sweepBatch: options.sweepBatch ?? 256,
      ...(options.maxKeepMs !== undefined ? { maxKeepMs: options.maxKeepMs } : {}),
    };
    this.budget = new VaultBudget({ ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}), ...(options.metrics ? { metrics: options.metrics } : {}) });
    this.now = options.clock ?? Date.now;
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
    const bin = { encoding: 'binary' as const, keyEncoding: 'binary' as const };
    this.db = {
      bundles: root.openDB<Buffer, Buffer>('bundles', bin),
      expired: root.openDB<Buffer, Buffer>('expired', bin),
      expiry: root.openDB<Buffer, Buffer>('expiry', bin),
      inbox: root.openDB<Buffer, Buffer>('inbox', bin),
      outbox: root.openDB<OutboxRow, Buffer>('outbox', { keyEncoding: 'binary' }),
      awaiting: root.openDB<Buffer, Buffer>('awaiting', bin),
      trace: root.openDB<TraceEvent, Buffer>('trace', { keyEncoding: 'binary' }),
      meta: root.openDB<unknown, string>('meta', {}),
      st: Object.fromEntries(OUTBOX_STATES.map((s) => [s, root.openDB<Buffer, Buffer>(`st-${s}`, bin)])) as Record<OutboxState, Database<Buffer, Buffer>>,
      evictable: root.openDB<Buffer, Buffer>('evictable', bin),
    };
    // Every write's outcome is collected for the cycle that issued it (lmdb-commit.ts: none may go unobserved).
    const { st, ...tables } = this.db;
    guardWrites(root, [root, ...Object.values(tables), ...Object.values(st)], (outcome) => this.cycleWrites.push(outcome));
    this.root = root;
    this.closing = false;
    this.measure();
    // The snapshot is only an accelerator (every hit is confirmed in LMDB): load it when it fits, never trust it.
    const snap = this.db.meta.get('recent-ids');
    if (snap instanceof Uint8Array) this.recent.load(snap);
    if (this.opt.sweepIntervalMs > 0) {
      this.sweepTimer = setInterval(() => void this.sweep().catch(() => undefined), this.opt.sweepIntervalMs);
      this.sweepTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (!this.root || this.closing) return;
    this.closing = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.timer) clearTimeout(this.timer);
    this.retryCancel?.();
    this.timer = this.retryCancel = undefined;
    while (this.cycle || this.ingests.length || this.ops.length || this.dirty.size || this.traceQueue.length) {
      try {
        if (this.cycle) await this.cycle;
        else await this.runCycleNow();
      } catch {
        // The disk is full (or failing): acknowledged bundles are on disk already; outbox state changes and trace
        // events still in memory are lost (a target not marked delivered is sent again, and deduplicated there).
        break;
      }
    }
    try {
      await this.db.meta.put('recent-ids', Buffer.from(this.recent.toBytes()));
      await flushedOrFailed(this.root);
    } catch {
      // Only an accelerator of the dedupe filter: without it the next start confirms more ids in LMDB.
    }
    await closeEnv(this.root);
    this.root = undefined;
  }

  /** Bytes in use against the budget, and whether new bundles are refused (lattice status). */
  usage(): VaultUsage {
    return this.budget.usage();
  }

  /** Pages in use and the data file's size, after a commit (vault-budget.ts says why pages). */
  private measure(): void {
    const { st, meta, ...rest } = this.db;
    meta.doesExist('-'); // renews the read transaction (see entries())
    let pages = 0;
    for (const db of [meta, ...Object.values(rest), ...Object.values(st)] as Database[]) {
      const s = (db as unknown as { db: { stat(): { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number } } }).db.stat();
      pages += s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages;
    }
    const env = meta.getStats() as { pageSize: number; lastPageNumber: number; root: { treeBranchPageCount: number; treeLeafPageCount: number }; free: { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number } };
    // The main database (names of the sub-databases), the free list's own pages, the two meta pages.
    pages += env.root.treeBranchPageCount + env.root.treeLeafPageCount + env.free.treeBranchPageCount + env.free.treeLeafPageCount + env.free.overflowPages + 2;
    this.budget.measured(pages * env.pageSize, (env.lastPageNumber + 1) * env.pageSize, this.entries(this.db.evictable) + this.entries(this.db.expired));
  }

  private need(op: string): RootDatabase {
    if (!this.root || this.closing) throw new VaultClosedError(op);
    return this.root;
  }

  // ---- dedupe and ingest -------------------------------------------------------------------------------------

  /** True when this id is stored (or on its way to disk). Never a false positive: filter hits are confirmed in LMDB. */
  has(id: Uint8Array): boolean {
    this.need('has');
    // Ids enter the filter when queued for writing, so a miss is final for in-flight ones too.
    if (!this.recent.has(id)) return false;
    const key = Buffer.from(id.buffer, id.byteOffset, id.byteLength);
    // A tombstone (expired, or evicted after delivery) still knows the id: a late copy is a duplicate.
    if (this.db.bundles.doesExist(key) || this.db.expired.doesExist(key)) return true;
    return this.inflight.size > 0 && this.inflight.has(hex(id));
  }

  /**
   * Stores a bundle if its id is new; resolves once it is durable, 'stored' or 'duplicate' (a copy still on its way
   * to disk counts as a duplicate only once it is flushed: the caller may acknowledge it to the sender). Rejects
   * with StoreFullError when the budget or the disk has no room (VaultWriteError when the disk fails).
   */
  ingest(rec: IngestRecord): Promise<IngestResult> {
    this.need('ingest');
    const idHex = hex(rec.id);
    const first = this.inflight.get(idHex);
    if (first) return first.done.then(() => 'duplicate');
    let cost: number;
    try {
      cost = this.budget.admit(rec.bytes.length);
    } catch (err) {
      return Promise.reject(err);
    }
    let resolve!: (r: IngestResult) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<IngestResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const p: PendingIngest = { rec, idHex, resolve, reject, done, cost };
    this.inflight.set(idHex, p);
    this.recent.add(rec.id);
    this.ingests.push(p);
    this.schedule();
    return done;
  }

  /**
   * For an id has() confirmed: resolves once that bundle is durable (right away when it already is); rejects when
   * the write cycle carrying it failed. has() is true for a bundle still on its way to disk, and a duplicate may
   * be acknowledged to its sender only once the first copy is flushed.
   */
  whenDurable(id: Uint8Array): Promise<void> {
    const p = this.inflight.size > 0 ? this.inflight.get(hex(id)) : undefined;
    return p ? p.done.then(() => undefined) : Promise.resolve();
  }

  private schedule(): void {
    // After a failed write cycle only the retry timer writes (retryWrites()).
    if (this.cycle || this.timer || !this.root || this.retryCancel) return;
    const wait = Math.max(0, this.lastCycleAt + this.opt.groupCommitMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runCycleNow().catch(() => undefined); // a failure is handled in failedCycle()
    }, wait);
  }

  /** After a failed cycle: try again (what is queued, or a probe write) once `ms` passed. */
  private retryWrites(ms: number): void {
    if (this.retryCancel || !this.root || this.closing) return;
    this.retryCancel = retryWhenRoom(this.writeTarget, ms, () => {
      if (!this.root || this.closing) return;
      // The probe takes room as a cycle of ingests would (a tiny write fits in pages the file already has free),
      // and gives it back in the next cycle.
      const probe: OnceOp = () => {
        this.db.meta.put('write-probe', Buffer.alloc(PROBE_BYTES));
        this.ops.push(() => {
          this.db.meta.remove('write-probe');
          return 1;
        });
        return 1;
      };
      probe.once = true;
      this.ops.push(probe);
      // Cleared only now, so that nothing else starts a cycle in between.
      this.retryCancel = undefined;
      void this.runCycleNow().catch(() => undefined);
    });
  }

  private runCycleNow(): Promise<void> {
    if (this.cycle) return this.cycle;
    this.lastCycleAt = performance.now();
    this.cycle = this.runCycle().finally(() => {
      this.cycle = undefined;
      if (this.ingests.length || this.ops.length || this.dirty.size || this.traceQueue.length) this.schedule();
    });
    this.cycle.catch(() => undefined); // failedCycle() handled it; awaiting callers still see the error
    return this.cycle;
  }

  /** Resolves once everything queued so far (outbox changes, trace events) is written and flushed. */
  async settle(): Promise<void> {
    while (this.root && (this.cycle || this.ingests.length || this.ops.length || this.dirty.size || this.traceQueue.length)) {
      if (this.cycle) await this.cycle;
      else {
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        await this.runCycleNow();
      }
    }
  }

  private writeIngest(rec: IngestRecord): number {
    const db = this.db;
    const key = Buffer.from(rec.id.buffer, rec.id.byteOffset, rec.id.byteLength);
    let puts = 2;
    db.bundles.put(key, encodeBundleRow({
      receivedAt: rec.receivedAt, expiresAt: rec.expiresAt, created: rec.created ?? false, inbox: rec.inbox ?? false,
      ...(rec.bearer !== undefined ? { bearer: rec.bearer } : {}), ...(rec.from !== undefined ? { from: rec.from } : {}),
      bytes: rec.bytes,
    }));
    db.expiry.put(timeIdKey(this.keepUntil(rec), rec.id), Buffer.of(PHASE_LIVE));
    if (!rec.targets || rec.targets.length === 0) {
      // Nothing to forward (this node's inbox, or the hop limit): no custody duty, evictable under the budget.
      db.evictable.put(timeIdKey(rec.receivedAt, rec.id), EMPTY);
      puts++;
    }
    if (rec.inbox) {
      db.inbox.put(timeIdKey(rec.receivedAt, rec.id), EMPTY);
      puts++;
    }
    if (rec.targets && rec.targets.length > 0) {
      const row: OutboxRow = { targets: rec.targets.map((peer) => ({ peer, state: 'queued', at: rec.receivedAt, tries: 0 })), nextTryAt: 0 };
      db.outbox.put(key, row);
      db.st.queued.put(key, EMPTY);
      puts += 2;
    }
    if (rec.awaitingNode) {
      db.awaiting.put(nodeIdKey(rec.awaitingNode, rec.id), EMPTY);
      puts++;
    }
    return puts;
  }

  private async runCycle(): Promise<void> {
    const root = this.root;
    if (!root) return;
    const batch = this.ingests.splice(0, this.opt.maxCycleBundles);
    const ops = this.ops;
    this.ops = [];
    const results: Promise<boolean>[] = [];
    this.cycleWrites = [];
    let puts = 0;
    const turn = async (): Promise<void> => {
      if (puts >= this.opt.maxTxnPuts) {
        puts = 0;
        await new Promise<void>((r) => setImmediate(r)); // next event turn = next LMDB transaction
      }
    };
    const written: Array<[string, OverlayEntry, number]> = [];
    let dirty = new Set<string>();
    let traces: PendingTrace[] = [];
    try {
      for (const p of batch) {
        const key = Buffer.from(p.rec.id.buffer, p.rec.id.byteOffset, p.rec.id.byteLength);
        // A tombstone (expired, or evicted after delivery) still knows the id: a late copy is a duplicate.
        if (this.db.expired.doesExist(key)) results.push(Promise.resolve(false));
        else results.push(this.db.bundles.ifNoExists(key, () => { puts += this.writeIngest(p.rec); }));
        await turn();
      }
      for (const op of ops) {
        puts += op();
        await turn();
      }
      dirty = this.dirty;
      this.dirty = new Set();
      for (const idHex of dirty) {
        const e = this.overlay.get(idHex);
        if (!e) continue;
        puts += this.writeOutbox(e);
        written.push([idHex, e, e.version]);
        await turn();
      }
      traces = this.traceWriting = this.traceQueue;
      this.traceQueue = [];
      for (const t of traces) {
        this.db.trace.put(t.key, t.event);
        puts++;
        await turn();
      }
      const outcomes = await Promise.allSettled(results);
      // The last turn's commit promise is observed at the end of that turn (guardWrites): let it be.
      await new Promise<void>((r) => setImmediate(r));
      // Every transaction of the cycle settled (they commit in order); any failure fails the whole cycle.
      for (const w of await Promise.all(this.cycleWrites)) if (w) throw w.cause;
      await flushedOrFailed(root);
      this.fsyncs++;
      this.fsyncCounter?.inc();
      for (const [idHex, e, v] of written) if (this.overlay.get(idHex) === e && e.version === v) this.overlay.delete(idHex);
      this.traceWriting = [];
      batch.forEach((p, i) => {
        this.inflight.delete(p.idHex);
        this.budget.written(p.cost);
        const o = outcomes[i]!;
        if (o.status === 'rejected') p.reject(o.reason);
        else {
          p.resolve(o.value ? 'stored' : 'duplicate');
        }
      });
    } catch (err) {
      throw this.failedCycle(err, batch, ops, dirty, written, traces);
    }
    this.committedCycle(batch.length > 0);
  }

  /**
   * A write cycle failed (commits are all or nothing per transaction, but a cycle may span several): its ingests are
   * refused (none was acknowledged), its outbox changes stay in memory for a later cycle, its other writes are queued
   * again, its trace events too (up to TRACE_BACKLOG), and the vault retries with a growing delay.
   */
  private failedCycle(err: unknown, batch: PendingIngest[], ops: Op[], dirty: Set<string>, written: Array<[string, OverlayEntry, number]>, traces: PendingTrace[]): Error {
    const full = isDiskFullError(err, this.writeTarget);
    const error = full
      ? new StoreFullError('disk', this.budget.usedBytes, this.budget.maxBytes, { cause: err })
      : new VaultWriteError('write cycle', { cause: err });
    for (const p of batch) {
      this.inflight.delete(p.idHex);
      this.budget.written(p.cost);
      p.reject(error);
    }
    // Which of its state index rows reached the disk is not known: the next write of the row sets them all.
    for (const [, e] of written) e.rebase = true;
    for (const idHex of dirty) if (this.overlay.has(idHex)) this.dirty.add(idHex);
    this.ops = [...ops.filter((op) => !(op as OnceOp).once), ...this.ops];
    this.evictQueued = false;
    const backlog = traces.concat(this.traceQueue);
    const over = backlog.length - TRACE_BACKLOG;
    if (over > 0) {
      backlog.splice(0, over);
      this.budget.traceDropped?.inc(over);
    }
    this.traceQueue = backlog;
    this.traceWriting = [];
    this.retryWrites(this.budget.failed(full ? 'disk' : 'io', err));
    return error;
  }

  /** After a committed cycle: the budget learns the pages in use, and an eviction step is queued when over it. */
  private committedCycle(tookBundles: boolean): void {
    this.budget.succeeded(tookBundles);
    this.measure();
    const want = this.budget.evictWanted();
    if (want <= 0 || this.evictQueued || this.closing) return;
    this.evictQueued = true;
    const op: OnceOp = () => {
      this.evictQueued = false;
      const r = evictStep({
        tables: this.db,
        now: this.now(),
        retentionMs: this.opt.retentionMs,
        keepUntil: (row) => this.keepUntil(row),
        outbox: (id) => this.overlay.get(hex(id))?.row ?? this.writtenOutbox(id),
        forget: (id) => {
          this.overlay.delete(hex(id));
          this.dirty.delete(hex(id));
        },
      }, want, EVICT_BATCH, this.evictCursor);
      this.evictCursor = r.cursor;
      this.budget.evicted(r.delivered, r.expired);
      return r.puts;
    };
    op.once = true;
    this.ops.push(op);
    this.schedule();
  }

  /** When a stored bundle leaves: its own expiry, or `maxKeepMs` after it arrived if that comes first. */
  /** Where the vault's writes go, to tell a full disk from a failing one and to notice room returning. */
  private get writeTarget(): WriteTarget {
    return { path: this.opt.path, file: join(this.opt.path, 'data.mdb') };
  }

  private keepUntil(row: { receivedAt: number; expiresAt: number }): number {
    return this.opt.maxKeepMs === undefined ? row.expiresAt : Math.min(row.expiresAt, row.receivedAt + this.opt.maxKeepMs);
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
    this.need('outbox');
    const e = this.overlay.get(hex(id));
    if (e) return e.row;
    return this.writtenOutbox(id);
  }

  private writtenOutbox(id: Uint8Array): OutboxRow | undefined {
    const row = this.db.outbox.get(Buffer.from(id.buffer, id.byteOffset, id.byteLength));
    return isOutboxRow(row) ? row : undefined;
  }

  traceEvents(id: Uint8Array): TraceEvent[] {
    this.need('traceEvents');
    const key = Buffer.from(id.buffer, id.byteOffset, id.byteLength);
    const out: TraceEvent[] = [];
    // Rows of the cycle being written can already be visible in LMDB (committed, not yet flushed): count once.
    const committed = new Set<string>();
    for (const { key: k, value } of this.db.trace.getRange({ start: key, end: prefixEnd(key) })) {
      out.push(value);
      committed.add(hex(k));
    }
    if (this.traceWriting.length === 0 && this.traceQueue.length === 0) return out;
    const idHex = hex(id);
    for (const t of [...this.traceWriting, ...this.traceQueue]) if (hex(t.id) === idHex && !committed.has(hex(t.key))) out.push(t.event);
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

  private entries(db: Database<unknown, Buffer>): number {
    // The native stat() reads in lmdb-js's current read transaction but, called directly, skips the JS
    // bookkeeping that renews that transaction on the next turn; every later get() then kept reading the
    // snapshot from before the next commit (a bundle "missing" right after its ingest resolved). A public read
    // first takes the read transaction the documented way, with its renewal scheduled.
    db.doesExist(STAT_PROBE_KEY);
    return (db as unknown as { db: { stat(): { entryCount: number } } }).db.stat().entryCount;
  }

  counts(): VaultCounts {
    this.need('counts');
    const outbox = Object.fromEntries(OUTBOX_STATES.map((s) => [s, this.entries(this.db.st[s])])) as Record<OutboxState, number>;
    // Changes not yet committed (they ride on the next write cycle) count already.
    // What LMDB shows is whatever committed last, so ask it (the overlay is small: one write cycle's changes).
    for (const e of this.overlay.values()) {
      const key = Buffer.from(e.id);
      const shown = OUTBOX_STATES.find((s) => this.db.st[s].doesExist(key));
      const now = overallState(e.row);
      if (now === shown) continue;
      if (shown) outbox[shown]--;
      outbox[now]++;
    }
    return { stored: this.entries(this.db.bundles), inbox: this.entries(this.db.inbox), outbox };
  }

  /** Ids with at least one queued target, in id order from `after` (exclusive); the retry loop pages through it. */
  queuedIds(options: { after?: Uint8Array; limit?: number } = {}): Uint8Array[] {
    this.need('queuedIds');
    const out: Uint8Array[] = [];
    const seen = new Set<string>();
    const after = options.after ? Buffer.from(options.after) : undefined;
    for (const k of this.db.st.queued.getKeys({ ...(after ? { start: after, exclusiveStart: true } : {}), limit: options.limit ?? 256 })) {
      out.push(new Uint8Array(k));
      seen.add(hex(k));
    }
    // Rows queued in memory but not yet written (a bundle re-queued moments ago).
    for (const [idHex, e] of this.overlay) {
      if (!seen.has(idHex) && overallState(e.row) === 'queued' && (!after || Buffer.compare(Buffer.from(e.id), after) > 0)) out.push(e.id);
    }
    return out;
  }

  /** Bundle ids that `nodeId`'s delivery bloom may retire. */
  awaitingIds(nodeId: Uint8Array): Uint8Array[] {
    return this.awaitingEntries(nodeId).map((e) => e.id);
  }

  /** Bundle ids that `nodeId`'s delivery bloom may retire, with the retirement state stored beside each. */
  awaitingEntries(nodeId: Uint8Array): Array<{ id: Uint8Array; state: Uint8Array }> {
    this.need('awaitingEntries');
    const prefix = Buffer.from(nodeId);
    const out: Array<{ id: Uint8Array; state: Uint8Array }> = [];
    const pending = this.awaitingOverlay.size > 0 ? new Map<string, Buffer | null>() : undefined;
    if (pending) for (const [k, e] of this.awaitingOverlay) if (e.key.subarray(0, 32).equals(prefix)) pending.set(k, e.state);
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
    this.need('setOutbox');
    const idHex = hex(id);
    let e = this.overlay.get(idHex);
    if (!e) {
      const committed = this.db.outbox.get(Buffer.from(id.buffer, id.byteOffset, id.byteLength));
      const state = isOutboxRow(committed) ? overallState(committed) : undefined;
      e = { id: new Uint8Array(id), row, base: state, version: 0 };
      this.overlay.set(idHex, e);
    }
    e.row = row;
    e.version = ++this.version;
    this.dirty.add(idHex);
    this.schedule();
  }

  private writeOutbox(e: OverlayEntry): number {
    const key = Buffer.from(e.id);
    const state = overallState(e.row);
    let puts = 1;
    if (e.rebase) {
      for (const s of OUTBOX_STATES) if (s !== state) this.db.st[s].remove(key);
      puts += OUTBOX_STATES.length - 1;
      e.base = undefined;
      e.rebase = false;
    }
    if (e.base !== state) {
      if (e.base) this.db.st[e.base].remove(key);
      this.db.st[state].put(key, EMPTY);
      puts += 2;
      if (state === 'delivered' || e.base === 'delivered') puts += this.markEvictable(key, state === 'delivered');
      e.base = state;
    }
    this.db.outbox.put(key, e.row);
    return puts;
  }

  /** A bundle delivered to every target has no custody duty left: the byte budget may evict it (vault-evict.ts). */
  private markEvictable(key: Buffer, evictable: boolean): number {
    const raw = this.db.bundles.getBinary(key);
    // A tombstone already; or not committed yet, which delivery cannot be (it follows the acknowledged ingest).
    if (!raw) return 0;
    let receivedAt: number;
    try {
      receivedAt = rowReceivedAt(raw);
    } catch {
      return 0; // unreadable: only the expiry sweep removes it
    }
    const k = timeIdKey(receivedAt, key);
    if (evictable) this.db.evictable.put(k, EMPTY);
    else this.db.evictable.remove(k);
    return 1;
  }

  /** Lists (or re-lists, with a new state) a bundle under `nodeId`'s delivery bloom. */
  addAwaiting(nodeId: Uint8Array, id: Uint8Array, state: Uint8Array = EMPTY): void {
    this.need('addAwaiting');
    this.writeAwaiting(nodeIdKey(nodeId, id), Buffer.from(state));
  }

  removeAwaiting(nodeId: Uint8Array, id: Uint8Array): void {
    this.need('removeAwaiting');
    this.writeAwaiting(nodeIdKey(nodeId, id), null);
  }

  private writeAwaiting(k: Buffer, state: Buffer | null): void {
    const kh = hex(k);
    const version = ++this.version;
    this.awaitingOverlay.set(kh, { key: k, state, version });
    this.ops.push(() => {
      if (state) this.db.awaiting.put(k, state);
      else this.db.awaiting.remove(k);
      // Readable from LMDB once this cycle is committed: drop the overlay entry then, unless rewritten since.
      queueMicrotask(() => void (this.cycle ?? Promise.resolve()).then(() => {
        if (this.awaitingOverlay.get(kh)?.version === version) this.awaitingOverlay.delete(kh);
      }, () => undefined));
      return 1;
    });
    this.schedule();
  }

  trace(id: Uint8Array, event: TraceEvent): void {
    if (!this.isOpen) return;
    this.traceQueue.push({ id: new Uint8Array(id), event, key: traceKey(id, event.at, this.traceSeq++) });
    this.schedule();
  }

  // ---- expiry ---------------------------------------------------------------------------------------------------

  /**
   * One bounded sweep step: bundles whose lifetime is over lose their body (tombstone kept for `lattice trace`),
   * their inbox/awaiting rows and their pending outbox targets (-> expired); tombstones older than the retention
   * are purged with their outbox row and trace. Resolves with the number of expiry entries handled (durable).
   */
  sweep(): Promise<number> {
    this.need('sweep');
    return new Promise<number>((resolve, reject) => {
      this.ops.push(() => {
        try {
          const r = this.sweepStep();
          // Resolve after this cycle's flush: the next cycle promise covers it.
          queueMicrotask(() => void (this.cycle ?? Promise.resolve()).then(() => resolve(r.handled), reject));
          return r.puts;
        } catch (err) {
          reject(err);
          return 0;
        }
      });
      this.schedule();
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

  /** Called for each bundle that just expired (the router emits events and fixes metrics). */
  onExpired?: (id: Uint8Array, row: OutboxRow | undefined) => void;

  private sweepStep(): { handled: number; puts: number } {
    const now = this.now();
    const db = this.db;
    let puts = 0;
    let handled = 0;
    for (const { key, value } of db.expiry.getRange({ end: timeKey(now + 1), limit: this.opt.sweepBatch })) {
      handled++;
      const { id } = splitTimeIdKey(key);
      const idKey = Buffer.from(id);
      db.expiry.remove(key);
      puts++;
      if (value[0] === PHASE_TOMB) {
        db.expired.remove(idKey);
        const e = this.overlay.get(hex(id));
        const row = e?.row ?? db.outbox.get(idKey);
        if (isOutboxRow(row)) db.st[overallState(row)].remove(idKey);
        this.overlay.delete(hex(id));
        this.dirty.delete(hex(id));
        db.outbox.remove(idKey);
        for (const k of db.trace.getKeys({ start: idKey, end: prefixEnd(idKey) })) {
          db.trace.remove(k);
          puts++;
        }
        puts += 3;
        continue;
      }
      const raw = db.bundles.getBinary(idKey);
      if (!raw) continue;
      const row = decodeBundleRow(raw);
      db.bundles.remove(idKey);
      let recipient: Uint8Array | undefined;
      let tombBytes: Uint8Array = EMPTY;
      try {
        // Keep the header fields for `lattice trace`; drop the body (the space) and with it the text.
        const b = decodeBundle(row.bytes);
        if (b.recipient instanceof Uint8Array) recipient = b.recipient;
        tombBytes = encodeBundle({ ...b, body: new Uint8Array(0) });
      } catch {
        // An unreadable stored bundle still expires; its tombstone just has no header to show.
      }
      db.expired.put(idKey, encodeBundleRow({ ...row, bytes: tombBytes }));
      db.evictable.remove(timeIdKey(row.receivedAt, id));
      if (recipient) db.awaiting.remove(nodeIdKey(recipient, id));
      if (row.inbox) db.inbox.remove(timeIdKey(row.receivedAt, id));
      db.expiry.put(timeIdKey(row.expiresAt + this.opt.retentionMs, id), Buffer.of(PHASE_TOMB));
      puts += 4;
      const ob = this.outbox(id);
      if (ob) {
        const next: OutboxRow = {
          ...ob,
          targets: ob.targets.map((t) => (t.state === 'queued' || t.state === 'accepted' ? { ...t, state: 'expired' as const, at: now } : t)),
        };
        this.setOutbox(id, next);
        for (const t of ob.targets) if (t.state === 'accepted' && /^[0-9a-f]{64}$/.test(t.peer)) db.awaiting.remove(nodeIdKey(Buffer.from(t.peer, 'hex'), id));
        this.traceQueue.push({ id, event: { at: now, event: 'expired' }, key: traceKey(id, now, this.traceSeq++) });
      }
      this.onExpired?.(id, ob);
    }
    return { handled, puts };
  }
}
