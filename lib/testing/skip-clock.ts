/**
 * Test support: a Clock (lib/clock/clock.ts) for end-to-end tests over real links and processes, where virtual
 * time (virtual-clock.ts) cannot see the bytes in flight. It reads the wall clock, but a sleep someone waits for (a
 * pace the code sets itself: a rate limit, an airtime budget, a hold-off, a reconnect back-off) returns on the next
 * turn of the event loop and moves this clock forward by what it skipped, as if the wait had happened. Whoever
 * reads the same clock (the limiter, the hold-off, a simulated radio's own rate limit) finds the time elapsed and
 * lets the part go. A deadline must not run on it (a reply would be given up on at once): sessions keep their
 * reply deadlines on the system clock. An `unref` sleep (a heartbeat, a periodic check) is really waited for: skipped,
 * it would spin and race the clock ahead.
 *
 * Times it gives run ahead of the wall clock by the total skipped (seconds in a test run, well inside the bundles'
 * 10-minute clock-skew allowance, runtime/bundle/verify-bundle.ts).
 */
import { sleep } from '../abort/sleep.js';
import type { Clock } from '../clock/clock.js';

export class SkipClock implements Clock {
  /** Milliseconds of sleep skipped so far. */
  skipped = 0;
  /** Every sleep skipped, in order (tests can check that a pace was applied). */
  readonly sleeps: number[] = [];

  now(): number {
    return Date.now() + this.skipped;
  }

  async sleep(ms: number, options: { signal?: AbortSignal; unref?: boolean } = {}): Promise<void> {
    if (options.unref) return sleep(ms, options);
    options.signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.skipped += Math.max(0, ms);
    await new Promise<void>((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
  }
}
