/**
 * A TimerClock for unit tests that moves only when told to: `advance(ms)` fires, in time order, every timer due by
 * then, each at its own due time. Tests assert what is armed and when (`pending()`, `nextAt()`), a positive fact,
 * instead of sleeping and checking that nothing happened.
 *
 * With `autoAdvance`, a sleep moves the time by its own length at once (firing what falls due on the way), for code
 * that paces itself with sleeps (a duty-cycle wait, a rate limit) and a test that checks the paces (`sleeps`).
 */
import type { CancelTimer, TimerClock, TimerOptions } from '../clock/timer-clock.js';
import { sleepOnTimer, TimerQueue } from './timer-queue.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface ManualClockOptions {
  /** A sleep advances the clock by its length at once instead of waiting for `advance()`. Default false. */
  autoAdvance?: boolean;
}

export class ManualClock implements TimerClock {
  /** Every sleep asked for, in order (tests can check that a pace was applied). */
  readonly sleeps: number[] = [];
  private t: number;
  private readonly timers = new TimerQueue();
  private readonly autoAdvance: boolean;

  constructor(start = 1_700_000_000_000, options: ManualClockOptions = {}) {
    this.t = start;
    this.autoAdvance = options.autoAdvance ?? false;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fire: () => void, options: TimerOptions = {}): CancelTimer {
    return this.timers.add(this.t + Math.max(0, ms), fire, options);
  }

  async sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    options.signal?.throwIfAborted();
    this.sleeps.push(ms);
    if (!this.autoAdvance) return sleepOnTimer((d, fire) => this.setTimer(d, fire), ms, options);
    await this.advance(ms);
    options.signal?.throwIfAborted();
  }

  /** Timers armed now; with `name`, those armed under that name. */
  pending(name?: string): number {
    return this.timers.count(name);
  }

  /** Due time of the earliest armed timer. */
  nextAt(): number | undefined {
    return this.timers.earliest()?.at;
  }

  /** Moves the time `ms` forward, firing every timer due by then in time order, each at its due time; after each
   * it lets the event loop turn so that what the timer started can run (and arm timers of its own). */
  async advance(ms: number): Promise<void> {
    const until = this.t + Math.max(0, ms);
    for (let next = this.timers.takeDue(until); next; next = this.timers.takeDue(until)) {
      this.t = Math.max(this.t, next.at);
      next.fire();
      await turn();
    }
    this.t = Math.max(this.t, until); // a sleep with autoAdvance may have moved it on meanwhile
    await turn();
  }

  /** Jumps to the earliest timer and fires it; false when none is armed. */
  async fireNext(): Promise<boolean> {
    const at = this.nextAt();
    if (at === undefined) return false;
    await this.advance(at - this.t);
    return true;
  }
}
