/**
 * The vault's expiry sweep: one bounded step (sweepStep) and the timer that runs it (SweepTimer).
 *
 * A step walks the `expiry` index in time order up to now: a bundle whose time is over (its own lifetime, or
 * `vault.lifetimeDays` after it arrived) loses its body, keeping a tombstone for `lattice trace` and for catching late
 * copies, and its inbox/awaiting rows; its pending outbox targets become `expired`. A tombstone older than the
 * retention is purged with its outbox row and trace.
 *
 * The timer sleeps until the first key of the index is due (nothing is armed while the index is empty, so an idle
 * vault never wakes for it), is armed sooner when a new bundle expires earlier, and keeps at least `minGapMs`
 * (`sweepIntervalMs`) between two sweeps, so a backlog goes at one bounded step per gap.
 */
import type { Database } from 'lmdb';
import type { TraceEvent } from '../node/relay-node.js';
import { MAX_TIMER_MS, type CancelTimer, type TimerClock } from '../../lib/clock/timer-clock.js';
import { decodeBundleRow } from './bundle-row.js';
import { isOutboxRow, overallState, type OutboxRow } from './outbox.js';
import { entomb, PHASE_TOMB, unlistSent } from './tombstone.js';
import { nodeIdKey, prefixEnd, splitTimeIdKey, timeIdKey, timeKey } from './vault-keys.js';
import type { StepTables } from './vault-tables.js';

export interface SweepContext {
  tables: StepTables;
  now: number;
  retentionMs: number;
  /** A bundle's outbox row as the vault sees it (its in-memory changes first). */
  outbox(id: Uint8Array): OutboxRow | undefined;
  /** Replaces an outbox row (rides on the vault's next write cycle). */
  setOutbox(id: Uint8Array, row: OutboxRow): void;
  /** Forgets the in-memory changes of an outbox row being purged. */
  forget(id: Uint8Array): void;
  /** Queues a trace event with the cycle. */
  trace(id: Uint8Array, event: TraceEvent): void;
}

export interface SweepResult {
  /** Expiry entries handled. */
  handled: number;
  /** LMDB puts and removes issued. */
  puts: number;
  /** Bundles that expired in this step, with their outbox row before it (for the vault's `expired` event). */
  expired: Array<{ id: Uint8Array; outbox: OutboxRow | undefined }>;
}

/** The first time in the expiry index (the next sweep's due time), from what is committed. */
export function firstExpiry(expiry: Database<Buffer, Buffer>): number | undefined {
  for (const k of expiry.getKeys({ limit: 1 })) return splitTimeIdKey(k as Buffer).at;
  return undefined;
}

/** One step: at most `batch` expiry entries due by `ctx.now`. */
export function sweepStep(ctx: SweepContext, batch: number): SweepResult {
  const { now } = ctx;
  const db = ctx.tables;
  const out: SweepResult = { handled: 0, puts: 0, expired: [] };
  for (const { key, value } of db.expiry.getRange({ end: timeKey(now + 1), limit: batch })) {
    out.handled++;
    const { id } = splitTimeIdKey(key);
    const idKey = Buffer.from(id);
    db.expiry.remove(key);
    out.puts++;
    if (value[0] === PHASE_TOMB) {
      out.puts += unlistSent(db, id, db.expired.getBinary(idKey));
      db.expired.remove(idKey);
      const row = ctx.outbox(id);
      // The state index holds the state last written to LMDB, which the in-memory one may have moved past.
      const written = db.outbox.get(idKey);
      if (isOutboxRow(written)) db.st[overallState(written)].remove(idKey);
      if (isOutboxRow(row) && row !== written) db.st[overallState(row)].remove(idKey);
      ctx.forget(id);
      db.outbox.remove(idKey);
      for (const k of db.trace.getKeys({ start: idKey, end: prefixEnd(idKey) })) {
        db.trace.remove(k);
        out.puts++;
      }
      out.puts += 3;
      continue;
    }
    const raw = db.bundles.getBinary(idKey);
    if (!raw) continue;
    const row = decodeBundleRow(raw);
    // Keep the header fields for `lattice trace`; drop the body (the space) and with it the text.
    entomb(db, id, row, ctx.retentionMs);
    db.evictable.remove(timeIdKey(row.receivedAt, id));
    out.puts += 4;
    const ob = ctx.outbox(id);
    if (ob) {
      const next: OutboxRow = {
        ...ob,
        targets: ob.targets.map((t) => (t.state === 'queued' || t.state === 'accepted' ? { ...t, state: 'expired' as const, at: now } : t)),
      };
      ctx.setOutbox(id, next);
      for (const t of ob.targets) if (t.state === 'accepted' && /^[0-9a-f]{64}$/.test(t.peer)) db.awaiting.remove(nodeIdKey(Buffer.from(t.peer, 'hex'), id));
      ctx.trace(id, { at: now, event: 'expired' });
    }
    out.expired.push({ id, outbox: ob });
  }
  return out;
}

export interface SweepTimerOptions {
  timers: TimerClock;
  /** The vault's time (expiry keys are in it). */
  now: () => number;
  /** Least time between two sweeps (`sweepIntervalMs`). */
  minGapMs: number;
  /** Entries a sweep handles at most: a full one means more are due. */
  batch: number;
  /** Due time of the first expiry entry, as committed (undefined: the index is empty). */
  firstDue: () => number | undefined;
  /** Runs one sweep step; resolves with the entries handled once it is durable. */
  sweep: () => Promise<number>;
}

export class SweepTimer {
  private cancel?: CancelTimer;
  private armedAt = Infinity;
  private lastSweepAt = -Infinity;
  private running = false;
  private stopped = true;

  constructor(private readonly o: SweepTimerOptions) {}

  /** Arms the timer for the first entry of the index, if any. */
  start(): void {
    this.stopped = false;
    this.rearm();
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  /** When the next sweep fires (the vault's time), if one is armed. */
  get dueAt(): number | undefined {
    return this.cancel ? this.armedAt : undefined;
  }

  /** A bundle was stored that expires at `at`: sweep by then if nothing sooner is armed. */
  expiresAt(at: number): void {
    if (!this.running) this.arm(at);
  }

  private arm(at: number): void {
    if (this.stopped) return;
    const fireAt = Math.max(at, this.lastSweepAt + this.o.minGapMs);
    if (this.cancel && this.armedAt <= fireAt) return;
    this.disarm();
    this.armedAt = fireAt;
    // Node fires a timer longer than 2^31 − 1 ms at once: a far expiry wakes the timer once in ~25 days to re-arm.
    this.cancel = this.o.timers.setTimer(Math.min(MAX_TIMER_MS, Math.max(0, fireAt - this.o.now())), () => this.fire(), { unref: true });
  }

  private disarm(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.armedAt = Infinity;
  }

  private fire(): void {
    this.cancel = undefined;
    this.armedAt = Infinity;
    if (this.stopped) return;
    if ((this.o.firstDue() ?? Infinity) > this.o.now()) return this.rearm(); // woken early (a capped delay)
    this.running = true;
    this.lastSweepAt = this.o.now();
    this.o.sweep().then(
      (handled) => {
        this.running = false;
        if (handled >= this.o.batch) this.arm(this.o.now());
        else this.rearm();
      },
      () => {
        // The vault is closing, or the cycle failed (the vault retries its writes): try again after the gap.
        this.running = false;
        if (!this.stopped) this.arm(this.o.now());
      },
    );
  }

  private rearm(): void {
    const at = this.o.firstDue();
    if (at !== undefined) this.arm(at);
  }
}
