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

interface Armed {
  at: number;
  seq: number;
  fire: () => void;
  name?: string;
}

export class FastForwardClock implements TimerClock {
  /** Milliseconds skipped so far. */
  skipped = 0;
  private seq = 0;
  private readonly armed = new Map<number, Armed>();
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
    const seq = ++this.seq;
    this.armed.set(seq, { at: this.now() + Math.max(0, ms), seq, fire, ...(options.name !== undefined ? { name: options.name } : {}) });
    if (options.name !== undefined) this.armedByName.set(options.name, (this.armedByName.get(options.name) ?? 0) + 1);
    this.drainSoon();
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
    if (name === undefined) return this.armed.size;
    let n = 0;
    for (const a of this.armed.values()) if (a.name === name) n++;
    return n;
  }

  private drainSoon(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      const next = this.earliest();
      if (!next) return;
      const wait = next.at - this.now();
      if (wait > this.maxSkipMs) return; // held until advance() reaches it
      this.armed.delete(next.seq);
      if (wait > 0) this.skipped += wait;
      next.fire();
      if (this.armed.size > 0) this.drainSoon();
    });
  }

  private earliest(): Armed | undefined {
    let best: Armed | undefined;
    for (const a of this.armed.values()) if (!best || a.at < best.at || (a.at === best.at && a.seq < best.seq)) best = a;
    return best;
  }
}
