/**
 * Fake Clock for tests. autoAdvance (default): a sleep moves time by exactly the slept amount, instantly. Otherwise
 * sleeps stay pending until advance() passes their deadline or their signal aborts.
 */
import type { Clock } from '../../../lib/clock/clock.js';

interface Sleeper {
  until: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private sleepers: Sleeper[] = [];

  constructor(public time = 1_700_000_000_000, readonly autoAdvance = true) {}

  now(): number {
    return this.time;
  }

  /** Number of sleeps waiting for advance(). */
  get pending(): number {
    return this.sleepers.length;
  }

  advance(ms: number): void {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.until <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.until > this.time);
    for (const s of due) s.resolve();
  }

  async sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    if (this.autoAdvance) {
      this.time += ms;
      await Promise.resolve();
      signal?.throwIfAborted();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        until: this.time + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }
}
