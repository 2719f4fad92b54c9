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

/** Races `work` against a timeout and the signal (a result already received when the signal aborts still wins). The
 * work itself cannot be cancelled; its late result is dropped. */
export function bounded<T>(work: Promise<T>, what: string, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(new BleTimeoutError(what, timeoutMs))), timeoutMs);
    // The abort settles a turn later (setImmediate), after the promise jobs: BlueZ's reply to a call and the signal
    // that the device went away can arrive in one read of the D-Bus socket, the reply first; the reply's promise
    // then resolves in a promise job, after the signal's handler has aborted. A write the device answered is written.
    const onAbort = () => setImmediate(() => finish(() => reject(signal!.reason)));
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
