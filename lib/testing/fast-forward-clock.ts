/**
 * A TimerClock for integration tests of components that pace themselves (the router's retry back-off and bloom
 * carries, the vault's background writes): it reads the wall clock, but a timer of at most `maxSkipMs` fires on the
 * next turn of the event loop, moving this clock forward to its due time as if the wait had happened. Longer timers
 * (periodic broadcasts, expiry sweeps) stay armed until `advance()` moves past them, so nothing spins.
 *
 * Timers fire one per turn in due-time order, so a chain of back-offs keeps its order, and real I/O (LMDB flushes,
 * bearers) still runs in between. Times it gives run ahead of the wall clock by what was skipped (`skipped`): seconds
 * in a test, well inside the 10-minute clock skew a bundle may have (runtime/bundle/verify-bundle.ts).
 */
import type { CancelTimer, TimerClock, TimerOptions } from '../clock/timer-clock.js';
import { sleepOnTimer, TimerQueue } from './timer-queue.js';

export class FastForwardClock implements TimerClock {
  /** Milliseconds skipped so far. */
  skipped = 0;
  private readonly timers = new TimerQueue();
  private draining = false;
  private readonly armedByName = new Map<string, number>();
  private readonly maxSkipMs: number;

  constructor(options: { maxSkipMs?: number } = {}) {
    this.maxSkipMs = options.maxSkipMs ?? 10_000;
  }

  now(): number {
    return Date.now() + this.skipped;
  }

  setTimer(ms: number, fire: () => void, options: TimerOptions = {}): CancelTimer {
    const cancel = this.timers.add(this.now() + Math.max(0, ms), fire, options);
    if (options.name !== undefined) this.armedByName.set(options.name, (this.armedByName.get(options.name) ?? 0) + 1);
    this.drainSoon();
    return cancel;
  }

  sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    return sleepOnTimer((d, fire) => this.setTimer(d, fire), ms, options);
  }

  /** Moves the clock `ms` forward; timers due by then fire (in order, one per turn). */
  advance(ms: number): void {
    this.skipped += Math.max(0, ms);
    this.drainSoon();
  }

  /** Timers armed so far under `name` (fired, cancelled or pending). */
  armedTotal(name: string): number {
    return this.armedByName.get(name) ?? 0;
  }

  /** Timers armed now (held long ones included); with `name`, those armed under that name. */
  pending(name?: string): number {
    return this.timers.count(name);
  }

  private drainSoon(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      // A timer due within maxSkipMs fires now; a later one is held until advance() reaches it.
      const next = this.timers.takeDue(this.now() + this.maxSkipMs);
      if (!next) return;
      const wait = next.at - this.now();
      if (wait > 0) this.skipped += wait;
      next.fire();
      if (this.timers.count() > 0) this.drainSoon();
    });
  }
}
