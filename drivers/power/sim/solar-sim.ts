/**
 * A battery, a solar panel and a relay load on a fast day: the physical world the emulated INA3221 measures in the
 * simulated default and with `power: { hal: sim }`, so state of charge, policies and telemetry move on a laptop.
 *
 * Time: one simulated day passes in `dayMs` of clock time (default 10 minutes). Energy is integrated in simulated
 * time (a 10-minute day moves as much charge as a real day: a 144× speed-up), so the battery's state of charge
 * swings visibly within minutes while the instantaneous volts and amps stay those of a real small relay (a 6 W
 * panel, a 0.8 W load). Code that integrates the measured amps over clock time therefore sees 1/144 of the energy
 * the battery's state of charge moves by: `timeScale` says by how much.
 *
 * The model: irradiance follows a half sine between 06:00 and 18:00; the panel's power goes through a charger of
 * efficiency `chargeEfficiency`; the load draws constant power from the battery; the battery is an open-circuit
 * voltage curve (chemistry-agnostic, injected; a Li-ion 1S curve by default) in series with `internalOhms`. A full
 * battery stops charging (the panel is curtailed to what the load takes); an empty one cuts the load (the
 * protection board), which comes back once the sun has put charge in again.
 *
 * Signs, as the INA wiring gives them: battery amps positive when charging, panel amps positive when harvesting,
 * load amps positive when consuming.
 */
import type { ChannelInput, ChannelSource } from './register-chip.js';

export type Role = 'battery' | 'panel' | 'load';

export interface SolarSimOptions {
  clock?: { now(): number };
  /** Clock ms per simulated day. Default 600 000 (10 minutes). */
  dayMs?: number;
  /** Default 10 Ah. */
  capacityAh?: number;
  /** State of charge at the start, 0–100. Default 60. */
  startSoc?: number;
  /** Time of day at the start, as a fraction of the day (0 = midnight, 0.5 = noon). Default 0.3 (07:12). */
  startTimeOfDay?: number;
  /** Panel power at full sun, W. Default 6. */
  panelPeakWatts?: number;
  /** Panel voltage at its maximum-power point at full sun, V. Default 6. */
  panelVolts?: number;
  /** Constant load, W. Default 0.8 (a Pi Zero 2 W relay with a LoRa HAT, mostly receiving). */
  loadWatts?: number;
  /** Charger efficiency, 0–1. Default 0.9. */
  chargeEfficiency?: number;
  /** Open-circuit battery volts at a state of charge 0–100. Default: Li-ion 1S (LI_ION_1S_OCV). */
  voltsAt?: (soc: number) => number;
  /** Battery internal resistance, Ω. Default 0.05. */
  internalOhms?: number;
  /** Irradiance 0–1 at a time of day 0–1. Default: half sine from 06:00 to 18:00. */
  irradiance?: (timeOfDay: number) => number;
}

export interface SolarSnapshot {
  at: number;
  /** 0–100. */
  soc: number;
  timeOfDay: number;
  irradiance: number;
  battery: ChannelInput;
  panel: ChannelInput;
  load: ChannelInput;
}

/** Li-ion 1S (NMC/LCO 18650) resting voltage by state of charge, a typical published discharge table. */
export const LI_ION_1S_OCV: ReadonlyArray<readonly [number, number]> = [
  [0, 3.0], [5, 3.45], [10, 3.6], [20, 3.7], [30, 3.75], [40, 3.79], [50, 3.83], [60, 3.87], [70, 3.92], [80, 3.98], [90, 4.06], [100, 4.18],
];

export function interpolate(table: ReadonlyArray<readonly [number, number]>, x: number): number {
  if (x <= table[0]![0]) return table[0]![1];
  for (let i = 1; i < table.length; i++) {
    const [x1, y1] = table[i]!;
    if (x <= x1) {
      const [x0, y0] = table[i - 1]!;
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return table[table.length - 1]![1];
}

export const halfSineDaylight = (t: number) => (t > 0.25 && t < 0.75 ? Math.sin((Math.PI * (t - 0.25)) / 0.5) : 0);

const DAY_MS = 86_400_000;
/** Integration step in clock ms. */
const STEP_MS = 1000;

export class SolarSim {
  readonly dayMs: number;
  /** Simulated ms per clock ms. */
  readonly timeScale: number;
  private readonly clock: { now(): number };
  private readonly o: Required<Omit<SolarSimOptions, 'clock' | 'dayMs' | 'startSoc' | 'startTimeOfDay'>>;
  private readonly t0: number;
  private readonly startTimeOfDay: number;
  private soc: number;
  private t: number;

  constructor(options: SolarSimOptions = {}) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.dayMs = options.dayMs ?? 600_000;
    if (!(this.dayMs > 0)) throw new RangeError(`dayMs must be positive, got ${this.dayMs}`);
    this.timeScale = DAY_MS / this.dayMs;
    this.o = {
      capacityAh: options.capacityAh ?? 10,
      panelPeakWatts: options.panelPeakWatts ?? 6,
      panelVolts: options.panelVolts ?? 6,
      loadWatts: options.loadWatts ?? 0.8,
      chargeEfficiency: options.chargeEfficiency ?? 0.9,
      voltsAt: options.voltsAt ?? ((soc) => interpolate(LI_ION_1S_OCV, soc)),
      internalOhms: options.internalOhms ?? 0.05,
      irradiance: options.irradiance ?? halfSineDaylight,
    };
    if (!(this.o.capacityAh > 0)) throw new RangeError(`capacityAh must be positive, got ${this.o.capacityAh}`);
    this.soc = Math.max(0, Math.min(100, options.startSoc ?? 60));
    this.startTimeOfDay = options.startTimeOfDay ?? 0.3;
    this.t0 = this.t = this.clock.now();
  }

  /** Simulated midnights passed since the start (0 on the simulated day the sim started in): the simulated
   * calendar, for what counts per day (energy today) and must not run on across a 10-minute day. */
  simulatedDays(): number {
    return Math.floor(this.startTimeOfDay + (this.clock.now() - this.t0) / this.dayMs);
  }

  /** Changes the load from now on (a test walking the battery down). */
  setLoadWatts(watts: number): void {
    this.advance();
    this.o.loadWatts = watts;
  }

  /** Sets the state of charge (0–100) from now on. */
  setSoc(soc: number): void {
    this.advance();
    this.soc = Math.max(0, Math.min(100, soc));
  }

  snapshot(): SolarSnapshot {
    this.advance();
    return { at: this.t, soc: this.soc, ...this.flows(this.t, this.soc) };
  }

  /** The world as an emulated chip's channels see it: `channels` maps roles to channel numbers (INA3221: 1–3). */
  source(channels: Partial<Record<Role, number>>): ChannelSource {
    const byChannel = new Map<number, Role>();
    for (const [role, ch] of Object.entries(channels)) if (ch !== undefined) byChannel.set(ch, role as Role);
    return (channel) => {
      const role = byChannel.get(channel);
      return role ? this.snapshot()[role] : { volts: 0, amps: 0 };
    };
  }

  private timeOfDay(t: number): number {
    const f = this.startTimeOfDay + (t - this.t0) / this.dayMs;
    return f - Math.floor(f);
  }

  private flows(t: number, soc: number): Omit<SolarSnapshot, 'at' | 'soc'> {
    const o = this.o;
    const timeOfDay = this.timeOfDay(t);
    const irradiance = Math.max(0, Math.min(1, o.irradiance(timeOfDay)));
    let panelW = o.panelPeakWatts * irradiance;
    // An empty battery's protection cuts the load off until the sun has charged it a little.
    const loadW = soc <= 0 ? 0 : o.loadWatts;
    let netW = panelW * o.chargeEfficiency - loadW;
    if (soc >= 100 && netW > 0) {
      // Full: the charger stops charging and takes from the panel only what the load needs.
      panelW = loadW / o.chargeEfficiency;
      netW = 0;
    }
    const ocv = o.voltsAt(soc);
    const batteryAmps = netW / ocv;
    const batteryVolts = ocv + batteryAmps * o.internalOhms;
    const panelVolts = irradiance > 0 ? o.panelVolts * (0.85 + 0.15 * irradiance) : 0;
    return {
      timeOfDay,
      irradiance,
      battery: { volts: batteryVolts, amps: batteryAmps },
      panel: { volts: panelVolts, amps: panelVolts > 0 ? panelW / panelVolts : 0 },
      load: { volts: batteryVolts, amps: loadW / batteryVolts },
    };
  }

  /** Integrates charge up to the clock's now in steps of at most STEP_MS. */
  private advance(): void {
    const now = this.clock.now();
    while (this.t < now) {
      const dt = Math.min(STEP_MS, now - this.t);
      const { battery } = this.flows(this.t, this.soc);
      const hours = (dt * this.timeScale) / 3_600_000;
      this.soc = Math.max(0, Math.min(100, this.soc + (100 * battery.amps * hours) / this.o.capacityAh));
      this.t += dt;
    }
  }
}
