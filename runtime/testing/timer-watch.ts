/**
 * Test support: which timers a given source file holds armed right now, seen through async_hooks (a Timeout is
 * created by setTimeout/setInterval and destroyed when it is cleared or a one-shot has fired). Idle-cost tests
 * (issue 12: an idle relay must not wake up) assert that a component holds no timer while it has nothing to do,
 * with waitFor on `armed() === 0`, a positive event, rather than by watching the clock.
 *
 * Only timers the file creates itself with setTimeout/setInterval count: the stack at creation must show the file
 * right below node:timers (so AbortSignal.timeout() and library timers called from the file are not its own).
 */
import { createHook } from 'node:async_hooks';

export interface TimerWatch {
  /** Timers of the file that are armed now (created, neither cleared nor fired once); with `under`, only those
   * whose delay (an interval's period) is shorter. */
  armed(filter?: { under?: number }): number;
  /** Where each armed timer was created and its delay, for an assertion message. */
  describe(): string[];
  /** Timers of the file created since the watch started. */
  created(): number;
  stop(): void;
}

export function watchTimers(file: RegExp): TimerWatch {
  const live = new Map<number, { ms: number; at: string }>();
  let created = 0;
  const hook = createHook({
    init(asyncId, type, _trigger, resource) {
      if (type !== 'Timeout') return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 30;
      const frames = (new Error().stack ?? '').split('\n');
      Error.stackTraceLimit = limit;
      const at = frames.findIndex((f) => /at (setTimeout|setInterval) \(node:timers/.test(f));
      if (at < 0 || !file.test(frames[at + 1] ?? '')) return;
      // Node keeps the delay on the Timeout object (nodejs/node:lib/internal/timers.js); the test reads it, never production.
      const ms = (resource as { _idleTimeout?: number })._idleTimeout ?? NaN;
      live.set(asyncId, { ms, at: (frames[at + 1] ?? '').trim() });
      created++;
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  });
  hook.enable();
  return {
    armed: (filter = {}) => [...live.values()].filter((t) => filter.under === undefined || !(t.ms >= filter.under)).length,
    describe: () => [...live.values()].map((t) => `${t.ms} ms ${t.at}`),
    created: () => created,
    stop: () => hook.disable(),
  };
}
