/**
 * Bounded, abortable waits for BlueZ calls. node-ble's own waits have no timeout (GattServer.init waits for
 * ServicesResolved forever) and D-Bus calls have a 25 s default, so every call goes through `bounded`, whose
 * timeout names what it waited for.
 */
import { BleTimeoutError } from './errors.js';

export interface WaitOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Races `work` against a timeout and the signal. The work itself cannot be cancelled; its late result is dropped. */
export function bounded<T>(work: Promise<T>, what: string, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(new BleTimeoutError(what, timeoutMs))), timeoutMs);
    const onAbort = () => finish(() => reject(signal!.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    let done = false;
    function finish(settle: () => void) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    }
    work.then(
      (v) => finish(() => resolve(v)),
      (e) => finish(() => reject(e)),
    );
  });
}
