/**
 * VaultWriter: the write side of the vault. Everything to write is queued in memory (ingests, outbox state changes,
 * awaiting-index changes, trace events, sweep and eviction steps) and written by write cycles, one at a time: a
 * cycle takes everything queued (at most `maxCycleBundles` new bundles), writes it as one LMDB transaction, and
 * waits for its flush (`flushedOrFailed(root)`: with lmdb-js's default overlappingSync a write promise resolves at
 * commit, before the fsync), one fdatasync. When the next cycle starts is commit-schedule.ts's decision, within
 * fsync-budget.ts's budget.
 *
 * Durability, step by step: an ingest resolves only once its cycle is flushed, because the router acknowledges the
 * bundle to its sender then (custody moves here). Outbox, awaiting and trace writes are not awaited: reads see them
 * at once through the in-memory overlays, and a crash loses at most the last moments of them (a target not marked
 * delivered is sent again and deduplicated there; a lost awaiting row waits for the next blooms). A cycle that has
 * nothing to write ends without a flush and is not counted.
 *
 * A write cycle that fails (disk full, I/O error) loses nothing acknowledged: its ingests are refused, its outbox
 * changes stay in memory and are written by a later cycle, its trace events are kept (up to TRACE_BACKLOG), and new
 * bundles are refused until a retry (growing delay, storage/room-watch.ts) commits again (storage/lmdb-commit.ts
 * says why every write promise is observed).
 */
import type { RootDatabase } from 'lmdb';
import type { TraceEvent } from '../node/relay-node.js';
import type { TimerClock } from '../../lib/clock/timer-clock.js';
import { writeIngestRows, type IngestRecord } from './ingest-rows.js';
import { OutboxOverlay, type OverlayWrite } from './outbox-overlay.js';
import { CommitSchedule } from './commit-schedule.js';
import { StoreFullError, VaultWriteError } from './errors.js';
import { FsyncBudget } from './fsync-budget.js';
import { isOutboxRow, type OutboxRow } from './outbox.js';
import type { RecentIds } from './recent-ids.js';
import type { VaultBudget } from './vault-budget.js';
import { evictStep } from './vault-evict.js';
import { hex, traceKey } from './vault-keys.js';
import type { VaultTables } from './vault-tables.js';
import { flushedOrFailed, type WriteOutcome } from '../storage/lmdb-commit.js';
import { isDiskFullError, type WriteTarget } from '../storage/disk-full.js';
import { retryWhenRoom } from '../storage/room-watch.js';

export type IngestResult = 'stored' | 'duplicate';

/** A write that rides on the next cycle. */
export interface WriteOp {
  /** Issues its writes; returns how many (transaction sizing; 0: it wrote nothing). */
  write(): number;
  /** Made afresh rather than queued again when its cycle fails (eviction steps, write probes). */
  once?: boolean;
  /** Someone waits for its flush: its cycle does not wait for company. */
  urgent?: boolean;
  /** Called once its cycle is durable, or with the error when it failed. */
  done?(err?: unknown): void;
}

/** A trace event waiting for a write cycle; its key is fixed when queued so reads can tell it apart. */
export interface PendingTrace {
  id: Uint8Array;
  event: TraceEvent;
  key: Buffer;
}

interface PendingIngest {
  rec: IngestRecord;
  idHex: string;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
  /** Settles with resolve/reject: a second copy arriving meanwhile waits on it (see whenDurable). */
  done: Promise<IngestResult>;
  /** Its share of the byte budget's pending bytes. */
  cost: number;
}


export interface VaultWriterOptions {
  root: RootDatabase;
  tables: VaultTables;
  recent: RecentIds;
  budget: VaultBudget;
  /** The vault's time (receive times, expiry). */
  now: () => number;
  /** Timers and the time the fsync budget runs on. */
  timers: TimerClock;
  writeTarget: WriteTarget;
  retentionMs: number;
  maxCycleBundles: number;
  /** How long writes nobody waits for gather before a cycle of their own (`groupCommitMs`). */
  backgroundMs: number;
  fsyncsPerSecond: number;
  fsyncBurst: number;
  /** When a stored row leaves (its live expiry entry). */
  keepUntil(row: { receivedAt: number; expiresAt: number }): number;
  /** A cycle was flushed (one fsync at most). */
  flushed(): void;
  /** After a committed cycle: LMDB is read again (pages in use), and the earliest expiry it stored. */
  committed(info: { earliestExpiry: number }): void;
}

/** Trace events kept in memory while the vault cannot write; beyond this the oldest are dropped (and counted). */
const TRACE_BACKLOG = 20_000;
/** Size of the write that tests, after a failed cycle, whether the disk takes writes again. */
const PROBE_BYTES = 256 * 1024;
/** Rows an eviction step touches per stage. */
const EVICT_BATCH = 64;

export class VaultWriter {
  private readonly db: VaultTables;
  private readonly schedule: CommitSchedule;
  private readonly fsyncBudget: FsyncBudget;
  private ingests: PendingIngest[] = [];
  private readonly inflight = new Map<string, PendingIngest>();
  private ops: WriteOp[] = [];
  /** Queued ops someone waits for. */
  private urgentOps = 0;
  private readonly overlay: OutboxOverlay;
  /** Awaiting-index writes not yet committed (key hex -> state, null: removed); reads see them at once. */
  private readonly awaitingOverlay = new Map<string, { key: Buffer; state: Buffer | null; version: number }>();
  private traceQueue: PendingTrace[] = [];
  private traceWriting: PendingTrace[] = [];
  private traceSeq = Math.floor(Math.random() * 0xffffffff);
  private cycle?: Promise<void>;
  private version = 0;
  private closing = false;
  /** Callers of settle() waiting for everything queued to be durable. */
  private settling: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  /** Write promises of the cycle running now (one per LMDB transaction, plus conditional writes). */
  private cycleWrites: Promise<WriteOutcome>[] = [];
  /** Set while a retry after a failed write cycle is pending (storage/room-watch.ts). */
  private retryCancel?: () => void;
  private evictCursor?: Buffer;
  private evictQueued = false;

  constructor(private readonly o: VaultWriterOptions) {
    this.db = o.tables;
    this.overlay = new OutboxOverlay(o.tables);
    this.fsyncBudget = new FsyncBudget({ perSecond: o.fsyncsPerSecond, burst: o.fsyncBurst, now: () => o.timers.now() });
    this.schedule = new CommitSchedule({
      timers: o.timers,
      budget: this.fsyncBudget,
      backgroundMs: o.backgroundMs,
      run: () => void this.runCycleNow().catch(() => undefined), // a failure is handled in failedCycle()
    });
  }

  /** Every write promise of the vault's tables reports here (lmdb-commit.ts guardWrites). */
  observe(outcome: Promise<WriteOutcome>): void {
    this.cycleWrites.push(outcome);
  }

  // ---- what reads need to see before it is written ----------------------------------------------------------

  /** True while a copy of this id is on its way to disk. */
  isInflight(id: Uint8Array): boolean {
    // The duplicate path asks this for every flood echo: no hex string unless something is in flight.
    return this.inflight.size > 0 && this.inflight.has(hex(id));
  }

  /** Resolves once the copy of this id on its way to disk is durable (at once when none is). */
  whenDurable(id: Uint8Array): Promise<void> {
    const p = this.inflight.size > 0 ? this.inflight.get(hex(id)) : undefined;
    return p ? p.done.then(() => undefined) : Promise.resolve();
  }

  /** The outbox row as changed in memory, not yet committed. */
  outboxChange(idHex: string): OutboxRow | undefined {
    return this.overlay.get(idHex);
  }

  /** Outbox rows changed in memory and not yet committed. */
  outboxChanges(): Iterable<{ idHex: string; id: Uint8Array; row: OutboxRow }> {
    return this.overlay.rows();
  }

  /** Awaiting-index changes not yet committed (key hex -> state, null: removed). */
  awaitingChanges(): ReadonlyMap<string, { key: Buffer; state: Buffer | null }> {
    return this.awaitingOverlay;
  }

  /** Trace events not yet committed (being written, then queued). */
  unwrittenTraces(): PendingTrace[] {
    return this.traceWriting.length === 0 ? this.traceQueue : [...this.traceWriting, ...this.traceQueue];
  }

  // ---- queueing ---------------------------------------------------------------------------------------------

  /** Queues a new bundle (see Vault.ingest). */
  ingest(rec: IngestRecord, idHex: string): Promise<IngestResult> {
    const first = this.inflight.get(idHex);
    if (first) return first.done.then(() => 'duplicate');
    let cost: number;
    try {
      cost = this.o.budget.admit(rec.bytes.length);
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
    this.o.recent.add(rec.id);
    this.ingests.push(p);
    this.wake();
    return done;
  }

  setOutbox(id: Uint8Array, row: OutboxRow): void {
    this.overlay.set(id, row);
    this.wake();
  }

  /** Drops the in-memory change of an outbox row that is being purged. */
  forgetOutbox(id: Uint8Array): void {
    this.overlay.forget(id);
  }

  writeAwaiting(k: Buffer, state: Buffer | null): void {
    const kh = hex(k);
    const version = ++this.version;
    this.awaitingOverlay.set(kh, { key: k, state, version });
    this.queue({
      write: () => {
        if (state) this.db.awaiting.put(k, state);
        else this.db.awaiting.remove(k);
        return 1;
      },
      // Readable from LMDB once committed: drop the overlay entry then, unless rewritten since.
      done: (err) => {
        if (!err && this.awaitingOverlay.get(kh)?.version === version) this.awaitingOverlay.delete(kh);
      },
    });
  }

  trace(id: Uint8Array, event: TraceEvent): void {
    this.traceQueue.push({ id: new Uint8Array(id), event, key: traceKey(id, event.at, this.traceSeq++) });
    this.wake();
  }

  queue(op: WriteOp): void {
    this.ops.push(op);
    if (op.urgent) this.urgentOps++;
    this.wake();
  }

  /** Resolves once everything queued so far is written and flushed (within the fsync budget). */
  settle(): Promise<void> {
    if (!this.cycle && !this.hasWork()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.settling.push({ resolve, reject });
      this.wake();
    });
  }

  /** Writes everything still queued now, ignoring the budget (shutdown), and stops scheduling. */
  async close(): Promise<void> {
    this.closing = true;
    this.schedule.clear();
    this.retryCancel?.();
    this.retryCancel = undefined;
    while (this.cycle || this.hasWork()) {
      try {
        if (this.cycle) await this.cycle;
        else await this.runCycleNow();
      } catch {
        // The disk is full (or failing): acknowledged bundles are on disk already; outbox state changes and trace
        // events still in memory are lost (a target not marked delivered is sent again, and deduplicated there).
        break;
      }
    }
    this.schedule.clear();
    const err = new VaultWriteError('close: the vault closed before these writes were flushed');
    for (const w of this.settling.splice(0)) w.reject(err);
  }

  // ---- cycles -----------------------------------------------------------------------------------------------

  private hasWork(): boolean {
    return this.ingests.length > 0 || this.ops.length > 0 || this.overlay.pending || this.traceQueue.length > 0;
  }

  private wake(): void {
    // One cycle at a time (the next is planned when it ends); after a failed cycle only the retry writes; while
    // closing, close() writes what is left.
    if (this.cycle || this.retryCancel || this.closing) return;
    if (!this.hasWork()) {
      this.schedule.clear();
      return;
    }
    this.schedule.want(this.ingests.length > 0 || this.urgentOps > 0 || this.settling.length > 0);
  }

  /** After a failed cycle: try again (what is queued, or a probe write) once `ms` passed. */
  private retryWrites(ms: number): void {
    if (this.retryCancel || this.closing) return;
    this.retryCancel = retryWhenRoom(this.o.writeTarget, ms, () => {
      if (this.closing) return;
      // The probe takes room as a cycle of ingests would (a tiny write fits in pages the file already has free),
      // and gives it back in the next cycle.
      this.ops.push({
        once: true,
        write: () => {
          this.db.meta.put('write-probe', Buffer.alloc(PROBE_BYTES));
          this.ops.push({ write: () => (this.db.meta.remove('write-probe'), 1) });
          return 1;
        },
      });
      // Cleared only now, so that nothing else starts a cycle in between.
      this.retryCancel = undefined;
      void this.runCycleNow().catch(() => undefined);
    });
  }

  private runCycleNow(): Promise<void> {
    if (this.cycle) return this.cycle;
    this.schedule.started();
    const cycle: Promise<void> = this.runCycle().finally(() => {
      if (this.cycle === cycle) this.cycle = undefined;
      this.afterCycle();
    });
    this.cycle = cycle;
    cycle.catch(() => undefined); // failedCycle() handled it; awaiting callers still see the error
    return cycle;
  }

  /** A cycle ended (it was cleared before its waiters heard of it, so they find the writer ready for more). */
  private afterCycle(): void {
    if (!this.cycle && !this.hasWork()) for (const w of this.settling.splice(0)) w.resolve();
    this.wake();
  }

  private async runCycle(): Promise<void> {
    const root = this.o.root;
    const batch = this.ingests.splice(0, this.o.maxCycleBundles);
    const ops = this.ops;
    this.ops = [];
    for (const op of ops) if (op.urgent) this.urgentOps--;
    const results: Promise<boolean>[] = [];
    this.cycleWrites = [];
    // One cycle is one LMDB transaction (lmdb-js commits one event turn's writes together, so the whole cycle is
    // written in this turn, without yielding): with the overlapping sync one transaction costs one fdatasync, where
    // a cycle spread over several turns cost one per transaction (strace: 37 fdatasync for 4 cycles at full load).
    // maxCycleBundles bounds what one transaction holds.
    let wrote = 0;
    let earliestExpiry = Infinity;
    let outbox: OverlayWrite = { ids: new Set(), written: [] };
    let traces: PendingTrace[] = [];
    let outcomes: PromiseSettledResult<boolean>[];
    try {
      for (const p of batch) {
        const key = Buffer.from(p.rec.id.buffer, p.rec.id.byteOffset, p.rec.id.byteLength);
        // A tombstone (expired, or evicted after delivery) still knows the id: a late copy is a duplicate.
        if (this.db.expired.doesExist(key)) results.push(Promise.resolve(false));
        else {
          results.push(this.db.bundles.ifNoExists(key, () => { wrote += writeIngestRows(this.db, p.rec, this.o.keepUntil(p.rec)); }));
          earliestExpiry = Math.min(earliestExpiry, this.o.keepUntil(p.rec));
        }
      }
      for (const op of ops) wrote += op.write();
      outbox = this.overlay.take();
      wrote += this.overlay.write(outbox);
      traces = this.traceWriting = this.traceQueue;
      this.traceQueue = [];
      for (const t of traces) this.db.trace.put(t.key, t.event);
      wrote += traces.length;
      outcomes = await Promise.allSettled(results);
      // The turn's commit promise is observed at the end of that turn (guardWrites): let it be.
      await new Promise<void>((r) => setImmediate(r));
      // Every write of the cycle settled; any failure fails the whole cycle.
      for (const w of await Promise.all(this.cycleWrites)) if (w) throw w.cause;
      // Nothing written (a sweep that found nothing due, ops that were no-ops): no flush to wait for, none counted.
      if (wrote > 0) {
        this.fsyncBudget.take();
        await flushedOrFailed(root);
        this.o.flushed();
      }
    } catch (err) {
      this.cycle = undefined;
      throw this.failedCycle(err, batch, ops, outbox, traces);
    }
    this.overlay.flushed(outbox);
    this.traceWriting = [];
    // Cleared before anyone hears of the flush, so a caller that writes again at once finds the writer ready.
    this.cycle = undefined;
    batch.forEach((p, i) => {
      this.inflight.delete(p.idHex);
      this.o.budget.written(p.cost);
      const o = outcomes[i]!;
      if (o.status === 'rejected') p.reject(o.reason);
      else p.resolve(o.value ? 'stored' : 'duplicate');
    });
    for (const op of ops) op.done?.();
    if (wrote > 0) this.committedCycle(batch.length > 0, earliestExpiry);
    this.afterCycle();
  }

  /**
   * A write cycle failed (its transaction commits all or nothing, but whether it reached the disk before a failed
   * flush is not known): its ingests are refused (none was acknowledged), its outbox changes stay in memory for a
   * later cycle, its other writes are queued again (their waiters told), its trace events too (up to
   * TRACE_BACKLOG), and the vault retries with a growing delay.
   */
  private failedCycle(err: unknown, batch: PendingIngest[], ops: WriteOp[], outbox: OverlayWrite, traces: PendingTrace[]): Error {
    const budget = this.o.budget;
    const full = isDiskFullError(err, this.o.writeTarget);
    const error = full
      ? new StoreFullError('disk', budget.usedBytes, budget.maxBytes, { cause: err })
      : new VaultWriteError('write cycle', { cause: err });
    for (const p of batch) {
      this.inflight.delete(p.idHex);
      budget.written(p.cost);
      p.reject(error);
    }
    this.overlay.failed(outbox);
    // Written again by a later cycle (their `done` called again then); whoever waited for them is told of this
    // failure now and waits no longer.
    for (const op of ops) op.done?.(error);
    this.ops = [...ops.filter((op) => !op.once).map((op) => ({ ...op, urgent: false })), ...this.ops];
    this.evictQueued = false;
    const backlog = traces.concat(this.traceQueue);
    const over = backlog.length - TRACE_BACKLOG;
    if (over > 0) {
      backlog.splice(0, over);
      budget.traceDropped?.inc(over);
    }
    this.traceQueue = backlog;
    this.traceWriting = [];
    for (const w of this.settling.splice(0)) w.reject(error);
    this.retryWrites(budget.failed(full ? 'disk' : 'io', err));
    return error;
  }

  /** After a committed cycle: the budget learns the pages in use, and an eviction step is queued when over it. */
  private committedCycle(tookBundles: boolean, earliestExpiry: number): void {
    const budget = this.o.budget;
    budget.succeeded(tookBundles);
    this.o.committed({ earliestExpiry });
    const want = budget.evictWanted();
    if (want <= 0 || this.evictQueued || this.closing) return;
    this.evictQueued = true;
    this.queue({
      once: true,
      write: () => {
        this.evictQueued = false;
        const r = evictStep({
          tables: this.db,
          now: this.o.now(),
          retentionMs: this.o.retentionMs,
          keepUntil: (row) => this.o.keepUntil(row),
          outbox: (id) => this.overlay.get(hex(id)) ?? this.writtenOutbox(id),
          forget: (id) => this.forgetOutbox(id),
        }, want, EVICT_BATCH, this.evictCursor);
        this.evictCursor = r.cursor;
        budget.evicted(r.delivered, r.expired);
        return r.puts;
      },
    });
  }

  private writtenOutbox(id: Uint8Array): OutboxRow | undefined {
    const row = this.db.outbox.get(Buffer.from(id.buffer, id.byteOffset, id.byteLength));
    return isOutboxRow(row) ? row : undefined;
  }
}
