/**
 * The one abortable sleep (CONTRIBUTING.md habit 4: every wait is abortable). On abort it rejects with the signal's reason,
 * exactly what `signal.throwIfAborted()` throws: a stop error stays typed (`BearerStoppedError`), and a deadline from
 * `AbortSignal.timeout()` stays a `TimeoutError`. Timer and listener are removed either way, so sleeping many times
 * on one long-lived signal leaves nothing behind.
 */
export function sleep(ms: number, options: { signal?: AbortSignal; unref?: boolean } = {}): Promise<void> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    // A heartbeat's wait must not keep a process alive that has nothing else to do.
    if (options.unref) timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
