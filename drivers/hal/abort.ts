/** Small helpers for abortable waits (STYLE.md habit 4). */

/**
 * A signal that aborts when the input aborts, or after ms with a TimeoutError. Unlike AbortSignal.timeout the timer
 * keeps the event loop alive (a wait on hardware must not let the process exit under it); call clear() when done.
 */
export function timeoutSignal(signal: AbortSignal | undefined, ms: number, what = 'operation'): { signal: AbortSignal; clear(): void } {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new DOMException(`${what} timed out after ${ms} ms`, 'TimeoutError')), Math.max(1, Math.ceil(ms)));
  return { signal: signal ? AbortSignal.any([signal, ctl.signal]) : ctl.signal, clear: () => clearTimeout(timer) };
}

/** Sleep for ms, rejecting with the signal's reason on abort. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
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
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}
