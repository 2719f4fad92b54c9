/**
 * CommitSchedule: when the vault's next write cycle starts (vault.ts runs it; fsync-budget.ts bounds the flushes).
 *
 *   - Someone waits for the flush (an ingest to acknowledge, a sweep, settle()): the cycle starts at the end of the
 *     current event turn, so everything queued in that turn shares it, if the budget has a flush to spare; else
 *     when it has one.
 *   - Only writes nobody waits for (outbox state changes, trace events, the awaiting index, eviction steps): they
 *     wait `backgroundMs` to gather company, and for a full budget, so they never take a flush that a bundle
 *     arriving next would need. A bundle that arrives meanwhile takes them along in its own cycle.
 *
 * One cycle runs at a time (the vault asks again when it ends), so "as soon as a write waits and the previous flush
 * has finished" is the rule whenever the budget allows. Waits are timers of the vault's clock.
 */
import type { CancelTimer, TimerClock } from '../../lib/clock/timer-clock.js';
import type { FsyncBudget } from './fsync-budget.js';

export interface CommitScheduleOptions {
  timers: TimerClock;
  budget: FsyncBudget;
  /** How long writes nobody waits for gather before a cycle of their own. */
  backgroundMs: number;
  /** Starts a write cycle now. */
  run: () => void;
}

export class CommitSchedule {
  private cancelTimer?: CancelTimer;
  private timerAt = Infinity;
  private immediate?: NodeJS.Immediate;
  /** When the oldest write nobody waits for was queued (undefined: none waits). */
  private backgroundSince?: number;

  constructor(private readonly o: CommitScheduleOptions) {}

  /**
   * Work is queued. `urgent`: someone waits for its flush. Starts a cycle at the end of this turn or arms the timer
   * for when one may start (sooner than one armed already).
   */
  want(urgent: boolean): void {
    const now = this.o.timers.now();
    this.backgroundSince ??= now;
    const wait = urgent
      ? this.o.budget.waitMs()
      : Math.max(this.backgroundSince + this.o.backgroundMs - now, this.o.budget.fullInMs());
    if (wait <= 0) {
      this.clearTimer();
      if (this.immediate) return;
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.o.run();
      });
      return;
    }
    if (this.immediate) return; // starts this turn anyway
    const at = now + wait;
    if (this.cancelTimer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.cancelTimer = this.o.timers.setTimer(wait, () => {
      this.cancelTimer = undefined;
      this.timerAt = Infinity;
      this.o.run();
    });
  }

  /** A cycle started and took everything queued so far. */
  started(): void {
    this.backgroundSince = undefined;
    this.clear();
  }

  /** Nothing is due (stopping, or nothing queued). */
  clear(): void {
    this.clearTimer();
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
  }

  private clearTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
  }
}
