/**
 * Time for code that paces, backs off, retries and times out, injectable so that tests can run those waits in
 * virtual time (lib/testing/virtual-clock.ts) instead of waiting for them: the one Clock of the tree (sessions,
 * gateways, bearers, airtime ledger and governor, bridge).
 *
 * `now()` is in milliseconds and is only ever compared with other readings of the same clock (intervals, deadlines);
 * what needs the wall-clock date reads Date.now() itself.
 */
import { sleep } from '../abort/sleep.js';

export interface Clock {
  now(): number;
  /**
   * Resolves after `ms`; rejects with the signal's reason when it aborts (lib/abort/sleep.ts). `unref`: this wait
   * alone does not keep the process alive (a heartbeat, a periodic check).
   */
  sleep(ms: number, options?: { signal?: AbortSignal; unref?: boolean }): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, options) => sleep(Math.max(0, ms), options),
};

/**
 * Runs `fn` every `ms` on `clock` until `signal` aborts: a heartbeat or a periodic check that a virtual clock can
 * drive (a timer of its own would tick in real time). A throw in `fn` is handed to `onError` and the loop goes on.
 */
export function every(clock: Clock, ms: number, fn: () => void, signal: AbortSignal, onError: (err: unknown) => void = () => undefined): void {
  void (async () => {
    for (;;) {
      try {
        await clock.sleep(ms, { signal, unref: true });
      } catch {
        return; // stopped
      }
      try {
        fn();
      } catch (err) {
        onError(err);
      }
    }
  })();
}
