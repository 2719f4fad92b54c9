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
  /**
   * Run, in order, every scheduled event whose chip time has come but whose wall-clock timer has not fired yet (the
   * event loop was busy). The emulated chip calls this before each SPI transfer: a real chip's state moves on with
   * time whatever the host is doing, so a driver that reads the IRQ flags late must see the header that arrived
   * meanwhile, not a stale preamble flag. Not re-entrant: an event that causes a transfer does not recurse.
   */
  runDue(): void;
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
  const now = () => (performance.now() - t0) / timeScale;
  interface Pending { due: number; seq: number; fn: () => void; timer: ReturnType<typeof setTimeout> }
  const pending = new Set<Pending>();
  let seq = 0;
  let catchingUp = false;
  return {
    timeScale,
    now,
    schedule(chipMs, fn) {
      const ms = Math.max(0, chipMs);
      const p: Pending = {
        due: now() + ms, seq: seq++, fn,
        timer: setTimeout(() => {
          if (pending.delete(p)) fn();
        }, ms * timeScale),
      };
      pending.add(p);
      return () => {
        if (pending.delete(p)) clearTimeout(p.timer);
      };
    },
    runDue() {
      if (catchingUp || pending.size === 0) return;
      catchingUp = true;
      try {
        for (;;) {
          const t = now();
          let next: Pending | undefined;
          for (const p of pending) if (p.due <= t && (!next || p.due < next.due || (p.due === next.due && p.seq < next.seq))) next = p;
          if (!next) return;
          pending.delete(next);
          clearTimeout(next.timer);
          next.fn();
        }
      } finally {
        catchingUp = false;
      }
    },
  };
}
