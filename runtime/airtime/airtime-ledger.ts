/**
 * AirtimeLedger: every transmission's start and duration per sub-band, over a rolling window (one hour for the ETSI
 * duty cycle), persisted through a LedgerStore so a restart does not reset the budget.
 *
 * Time is wall-clock (ms since the Unix epoch) because it must survive restarts. A Pi has no RTC: if the clock jumps
 * backwards, saved records lie "in the future"; they are pulled back to now and so count for a full window from
 * now (conservative and bounded). A forward jump can only release budget early, which no ledger can detect.
 */
import { LedgerCorruptError } from './errors.js';
import type { AirtimeRecord, LedgerSnapshot, LedgerStore } from './ledger-store.js';
import { DUTY_CYCLE_WINDOW_MS } from '../../lib/lora/regions.js';

export interface AirtimeLedgerInit {
  store?: LedgerStore;
  windowMs?: number;
  now?: () => number;
  /** Called when the store cannot load or save; the in-memory ledger keeps enforcing the budget meanwhile. */
  onStoreError?: (err: Error) => void;
}

export class AirtimeLedger {
  readonly windowMs: number;
  private readonly store?: LedgerStore;
  private readonly now: () => number;
  private readonly onStoreError: (err: Error) => void;
  private records: AirtimeRecord[] = [];
  private blackoutUntil = 0;
  private saving: Promise<void> = Promise.resolve();
  private started?: Promise<void>;

  constructor(init: AirtimeLedgerInit = {}) {
    this.store = init.store;
    this.windowMs = init.windowMs ?? DUTY_CYCLE_WINDOW_MS;
    this.now = init.now ?? Date.now;
    this.onStoreError = init.onStoreError ?? (() => undefined);
  }

  /** Loads the persisted records. A corrupt ledger blacks every sub-band out for one window (we cannot know what
   * the lost records used, and one window is the most they could have restricted). Idempotent: bearers sharing
   * one ledger may all call it. */
  start(): Promise<void> {
    this.started ??= this.load().catch((err: unknown) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  private async load(): Promise<void> {
    if (!this.store) return;
    const now = this.now();
    let snapshot: LedgerSnapshot | undefined;
    try {
      snapshot = await this.store.load();
    } catch (err) {
      this.onStoreError(err as Error);
      if (!(err instanceof LedgerCorruptError)) throw err;
      this.records = [];
      this.blackoutUntil = now + this.windowMs;
      await this.persist();
      return;
    }
    if (!snapshot) return;
    this.blackoutUntil = Math.min(snapshot.blackoutUntil ?? 0, now + this.windowMs);
    this.records = snapshot.records
      .map(([band, start, dur]): AirtimeRecord => [band, Math.min(start, now), dur])
      .sort((a, b) => a[1] - b[1]);
    this.prune(now);
  }

  /** Airtime used in the window ending at `at` (default now). */
  usedMs(subBand: string, at = this.now()): number {
    return this.usedBetween(subBand, at - this.windowMs, at);
  }

  /**
   * How long to wait before a `durationMs` transmission may start in `subBand` without the window that ends with it
   * holding more than `budgetMs`; 0 = now; Infinity when the frame alone exceeds the budget.
   * The window ending at the end of the new frame is the binding one: a window ending earlier holds less of the new
   * frame and at most as much more of the past.
   */
  waitMs(subBand: string, budgetMs: number, durationMs: number, at = this.now()): number {
    if (durationMs > budgetMs) return Number.POSITIVE_INFINITY;
    if (at < this.blackoutUntil) return this.blackoutUntil - at + this.waitMs(subBand, budgetMs, durationMs, this.blackoutUntil);
    const end = at + durationMs;
    const windowStart = end - this.windowMs;
    let excess = this.usedBetween(subBand, windowStart, end) + durationMs - budgetMs;
    if (excess <= 1e-9) return 0;
    // Slide the window start forward over past airtime until `excess` of it has left the window.
    for (const [band, start, dur] of this.records) {
      if (band !== subBand) continue;
      const from = Math.max(start, windowStart);
      const to = Math.min(start + dur, end);
      const overlap = to - from;
      if (overlap <= 0) continue;
      if (overlap >= excess) return from + excess + this.windowMs - durationMs - at;
      excess -= overlap;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Records a transmission (call before it goes on the air) and persists the ledger. */
  async record(subBand: string, startMs: number, durationMs: number): Promise<void> {
    const rec: AirtimeRecord = [subBand, startMs, durationMs];
    let i = this.records.length;
    while (i > 0 && this.records[i - 1]![1] > startMs) i--;
    this.records.splice(i, 0, rec);
    this.prune(this.now());
    await this.persist();
  }

  snapshot(): LedgerSnapshot {
    const snap: LedgerSnapshot = { version: 1, records: this.records.map((r) => [...r] as AirtimeRecord) };
    if (this.blackoutUntil > this.now()) snap.blackoutUntil = this.blackoutUntil;
    return snap;
  }

  /** Waits for pending saves (call from stop()). */
  async flush(): Promise<void> {
    await this.saving;
  }

  private usedBetween(subBand: string, from: number, to: number): number {
    let used = 0;
    for (const [band, start, dur] of this.records) {
      if (band !== subBand) continue;
      const overlap = Math.min(start + dur, to) - Math.max(start, from);
      if (overlap > 0) used += overlap;
    }
    return used;
  }

  private prune(now: number): void {
    const horizon = now - this.windowMs;
    let drop = 0;
    while (drop < this.records.length && this.records[drop]![1] + this.records[drop]![2] < horizon) drop++;
    if (drop > 0) this.records.splice(0, drop);
  }

  private persist(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    const run = this.saving.then(() => store.save(this.snapshot())).catch((err: Error) => this.onStoreError(err));
    this.saving = run;
    return run;
  }
}
