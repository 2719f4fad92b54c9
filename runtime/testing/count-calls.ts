/**
 * Test support: counts calls of chosen exported functions (codec passes, for issue 12 item 6) through Node's module
 * hooks (count-calls-hooks.mjs). Call countCalls() before the modules are imported (import them dynamically after),
 * then read or reset the counts.
 */
import { register } from 'node:module';

export type CallCounts = Record<string, number>;

/** Wraps the named functions of every module whose URL ends with a key of `targets`; returns the live counts. */
export function countCalls(targets: Record<string, string[]>): { counts: () => CallCounts; reset: () => void } {
  register(new URL('./count-calls-hooks.mjs', import.meta.url), { data: { targets } });
  const g = globalThis as { __countedCalls?: CallCounts };
  g.__countedCalls = {};
  return {
    counts: () => ({ ...g.__countedCalls }),
    reset: () => {
      g.__countedCalls = {};
    },
  };
}
