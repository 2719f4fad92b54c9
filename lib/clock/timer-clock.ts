/**
 * TimerClock: the time and the one-shot timers of a component that waits on its own (the router's retry and bloom
 * timers, the vault's write budget and expiry sweep), injectable so that tests move time instead of waiting for it
 * (lib/testing/manual-clock.ts, lib/testing/fast-forward-clock.ts).
 *
 * It extends the one Clock (clock.ts: now + abortable sleep), so one clock object serves both kinds of component.
 */
import { systemClock, type Clock } from './clock.js';

/** Cancels a timer; calling it after the timer fired, or twice, does nothing. */
export type CancelTimer = () => void;

export interface TimerOptions {
  /** The system clock's timer does not keep the process alive (Node's unref): for periodic or far-off work (a
   * retry, a sweep) of a component something else keeps running. Default false: pending writes keep it alive. */
  unref?: boolean;
  /** What the timer is for; test clocks count armed timers by it (`pending(name)`). */
  name?: string;
}

export interface TimerClock extends Clock {
  /** Calls `fire` once, `ms` from now (at most MAX_TIMER_MS: a longer wait is armed again when it fires). */
  setTimer(ms: number, fire: () => void, options?: TimerOptions): CancelTimer;
}

/** Longest delay a Node timer takes (2^31 − 1 ms, about 24.8 days); longer ones would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemTimerClock: TimerClock = {
  now: systemClock.now,
  sleep: systemClock.sleep,
  setTimer(ms, fire, options) {
    const t = setTimeout(fire, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
    if (options?.unref) t.unref();
    return () => clearTimeout(t);
  },
};

export function isTimerClock(c: unknown): c is TimerClock {
  return typeof c === 'object' && c !== null && typeof (c as TimerClock).setTimer === 'function' && typeof (c as TimerClock).now === 'function';
}

/**
 * The timers of a plain Clock (now + sleep): each timer is one abortable sleep on it, so a test clock that only
 * sleeps (lib/testing/virtual-clock.ts, skip-clock.ts) drives a timed component as well.
 */
export function timersOf(clock: Clock): TimerClock {
  if (isTimerClock(clock)) return clock;
  return {
    now: () => clock.now(),
    sleep: (ms, options) => clock.sleep(ms, options),
    setTimer(ms, fire, options) {
      const ctl = new AbortController();
      clock.sleep(Math.min(MAX_TIMER_MS, Math.max(0, ms)), { signal: ctl.signal, ...(options?.unref ? { unref: true } : {}) }).then(fire, () => undefined);
      return () => ctl.abort();
    },
  };
}

/**
 * What a component option `clock` may be: a Clock (a TimerClock's timers are used as they are; a plain one's
 * through timersOf), or (the older form) a function giving the time only, with the system's timers. Returns the
 * time source and the timers to use.
 */
export function timerClockOf(clock: (() => number) | Clock | undefined): { now: () => number; timers: TimerClock } {
  if (clock === undefined) return { now: Date.now, timers: systemTimerClock };
  if (typeof clock === 'function') return { now: clock, timers: systemTimerClock };
  const timers = timersOf(clock);
  return { now: () => clock.now(), timers };
}
