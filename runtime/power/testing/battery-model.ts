/**
 * Test support: a battery, a panel and a load in virtual time, for tests of the power runtime before (and apart
 * from) the emulated INA3221 of drivers/power/sim. The panel follows the sun (a half sine from 06:00 to 18:00 of a
 * `dayMs` day), the load is constant, the battery integrates the difference and shows its resting voltage plus the
 * I·R drop. Deterministic: no noise, so a test can say exactly where each threshold is crossed.
 */
import { restingVoltsAt, type Chemistry } from '../chemistry.js';
import type { PowerReading } from '../../../drivers/power/power-sensor.js';

export interface BatteryModelOptions {
  chemistry: Chemistry;
  capacityAh: number;
  /** Start, percent. */
  soc: number;
  /** Panel peak power at noon, watts. */
  panelPeakWatts: number;
  /** The relay's draw, watts. */
  loadWatts: number;
  /** Length of a simulated day, ms of clock time. */
  dayMs: number;
  /** Clock time of the first midnight. */
  startAt: number;
  /** Multiplies the panel's output (cloudy days). */
  weather?: (day: number) => number;
}

export class BatteryModel {
  soc: number;
  private lastAt: number;

  constructor(private readonly o: BatteryModelOptions) {
    this.soc = o.soc;
    this.lastAt = o.startAt;
  }

  panelWatts(at: number): number {
    const t = (at - this.o.startAt) / this.o.dayMs;
    const day = Math.floor(t);
    const hour = (t - day) * 24;
    if (hour < 6 || hour > 18) return 0;
    return this.o.panelPeakWatts * Math.sin(((hour - 6) / 12) * Math.PI) * (this.o.weather?.(day) ?? 1);
  }

  /** The reading at clock time `at` (advances the model to it). */
  read(at: number): PowerReading {
    const ocv = restingVoltsAt(this.o.chemistry, this.soc);
    const panel = this.panelWatts(at);
    const amps = (panel - this.o.loadWatts) / ocv;
    // Time compressed: the battery moves as in real time at this simulated rate (dayMs is one 24 h day).
    const hours = ((at - this.lastAt) / this.o.dayMs) * 24;
    this.lastAt = at;
    this.soc = Math.min(100, Math.max(0, this.soc + ((amps * hours) / this.o.capacityAh) * 100));
    const volts = ocv + amps * 0.05;
    return {
      at,
      battery: { volts, amps, watts: volts * amps },
      panel: { volts: panel > 0 ? 18 : 0.3, amps: panel / 18, watts: panel },
      load: { volts, amps: this.o.loadWatts / volts, watts: this.o.loadWatts },
    };
  }
}
