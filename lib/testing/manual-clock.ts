/**
 * A TimerClock for unit tests that moves only when told to: `advance(ms)` fires, in time order, every timer due by
 * then, each at its own due time. Tests assert what is armed and when (`pending()`, `nextAt()`), a positive fact,
 * instead of sleeping and checking that nothing happened.
 */
import type { CancelTimer, TimerClock, TimerOptions } from '../clock/timer-clock.js';

interface Armed {
  at: number;
  seq: number;
  fire: () => void;
  name?: string;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ManualClock implements TimerClock {
  private t: number;
  private seq = 0;
  private readonly armed = new Map<number, Armed>();

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fire: () => void, options: TimerOptions = {}): CancelTimer {
    const seq = ++this.seq;
    this.armed.set(seq, { at: this.t + Math.max(0, ms), seq, fire, ...(options.name !== undefined ? { name: options.name } : {}) });
    return () => {
      this.armed.delete(seq);
    };
  }

  sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        cancel();
        reject(signal!.reason);
      };
      const cancel = this.setTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Timers armed now; with `name`, those armed under that name. */
  pending(name?: string): number {
    if (name === undefined) return this.armed.size;
    let n = 0;
    for (const a of this.armed.values()) if (a.name === name) n++;
    return n;
  }

  /** Due time of the earliest armed timer. */
  nextAt(): number | undefined {
    return this.earliest()?.at;
  }

  /** Moves the time `ms` forward, firing every timer due by then in time order, each at its due time; after each
   * it lets the event loop turn so that what the timer started can run (and arm timers of its own). */
  async advance(ms: number): Promise<void> {
    const until = this.t + Math.max(0, ms);
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > until) break;
      this.armed.delete(next.seq);
      this.t = Math.max(this.t, next.at);
      next.fire();
      await turn();
    }
    this.t = until;
    await turn();
  }

  /** Jumps to the earliest timer and fires it; false when none is armed. */
  async fireNext(): Promise<boolean> {
    const next = this.earliest();
    if (!next) return false;
    await this.advance(next.at - this.t);
    return true;
  }

  private earliest(): Armed | undefined {
    let best: Armed | undefined;
    for (const a of this.armed.values()) if (!best || a.at < best.at || (a.at === best.at && a.seq < best.seq)) best = a;
    return best;
  }
}
