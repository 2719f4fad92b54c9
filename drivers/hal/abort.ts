/** Small helpers for abortable waits on hardware (CONTRIBUTING.md habit 4); the abortable sleep is lib/abort/sleep.ts. */

/**
 * A signal that aborts when the input aborts, or after ms with a TimeoutError. Unlike AbortSignal.timeout the timer
 * keeps the event loop alive (a wait on hardware must not let the process exit under it); call clear() when done.
 */
export function timeoutSignal(signal: AbortSignal | undefined, ms: number, what = 'operation'): { signal: AbortSignal; clear(): void } {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new DOMException(`${what} timed out after ${ms} ms`, 'TimeoutError')), Math.max(1, Math.ceil(ms)));
  return { signal: signal ? AbortSignal.any([signal, ctl.signal]) : ctl.signal, clear: () => clearTimeout(timer) };
}

export function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}
