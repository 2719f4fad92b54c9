/**
 * A Clock for end-to-end tests of the bridge: it reads the wall clock, but a sleep (a pace the bridge sets itself:
 * rate limit, airtime budget, hold-off) returns on the next turn of the event loop and moves this clock forward by
 * what it skipped, as if the wait had happened. The limiter and the hold-off then find their time elapsed and let the
 * part go. Times it gives run ahead of the wall clock by the total skipped (seconds in a test run, well inside the
 * bundles' 10-minute clock-skew allowance, runtime/bundle/verify-bundle.ts).
 */
import type { Clock } from '../../airtime/clock.js';

export class SkipClock implements Clock {
  /** Milliseconds of sleep skipped so far. */
  skipped = 0;
  /** Every sleep asked for, in order (tests can check that a pace was applied). */
  readonly sleeps: number[] = [];

  now(): number {
    return Date.now() + this.skipped;
  }

  async sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void> {
    options?.signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.skipped += Math.max(0, ms);
    await new Promise<void>((resolve) => setImmediate(resolve));
    options?.signal?.throwIfAborted();
  }
}
