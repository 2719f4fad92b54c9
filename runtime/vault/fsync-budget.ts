/**
 * FsyncBudget: when the vault may start its next flush (a write cycle is one LMDB transaction and ends in one
 * fdatasync, vault-writer.ts), the way databases bound their group commit: a token bucket of fsyncs.
 *
 * The bucket holds `burst` tokens and refills at `perSecond` a second; on top of it no more than `perSecond` flushes
 * ever start within 1000 ms (a sliding window), so the burst a quiet relay may spend never lifts a second above the
 * budget (≤ 10 fsyncs/s by default, to spare SD cards). A relay that was quiet flushes its next `burst` cycles back
 * to back, each as soon as the one before it finished (a bundle is then acknowledged in about one fsync); only once
 * the bucket is empty do writes wait, and then everything that arrived meanwhile shares the next cycle (batching
 * when, and only when, the budget is spent). Under sustained load cycles start `perSecond` times a second, so a
 * client that sends again as soon as it is acknowledged still gets `perSecond` sends a second.
 *
 * Time comes from the vault's clock; a clock that steps back refills nothing for the step and carries on from there.
 */
export interface FsyncBudgetOptions {
  /** Most flushes in any one second. Infinity: no budget (tests). */
  perSecond: number;
  /** Flushes that may follow each other without waiting (at most `perSecond`). */
  burst: number;
  now: () => number;
}

const WINDOW_MS = 1000;

export class FsyncBudget {
  private readonly burst: number;
  /** Tokens per millisecond. */
  private readonly refill: number;
  private readonly unlimited: boolean;
  /** Start times of the last `perSecond` flushes, oldest first. */
  private readonly starts: number[] = [];
  private readonly windowSize: number;
  private tokens: number;
  private at: number;

  constructor(private readonly o: FsyncBudgetOptions) {
    this.unlimited = o.perSecond === Infinity;
    if (!this.unlimited) {
      if (!(Number.isInteger(o.perSecond) && o.perSecond >= 1)) throw new RangeError(`fsyncs per second must be a whole number ≥ 1, not ${o.perSecond}`);
      if (!(Number.isInteger(o.burst) && o.burst >= 1 && o.burst <= o.perSecond)) throw new RangeError(`fsync burst must be a whole number from 1 to ${o.perSecond}, not ${o.burst}`);
    }
    this.burst = this.unlimited ? 1 : o.burst;
    this.refill = this.unlimited ? 0 : o.perSecond / WINDOW_MS;
    this.windowSize = this.unlimited ? 0 : o.perSecond;
    this.tokens = this.burst;
    this.at = o.now();
  }

  /** Milliseconds until a flush may start (0: now). */
  waitMs(): number {
    return Math.max(this.untilTokens(1), this.untilWindow());
  }

  /** Milliseconds until the bucket is full again: writes nobody waits for take a token only then, so they never
   * spend the burst a bundle arriving next would need. */
  fullInMs(): number {
    return Math.max(this.untilTokens(this.burst), this.untilWindow());
  }

  /** A flush started. */
  take(): void {
    if (this.unlimited) return;
    this.update();
    this.tokens -= 1;
    this.starts.push(this.at);
    if (this.starts.length > this.windowSize) this.starts.shift();
  }

  private untilTokens(n: number): number {
    if (this.unlimited) return 0;
    this.update();
    // A little under one token's worth of rounding must not leave a timer that fires just too early.
    const missing = n - this.tokens;
    return missing <= 1e-9 ? 0 : Math.ceil(missing / this.refill);
  }

  /** Until the oldest of the last `perSecond` flushes is a second old. */
  private untilWindow(): number {
    if (this.unlimited) return 0;
    this.update();
    if (this.starts.length < this.windowSize) return 0;
    return Math.max(0, this.starts[0]! + WINDOW_MS - this.o.now());
  }

  private update(): void {
    const now = this.o.now();
    // Stepped back: flush times from "the future" would hold the window shut for the whole step.
    if (now < this.at) this.starts.length = 0;
    const elapsed = Math.max(0, now - this.at);
    this.at = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.refill);
  }
}
