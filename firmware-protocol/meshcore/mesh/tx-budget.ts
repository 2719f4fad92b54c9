/**
 * The airtime budget, as src/Dispatcher.cpp (begin, updateTxBudget, checkSend, the send-complete branch of loop):
 * a token bucket of airtime over a window of one hour (getDutyCycleWindowMs) holding at most window × duty ms, with
 * duty = 1 / (1 + airtime_factor); it refills by elapsed × duty and each transmission takes its airtime. A packet
 * waits while the bucket holds less than half the airtime of a 255-byte frame (MIN_TX_BUDGET_AIRTIME_DIV), and after
 * a transmission that left less than 100 ms (MIN_TX_BUDGET_RESERVE_MS) the next one waits for the refill.
 */
export const DUTY_CYCLE_WINDOW_MS = 3_600_000;
export const MIN_TX_BUDGET_RESERVE_MS = 100;
export const MIN_TX_BUDGET_AIRTIME_DIV = 2;

export class TxBudget {
  /** Dispatcher tx_budget_ms. */
  remainingMs: number;
  private lastUpdate: number;

  constructor(private readonly factor: () => number, now: number, private readonly windowMs = DUTY_CYCLE_WINDOW_MS) {
    this.remainingMs = Math.floor(windowMs * this.duty());
    this.lastUpdate = now;
  }

  /** 1 / (1 + factor); a negative or non-finite factor counts as 0 (no limit beyond 100 %). */
  duty(): number {
    const f = this.factor();
    return 1 / (1 + (Number.isFinite(f) && f > 0 ? f : 0));
  }

  /** Dispatcher::updateTxBudget: the clock advances in whole refill steps (last_budget_update moves only on refill). */
  update(now: number): void {
    const duty = this.duty();
    const max = Math.floor(this.windowMs * duty);
    const refill = Math.floor((now - this.lastUpdate) * duty);
    if (refill > 0) {
      this.remainingMs = Math.min(max, this.remainingMs + refill);
      this.lastUpdate = now;
    }
  }

  /**
   * Dispatcher::checkSend's budget test: 0 when a frame may go now, else how long to wait (ms) for the bucket to
   * hold half the airtime of the largest frame.
   */
  waitBeforeSend(now: number, maxFrameAirtimeMs: number): number {
    this.update(now);
    const need = Math.floor(maxFrameAirtimeMs / MIN_TX_BUDGET_AIRTIME_DIV);
    if (this.remainingMs >= need) return 0;
    return Math.max(1, Math.floor((need - this.remainingMs) / this.duty()));
  }

  /** After a transmission of `airMs`: takes it from the bucket; returns how long the next one must wait (ms). */
  spend(now: number, airMs: number): number {
    this.update(now);
    this.remainingMs = airMs > this.remainingMs ? 0 : this.remainingMs - airMs;
    if (this.remainingMs < MIN_TX_BUDGET_RESERVE_MS) {
      return Math.floor((MIN_TX_BUDGET_RESERVE_MS - this.remainingMs) / this.duty());
    }
    return 0;
  }
}
