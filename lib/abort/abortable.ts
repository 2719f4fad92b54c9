/**
 * Races a promise against an AbortSignal: settles as `p` does, or rejects with the signal's reason when it aborts
 * first. The abort listener is removed when `p` settles, so racing many promises on one long-lived signal leaves
 * nothing behind. The work behind `p` is not cancelled; its late result is dropped (a late rejection is handled, never
 * an unhandled rejection).
 */
export function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}
