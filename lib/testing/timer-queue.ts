/**
 * Test support: the armed timers of a test TimerClock (manual-clock.ts, fast-forward-clock.ts), in due-time order
 * with ties in arming order, and the sleep both clocks build on their timers. The clocks differ only in when time
 * moves and who fires what is due.
 */
import type { CancelTimer, TimerOptions } from '../clock/timer-clock.js';

export interface ArmedTimer {
  at: number;
  seq: number;
  fire: () => void;
  name?: string;
}

export class TimerQueue {
  private seq = 0;
  private readonly armed = new Map<number, ArmedTimer>();

  /** Arms `fire` for time `at`; the canceller does nothing once it fired or was cancelled. */
  add(at: number, fire: () => void, options: TimerOptions = {}): CancelTimer {
    const seq = ++this.seq;
    this.armed.set(seq, { at, seq, fire, ...(options.name !== undefined ? { name: options.name } : {}) });
    return () => {
      this.armed.delete(seq);
    };
  }

  /** Timers armed now; with `name`, those armed under that name. */
  count(name?: string): number {
    if (name === undefined) return this.armed.size;
    let n = 0;
    for (const a of this.armed.values()) if (a.name === name) n++;
    return n;
  }

  /** The timer due first (ties: the one armed first). */
  earliest(): ArmedTimer | undefined {
    let best: ArmedTimer | undefined;
    for (const a of this.armed.values()) if (!best || a.at < best.at || (a.at === best.at && a.seq < best.seq)) best = a;
    return best;
  }

  /** Removes and returns the timer due first, when it is due by `until`; the caller fires it. */
  takeDue(until: number): ArmedTimer | undefined {
    const next = this.earliest();
    if (!next || next.at > until) return undefined;
    this.armed.delete(next.seq);
    return next;
  }
}

/** An abortable sleep on a clock's own timers: resolves when the timer fires, rejects with the signal's reason. */
export function sleepOnTimer(
  setTimer: (ms: number, fire: () => void) => CancelTimer,
  ms: number,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const { signal } = options;
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(signal!.reason);
    };
    const cancel = setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
