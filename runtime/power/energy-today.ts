/**
 * Energy in and out today, watt-hours: into the battery (charging), out of it (discharging), harvested by the panel
 * and drawn by the load, each integrated from successive readings and set to zero at local midnight. "Today" is the
 * local calendar date of the wall clock (the relay's timezone, TZ), so the figures match what an operator's day is;
 * for a simulated battery on a fast day (`hal: sim`) it is the simulated day (open-sensor.ts).
 */

export interface EnergyTotals {
  inWh: number;
  outWh: number;
  panelWh: number;
  loadWh: number;
}

/** The local calendar date of an epoch-ms instant, `YYYY-MM-DD`. */
export function localDay(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A gap longer than this between readings is not integrated (the relay was off or the sensor failed). */
const MAX_GAP_MS = 15 * 60_000;

export class EnergyToday {
  private totals: EnergyTotals;
  private lastAt: number | undefined;

  /** `timeScale`: simulated hours per clock hour (a simulated battery on a fast day); default 1. */
  constructor(public day: string, saved?: EnergyTotals, private readonly timeScale = 1) {
    this.totals = saved ? { ...saved } : zero();
  }

  get today(): EnergyTotals {
    return { ...this.totals };
  }

  /**
   * Adds the time since the previous reading at these powers (watts; battery positive when charging). `at` is clock
   * ms for the interval, `day` the day it counts in (the local date of the wall clock, localDay; a simulated
   * battery's simulated day).
   */
  add(p: { batteryWatts: number; panelWatts?: number; loadWatts?: number }, at: number, day: string): void {
    if (day !== this.day) {
      // Midnight passed: the interval that straddles it counts for the new day (at most one sampling interval).
      this.day = day;
      this.totals = zero();
    }
    const dt = this.lastAt === undefined ? 0 : at - this.lastAt;
    this.lastAt = at;
    if (dt <= 0 || dt > MAX_GAP_MS) return;
    const h = (dt * this.timeScale) / 3_600_000;
    if (p.batteryWatts > 0) this.totals.inWh += p.batteryWatts * h;
    else this.totals.outWh += -p.batteryWatts * h;
    if (p.panelWatts !== undefined) this.totals.panelWh += Math.max(0, p.panelWatts) * h;
    if (p.loadWatts !== undefined) this.totals.loadWh += Math.max(0, p.loadWatts) * h;
  }
}

function zero(): EnergyTotals {
  return { inWh: 0, outWh: 0, panelWh: 0, loadWh: 0 };
}
