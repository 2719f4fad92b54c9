/**
 * When the repeater advertises itself (examples/simple_repeater/MyMesh.cpp updateAdvertTimer,
 * updateFloodAdvertTimer and loop): a zero-hop advert every advert_interval × 2 minutes and a flood advert every
 * flood_advert_interval hours, both counted from start (or from the CLI change); a flood advert also restarts the
 * zero-hop period so the two do not overlap. main.cpp sends one zero-hop advert 16 s after boot
 * (ENABLE_ADVERT_ON_BOOT=1 in platformio.ini), which is the "first advert within 60 s". One timer is armed for the
 * earlier deadline; the firmware polls in loop(), the outcome is the same.
 */
import type { CancelTimer, TimerClock } from '../../../lib/clock/timer-clock.js';

/** main.cpp: the_mesh.sendSelfAdvertisement(16000, false). */
export const BOOT_ADVERT_DELAY_MS = 16_000;

export interface AdvertScheduleTarget {
  /** Zero-hop (neighbours) or flood advert now. */
  advert(flood: boolean): void;
  /** advert_interval (units of 2 minutes) and flood_advert_interval (hours); 0 = off. */
  intervals(): { advertInterval: number; floodAdvertInterval: number };
}

export class AdvertSchedule {
  private nextLocal = 0;
  private nextFlood = 0;
  private cancel: CancelTimer | undefined;
  private running = false;

  constructor(private readonly timers: TimerClock, private readonly target: AdvertScheduleTarget) {}

  start(): void {
    this.running = true;
    this.updateAdvertTimer();
    this.updateFloodAdvertTimer();
  }

  stop(): void {
    this.running = false;
    this.cancel?.();
    this.cancel = undefined;
  }

  /** MyMesh::updateAdvertTimer. */
  updateAdvertTimer(): void {
    const i = this.target.intervals().advertInterval;
    this.nextLocal = i > 0 ? this.timers.now() + i * 2 * 60 * 1000 : 0;
    this.arm();
  }

  /** MyMesh::updateFloodAdvertTimer. */
  updateFloodAdvertTimer(): void {
    const h = this.target.intervals().floodAdvertInterval;
    this.nextFlood = h > 0 ? this.timers.now() + h * 60 * 60 * 1000 : 0;
    this.arm();
  }

  /** Clock times of the next zero-hop and flood adverts (undefined = off). */
  next(): { local?: number; flood?: number } {
    return { local: this.nextLocal || undefined, flood: this.nextFlood || undefined };
  }

  private arm(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (!this.running) return;
    const due = [this.nextLocal, this.nextFlood].filter((t) => t > 0);
    if (due.length === 0) return;
    const at = Math.min(...due);
    this.cancel = this.timers.setTimer(Math.max(0, at - this.timers.now()), () => this.fire(), { unref: true, name: 'meshcore-repeater-advert' });
  }

  /** MyMesh::loop's advert branch. */
  private fire(): void {
    this.cancel = undefined;
    const now = this.timers.now();
    if (this.nextFlood && now >= this.nextFlood) {
      this.target.advert(true);
      this.updateFloodAdvertTimer();
      this.updateAdvertTimer();
    } else if (this.nextLocal && now >= this.nextLocal) {
      this.target.advert(false);
      this.updateAdvertTimer();
    } else {
      this.arm();
    }
  }
}
