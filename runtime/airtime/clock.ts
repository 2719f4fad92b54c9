/** Clock: wall-clock time and abortable sleeps, injectable so ledgers and governors can be tested without waiting. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../lib/clock/clock.js';

/** The one Clock interface lives in the base layer (lib/clock/clock.ts); sessions and gateways take it too. */
export type { Clock };

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, options) => {
    await delay(Math.max(0, ms), undefined, { signal: options?.signal, ref: !options?.unref });
  },
};
