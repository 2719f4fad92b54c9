/** Clock: wall-clock time and abortable sleeps, injectable so ledgers and governors can be tested without waiting. */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with an AbortError-named error when the signal aborts. */
  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, options) => {
    await delay(Math.max(0, ms), undefined, { signal: options?.signal });
  },
};
