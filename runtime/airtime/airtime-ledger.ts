/**
 * AirtimeLedger: every transmission's start and duration per sub-band, over a rolling window (one hour for the ETSI
 * duty cycle), persisted through a LedgerStore so a restart does not reset the budget.
 *
 * Fails closed. record() resolves only once the store saved the transmission; when the save fails it removes the
 * record and rejects with LedgerSaveError, and the governor does not let the frame go (a budget that is not on disk
 * would be granted again by the next restart: with the error swallowed, 3 restarts on a read-only card gave 1,077 s
 * on air in 18 min against 360 s/h).
 *
 * Time. Records are in wall-clock ms (ms since the Unix epoch) because they must survive restarts, but a Pi has no
 * RTC: it boots with a stale clock and NTP later steps it, by hours. So the ledger also reads the monotonic clock
 * (CLOCK_MONOTONIC, which no one steps) and keeps an anchor (wall, monotonic) updated at every use; the snapshot
 * saves it with the boot id. When the wall clock moved by more than the monotonic clock did (beyond
 * JUMP_TOLERANCE_MS + 500 ppm of slew), the wall clock jumped, and the ledger keeps the stricter of the two
 * accounts, record by record: each start becomes the later of its wall-clock start and its monotonic start (the wall
 * start shifted by the jump), but no record ends after now. A forward jump therefore shifts every record forward by
 * the jump (the records keep the age they really have: no second budget); a backward jump leaves them where they
 * were but pulls any now "in the future" back to end now (it counts whole for a window from now: stricter than its
 * real age). The same rule runs at load when the saved anchor is from this boot (a restart after the jump); from
 * another boot (a reboot, the monotonic clock restarted) the elapsed time is unknown and records from the future
 * are pulled back to end now.
 * Without a monotonic source (tests injecting `now` only) no jump is detected.
 */
import { readFileSync } from 'node:fs';
import { LedgerCorruptError, LedgerSaveError } from './errors.js';
import type { AirtimeRecord, LedgerSnapshot, LedgerStore } from './ledger-store.js';
import { DUTY_CYCLE_WINDOW_MS } from '../../lib/lora/regions.js';

/** A wall-clock step smaller than this is not a jump (NTP slews, timer jitter between two readings). */
export const JUMP_TOLERANCE_MS = 2000;
/** Slew allowed on top, per elapsed ms: adjtime slews at most 500 ppm. */
const SLEW_RATE = 0.0005;

/** Which records a query counts: a window other than the ledger's, one channel only (records without a channel
 * count for every channel). */
export interface LedgerQuery {
  windowMs?: number;
  frequencyHz?: number;
}

export interface AirtimeLedgerInit {
  store?: LedgerStore;
  windowMs?: number;
  now?: () => number;
  /** Called when the store cannot load or save (a failed save also rejects record(): nothing is sent). */
  onStoreError?: (err: Error) => void;
  /** Monotonic ms (CLOCK_MONOTONIC). Default: process.hrtime when `now` is not injected, else none (no jump
   * detection). */
  monotonicNow?: () => number;
  /** Boot id the monotonic clock belongs to (default: Linux /proc/sys/kernel/random/boot_id). */
  bootId?: string;
  /** Called when the wall clock jumped by `jumpMs` (positive: forward) against the monotonic clock. */
  onClockJump?: (jumpMs: number) => void;
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
  private users = 0;
  private readonly mono?: () => number;
  private readonly bootId?: string;
  private readonly onClockJump: (jumpMs: number) => void;
  private anchor?: { wall: number; mono: number };
  /** Wall-clock jumps detected (and corrected for) since construction. */
  clockJumps = 0;

  constructor(init: AirtimeLedgerInit = {}) {
    this.store = init.store;
    this.windowMs = init.windowMs ?? DUTY_CYCLE_WINDOW_MS;
    this.now = init.now ?? Date.now;
    this.onStoreError = init.onStoreError ?? (() => undefined);
    this.mono = init.monotonicNow ?? (init.now ? undefined : hrtimeMs);
    this.bootId = init.bootId ?? (this.mono ? linuxBootId() : undefined);
    this.onClockJump = init.onClockJump ?? (() => undefined);
  }

  /** Loads the persisted records. A corrupt ledger blacks every sub-band out for one window (we cannot know what
   * the lost records used, and one window is the most they could have restricted). Bearers sharing one ledger each
   * call it (and stop()): the store is loaded once and closed (its lock released) when the last user stopped. */
  async start(): Promise<void> {
    this.started ??= this.load().catch(async (err: unknown) => {
      this.started = undefined;
      await this.store?.close?.();
      throw err;
    });
    await this.started;
    this.users++;
  }

  /** Waits for pending saves; the last user's stop closes the store (releases its writer lock). */
  async stop(): Promise<void> {
    await this.flush();
    if (this.users === 0 || --this.users > 0) return;
    this.started = undefined;
    await this.store?.close?.();
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
      // A save that fails here was reported; every record() will fail closed as well.
      await this.persist().catch(() => undefined);
      return;
    }
    if (!snapshot) return;
    this.blackoutUntil = Math.min(snapshot.blackoutUntil ?? 0, now + this.windowMs);
    this.records = snapshot.records
      .map((r): AirtimeRecord => {
        const copy = [...r] as AirtimeRecord;
        copy[1] = Math.min(r[1], now - r[2]);
        return copy;
      })
      .sort((a, b) => a[1] - b[1]);
    // Saved in this boot: the wall clock may have jumped between that save and now (a restart after an NTP step).
    const saved = snapshot.clock;
    if (saved && this.mono && this.bootId !== undefined && saved.bootId === this.bootId) {
      this.anchor = { wall: saved.wallMs, mono: saved.monoMs };
      this.sync();
    }
    this.prune(now);
  }

  /**
   * Reads the wall clock, compares it with the monotonic clock since the last reading and corrects the records for
   * a jump (see the file comment). Returns the wall-clock now.
   */
  private sync(): number {
    const wall = this.now();
    if (!this.mono) return wall;
    const mono = this.mono();
    const a = this.anchor;
    this.anchor = { wall, mono };
    if (!a) return wall;
    const elapsed = mono - a.mono;
    const jump = wall - (a.wall + elapsed);
    if (Math.abs(jump) <= JUMP_TOLERANCE_MS + SLEW_RATE * Math.abs(elapsed)) return wall;
    // Each start becomes the later of its wall start and its monotonic start (wall start + jump); no record ends after
    // now (it was booked before its frame went out, so the frame is over by now or at worst on the air).
    const shift = Math.max(0, jump);
    for (const r of this.records) r[1] = Math.min(r[1] + shift, wall - r[2]);
    this.records.sort((x, y) => x[1] - y[1]);
    if (this.blackoutUntil > 0) this.blackoutUntil += shift;
    this.clockJumps++;
    this.onClockJump(jump);
    this.prune(wall);
    // Best effort: the next record() saves (or fails closed) anyway.
    void this.persist().catch(() => undefined);
    return wall;
  }

  /** Airtime used in the window ending at `at` (default now). */
  usedMs(subBand: string, at?: number, query: LedgerQuery = {}): number {
    const now = this.sync();
    const end = at ?? now;
    return this.usedBetween(subBand, end - (query.windowMs ?? this.windowMs), end, query.frequencyHz);
  }

  /**
   * How long to wait before a `durationMs` transmission may start in `subBand` without the window that ends with it
   * holding more than `budgetMs`; 0 = now; Infinity when the frame alone exceeds the budget.
   * The window ending at the end of the new frame is the binding one: a window ending earlier holds less of the new
   * frame and at most as much more of the past.
   */
  waitMs(subBand: string, budgetMs: number, durationMs: number, at?: number, query: LedgerQuery = {}): number {
    const now = this.sync();
    return this.waitAt(subBand, budgetMs, durationMs, at ?? now, query.windowMs ?? this.windowMs, query.frequencyHz);
  }

  private waitAt(subBand: string, budgetMs: number, durationMs: number, at: number, windowMs: number, frequencyHz?: number): number {
    if (durationMs > budgetMs) return Number.POSITIVE_INFINITY;
    if (at < this.blackoutUntil) return this.blackoutUntil - at + this.waitAt(subBand, budgetMs, durationMs, this.blackoutUntil, windowMs, frequencyHz);
    const end = at + durationMs;
    const windowStart = end - windowMs;
    let excess = this.usedBetween(subBand, windowStart, end, frequencyHz) + durationMs - budgetMs;
    if (excess <= 1e-9) return 0;
    // Slide the window start forward over past airtime until `excess` of it has left the window.
    for (const r of this.records) {
      if (!counts(r, subBand, frequencyHz)) continue;
      const [, start, dur] = r;
      const from = Math.max(start, windowStart);
      const to = Math.min(start + dur, end);
      const overlap = to - from;
      if (overlap <= 0) continue;
      if (overlap >= excess) return from + excess + windowMs - durationMs - at;
      excess -= overlap;
    }
    return Number.POSITIVE_INFINITY;
  }

  /**
   * Records a transmission (call before it goes on the air) and resolves once it is saved. When the save fails the
   * record is taken back and this rejects with LedgerSaveError: the frame must not be sent.
   */
  async record(subBand: string, startMs: number, durationMs: number, frequencyHz?: number): Promise<void> {
    const now = this.sync();
    const rec: AirtimeRecord = frequencyHz === undefined ? [subBand, startMs, durationMs] : [subBand, startMs, durationMs, frequencyHz];
    let i = this.records.length;
    while (i > 0 && this.records[i - 1]![1] > startMs) i--;
    this.records.splice(i, 0, rec);
    this.prune(now);
    try {
      await this.persist();
    } catch (err) {
      const at = this.records.indexOf(rec);
      if (at >= 0) this.records.splice(at, 1);
      throw new LedgerSaveError(subBand, durationMs, { cause: err });
    }
  }

  snapshot(): LedgerSnapshot {
    const snap: LedgerSnapshot = { version: 1, records: this.records.map((r) => [...r] as AirtimeRecord) };
    if (this.blackoutUntil > this.now()) snap.blackoutUntil = this.blackoutUntil;
    if (this.anchor && this.bootId !== undefined) snap.clock = { wallMs: this.anchor.wall, monoMs: this.anchor.mono, bootId: this.bootId };
    return snap;
  }

  /** Waits for pending saves (call from stop()). */
  async flush(): Promise<void> {
    await this.saving;
  }

  private usedBetween(subBand: string, from: number, to: number, frequencyHz?: number): number {
    let used = 0;
    for (const r of this.records) {
      if (!counts(r, subBand, frequencyHz)) continue;
      const [, start, dur] = r;
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

  /** Saves the snapshot after the saves already queued; rejects when this save fails (reported to onStoreError). */
  private persist(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    const run = this.saving.then(() => store.save(this.snapshot()));
    this.saving = run.catch(() => undefined);
    return run.catch((err: Error) => {
      this.onStoreError(err);
      throw err;
    });
  }
}

function counts(r: AirtimeRecord, subBand: string, frequencyHz: number | undefined): boolean {
  return r[0] === subBand && (frequencyHz === undefined || r[3] === undefined || r[3] === frequencyHz);
}

function hrtimeMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function linuxBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
