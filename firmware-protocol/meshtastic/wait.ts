/**
 * The one request/response wait helper of this layer: resolves when `match` returns a value for an event the caller
 * feeds in, rejects with MeshtasticTimeoutError / AbortError naming what it waited for.
 */
import { systemClock, type Clock } from '../../lib/clock/clock.js';
import { MeshtasticAbortError, MeshtasticTimeoutError } from './errors.js';

export interface Waiter<E, R> {
  /** Offer an event; returns true when it settled the wait. */
  offer(event: E): boolean;
  fail(error: Error): void;
  readonly promise: Promise<R>;
  readonly settled: boolean;
}

export function createWaiter<E, R>(
  waitedFor: string,
  match: (event: E) => R | undefined,
  options: { timeoutMs?: number; signal?: AbortSignal; clock?: Clock } = {},
): Waiter<E, R> {
  let settled = false;
  let resolveP!: (r: R) => void;
  let rejectP!: (e: Error) => void;
  const promise = new Promise<R>((res, rej) => {
    resolveP = res;
    rejectP = rej;
  });
  // The deadline is a sleep on the clock (a virtual one in tests), cancelled when the wait settles first.
  const timer = options.timeoutMs !== undefined ? new AbortController() : undefined;
  if (timer) {
    (options.clock ?? systemClock).sleep(options.timeoutMs!, { signal: timer.signal })
      .then(() => finish(new MeshtasticTimeoutError(waitedFor, options.timeoutMs!)), () => undefined);
  }
  const onAbort = () => finish(new MeshtasticAbortError(waitedFor, { cause: options.signal?.reason }));
  function finish(err: Error | undefined, value?: R) {
    if (settled) return;
    settled = true;
    timer?.abort();
    options.signal?.removeEventListener('abort', onAbort);
    if (err) rejectP(err);
    else resolveP(value as R);
  }
  if (options.signal?.aborted) queueMicrotask(onAbort);
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    offer(event: E) {
      if (settled) return false;
      const r = match(event);
      if (r === undefined) return false;
      finish(undefined, r);
      return true;
    },
    fail(error: Error) {
      finish(error);
    },
    promise,
    get settled() {
      return settled;
    },
  };
}

/** An abortable sleep on the clock, its abort named after what it waited for (MeshtasticAbortError, cause: the reason). */
export function delay(ms: number, waitedFor: string, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  return clock.sleep(ms, { signal }).catch((reason: unknown) => {
    throw new MeshtasticAbortError(waitedFor, { cause: reason });
  });
}
