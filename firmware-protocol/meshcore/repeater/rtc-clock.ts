/**
 * The repeater's RTC (mesh::RTCClock): epoch seconds that the CLI can set (`clock sync`, `time`, `clkreboot`), on
 * top of the injected millisecond clock so that tests run in virtual time. getCurrentTimeUnique (src/MeshCore.h)
 * never returns the same second twice, for reply timestamps. The mesh must read the same RTC (pass
 * `rtcSeconds: () => rtc.getCurrentTime()` to createMesh) so that adverts carry the time the CLI set.
 */
import type { Clock } from '../../../lib/clock/clock.js';

export interface RtcClock {
  getCurrentTime(): number;
  setCurrentTime(epochSeconds: number): void;
  getCurrentTimeUnique(): number;
}

/** Seconds = floor(clock.now() / 1000) + an offset that setCurrentTime moves (default offset 0, as MeshOptions). */
export function createRtcClock(clock: Pick<Clock, 'now'>, initialEpochSeconds?: number): RtcClock {
  const base = (): number => Math.floor(clock.now() / 1000);
  let offset = initialEpochSeconds === undefined ? 0 : initialEpochSeconds - base();
  let lastUnique = 0;
  const now = (): number => (base() + offset) >>> 0;
  return {
    getCurrentTime: now,
    setCurrentTime(secs) {
      offset = (secs >>> 0) - base();
    },
    getCurrentTimeUnique() {
      const t = now();
      if (t <= lastUnique) return ++lastUnique;
      return (lastUnique = t);
    },
  };
}
