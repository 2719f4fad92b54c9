/**
 * FsyncBudget: when the vault may start its next flush (one write cycle ends in at most one fsync of the data file,
 * vault.ts), as a token bucket, the way databases bound their group commit.
 *
 * The bucket holds `burst` tokens and refills at `perSecond − burst` tokens a second, so that no second ever holds
 * more than `perSecond` flushes, a burst included (≤ 10 fsyncs/s by default, to spare SD cards). A relay that was
 * quiet flushes its next `burst` cycles back to back, each as soon as the one before it finished (a bundle is then
 * acknowledged in about one fsync); only once the bucket is empty do writes wait, and then everything that arrived
 * meanwhile shares the next cycle (batching when, and only when, the budget is spent). Under sustained load cycles
 * start every 1 / (perSecond − burst) s.
 *
 * Time comes from the vault's clock; a clock that steps back refills nothing for the step and carries on from there.
 */
export interface FsyncBudgetOptions {
  /** Most flushes in any one second. Infinity: no budget (tests). */
  perSecond: number;
  /** Flushes that may follow each other without waiting, out of `perSecond`. */
  burst: number;
  now: () => number;
}

export class FsyncBudget {
  private readonly burst: number;
  /** Tokens per millisecond. */
  private readonly refill: number;
  private readonly unlimited: boolean;
  private tokens: number;
  private at: number;

  constructor(private readonly o: FsyncBudgetOptions) {
    this.unlimited = o.perSecond === Infinity;
    if (!this.unlimited) {
      if (!(Number.isInteger(o.burst) && o.burst >= 1)) throw new RangeError(`fsync burst must be a whole number ≥ 1, not ${o.burst}`);
      if (!(o.perSecond > o.burst)) throw new RangeError(`fsyncs per second (${o.perSecond}) must exceed the burst (${o.burst})`);
    }
    this.burst = this.unlimited ? 1 : o.burst;
    this.refill = this.unlimited ? 0 : (o.perSecond - o.burst) / 1000;
    this.tokens = this.burst;
    this.at = o.now();
  }

  /** Milliseconds until a flush may start (0: now). */
  waitMs(): number {
    return this.untilTokens(1);
  }

  /** Milliseconds until the bucket is full again: writes nobody waits for take a token only then, so they never
   * spend the burst a bundle arriving next would need. */
  fullInMs(): number {
    return this.untilTokens(this.burst);
  }

  /** A flush started. */
  take(): void {
    if (this.unlimited) return;
    this.update();
    this.tokens -= 1;
  }

  private untilTokens(n: number): number {
    if (this.unlimited) return 0;
    this.update();
    // A little under one token's worth of rounding must not leave a timer that fires just too early.
    const missing = n - this.tokens;
    return missing <= 1e-9 ? 0 : Math.ceil(missing / this.refill);
  }

  private update(): void {
    const now = this.o.now();
    const elapsed = Math.max(0, now - this.at);
    this.at = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.refill);
  }
}
