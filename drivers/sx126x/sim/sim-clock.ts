import { MAX_TIMER_MS, type TimerClock } from '../../../lib/clock/timer-clock.js';

/**
 * Chip time for the emulator and the simulated air. Chip milliseconds run timeScale times faster than wall time
 * when timeScale < 1 (0.01 = a 165 ms packet takes 1.65 ms), so time-on-air behaviour stays true while tests run fast.
 */
export interface SimClock {
  /** Chip-time ms since the clock was created. */
  now(): number;
  /** Run fn after chipMs of chip time; returns a cancel function. */
  schedule(chipMs: number, fn: () => void): () => void;
  readonly timeScale: number;
}

/**
 * The driver's TimerClock in chip time (Sx126xRadioInit.timers): its health check, back-off and receive waits then
 * scale with the emulated air, so a back-off of one LongFast frame lasts one frame for the emulated chips too.
 */
export function simTimerClock(clock: SimClock): TimerClock {
  return {
    now: () => clock.now(),
    setTimer(ms, fire, options) {
      // Not through schedule(): a periodic timer (the health check) must not keep a test process alive (unref).
      const t = setTimeout(fire, Math.min(MAX_TIMER_MS, Math.max(0, ms) * clock.timeScale));
      if (options?.unref) t.unref();
      return () => clearTimeout(t);
    },
    sleep(ms, options) {
      const signal = options?.signal;
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = () => {
          cancel();
          reject(signal!.reason);
        };
        const cancel = clock.schedule(Math.max(0, ms), () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

export function createSimClock(opts: { timeScale?: number } = {}): SimClock {
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
  const t0 = performance.now();
  return {
    timeScale,
    now: () => (performance.now() - t0) / timeScale,
    schedule(chipMs, fn) {
      const t = setTimeout(fn, Math.max(0, chipMs * timeScale));
      return () => clearTimeout(t);
    },
  };
}
