/**
 * The power monitor: samples the sensor on an injected clock, turns each reading into the relay's power figures
 * (state of charge, battery volts and amps, panel and load watts, energy in and out today) and keeps the state of
 * charge and today's energy across restarts (power-state-file.ts).
 *
 * A sensor that fails never stops the relay: a read that rejects (NAK, a missing chip), hangs (a stuck bus: the read
 * is abandoned after `readTimeoutMs`) or returns what no battery can give (ImplausibleReadingError) is reported once
 * per kind of failure, counted, and retried after a back-off that doubles from the sampling interval up to
 * `maxBackoffMs`; before each retry the chip is programmed again (a brown-out resets its calibration to 0). Until a
 * good reading comes, the last figures stand (marked stale in status) and no policy changes on missing data.
 */
import type { Clock } from '../../lib/clock/clock.js';
import { TypedEmitter } from '../../lib/events/typed-emitter.js';
import type { PowerReading, PowerSensor } from '../../drivers/power/power-sensor.js';
import type { Logger } from '../log/logger.js';
import { ChargeEstimator, type SocSource } from './charge-estimator.js';
import type { Chemistry, ChemistryName } from './chemistry.js';
import { EnergyToday, localDay, type EnergyTotals } from './energy-today.js';
import { ImplausibleReadingError, NoBatteryChannelError, PowerSensorTimeoutError } from './errors.js';
import type { PowerStateFile, SavedPowerState } from './power-state-file.js';

export interface PowerStatus {
  /** The sensor as its driver describes it (`ina3221 @0x40 on /dev/i2c-1`). */
  sensor: string;
  chemistry: ChemistryName;
  capacityAh: number;
  /** The last read succeeded and is recent (within three back-off periods). */
  ok: boolean;
  /** 0..100, one decimal; absent before the first good reading. */
  stateOfCharge?: number;
  /** Where the state of charge came from: the first voltage, the value saved before a restart, or counting since. */
  stateOfChargeSource?: SocSource;
  batteryVolts?: number;
  /** Positive while charging. */
  batteryAmps?: number;
  batteryWatts?: number;
  panelVolts?: number;
  panelWatts?: number;
  loadWatts?: number;
  /** Local date and its totals, watt-hours. */
  energyToday: EnergyTotals & { day: string };
  /** Wall-clock ms of the last good reading. */
  lastReadingAt?: number;
  /** Why the last read failed, while it keeps failing. */
  lastError?: string;
  /** Failed reads since the last good one. */
  failures: number;
  /** Times the chip was found reset (calibration lost in a brown-out) and programmed again, where the driver counts. */
  sensorBrownOuts?: number;
}

export interface PowerSample {
  stateOfCharge: number;
  /** What the battery voltage alone says (I·R corrected): the brown-out guard's second opinion (power-runtime.ts). */
  voltageStateOfCharge: number;
  reading: PowerReading;
}

export interface PowerMonitorEvents {
  sample: (s: PowerSample) => void;
  /** A failed read: `reason` is the error's name (`I2cNakError`, `PowerSensorTimeoutError`…). */
  failure: (reason: string, err: Error) => void;
}

export interface PowerMonitorOptions {
  sensor: PowerSensor;
  chemistry: Chemistry;
  capacityAh: number;
  /** Config maxCurrentA: a current well beyond it is a wrong reading. */
  maxCurrentA: number;
  clock: Clock;
  /** Wall-clock ms (days and saves); default Date.now. Tests give virtual time. */
  wallNow?: () => number;
  /** The day a wall-clock instant counts in for today's energy; default its local date (localDay). A simulated
   * battery on a fast day gives its simulated calendar. */
  dayOf?: (wallMs: number) => string;
  stateFile?: PowerStateFile;
  log: Logger;
  /** Default 10 s. */
  intervalMs?: number;
  /** Default 2 s. */
  readTimeoutMs?: number;
  /** Default 5 min. */
  maxBackoffMs?: number;
  /** Default 5 min (and at stop). */
  saveEveryMs?: number;
  /** Simulated hours per clock hour when the sensor measures a simulated battery on a fast day (its charge moves
   * that much faster than the measured amps say over clock time); default 1. */
  timeScale?: number;
}

/** A save older than this is not a starting point: the battery's charge has moved since, the voltage knows better. */
const SAVED_SOC_MAX_AGE_MS = 24 * 3_600_000;

export class PowerMonitor {
  private readonly events = new TypedEmitter<PowerMonitorEvents>();
  private readonly wallNow: () => number;
  private readonly dayOf: (wallMs: number) => string;
  private estimator?: ChargeEstimator;
  private energy?: EnergyToday;
  private last?: PowerReading;
  private lastAt?: number;
  private lastError?: string;
  private failures = 0;
  private saved?: SavedPowerState;
  private lastSaveAt = Number.NEGATIVE_INFINITY;
  private life?: AbortController;
  private loop?: Promise<void>;
  private shutdownFlag = false;
  readonly intervalMs: number;

  constructor(private readonly o: PowerMonitorOptions) {
    this.wallNow = o.wallNow ?? Date.now;
    this.dayOf = o.dayOf ?? localDay;
    this.intervalMs = o.intervalMs ?? 10_000;
  }

  on<E extends keyof PowerMonitorEvents>(event: E, listener: PowerMonitorEvents[E]): () => void {
    return this.events.on(event, listener);
  }

  /** Whether the state saved before this start says the relay had stopped for a low battery. */
  get savedShutdown(): boolean {
    return this.saved?.shutdown === true;
  }

  /** Remembered with the next save: the relay stopped for a low battery (so a restart waits for the charge). */
  set shutdown(on: boolean) {
    this.shutdownFlag = on;
  }

  /** The last good reading (undefined before one). */
  get lastReading(): PowerReading | undefined {
    return this.last;
  }

  get stateOfCharge(): number | undefined {
    return this.estimator?.stateOfCharge;
  }

  /** Loads the saved state and starts sampling; the first reading is taken at once. Never throws for the sensor. */
  async start(): Promise<void> {
    if (this.life) return;
    const o = this.o;
    try {
      this.saved = await o.stateFile?.load();
    } catch (err) {
      o.log.warn('cannot read the saved power state; starting from the battery voltage', { err: String(err) });
    }
    const wall = this.wallNow();
    const s = this.saved;
    const fresh = s !== undefined && wall - s.savedAt >= 0 && wall - s.savedAt < SAVED_SOC_MAX_AGE_MS;
    this.shutdownFlag = s?.shutdown === true;
    this.estimator = new ChargeEstimator({ chemistry: o.chemistry, capacityAh: o.capacityAh, ...(fresh ? { initialSoc: s.stateOfCharge } : {}), ...(o.timeScale ? { timeScale: o.timeScale } : {}) });
    const today = this.dayOf(wall);
    this.energy = new EnergyToday(today, s && s.day === today ? s.energy : undefined, o.timeScale ?? 1);
    const life = (this.life = new AbortController());
    this.loop = this.run(life.signal);
  }

  async stop(): Promise<void> {
    if (!this.life) return;
    this.life.abort();
    await this.loop;
    this.life = undefined;
    await this.save();
    await this.o.sensor.close().catch((err: Error) => this.o.log.warn('closing the power sensor failed', { err: err.message }));
  }

  /** Writes the state file now (also every `saveEveryMs` and at stop); saves never overlap. */
  save(): Promise<void> {
    // Marked when asked, not when done: the loop must not queue another while this one waits for the disk.
    this.lastSaveAt = this.o.clock.now();
    const run = this.saving.then(() => this.saveNow());
    this.saving = run;
    return run;
  }

  private saving: Promise<void> = Promise.resolve();

  private async saveNow(): Promise<void> {
    const soc = this.estimator?.stateOfCharge;
    if (!this.o.stateFile || soc === undefined || !this.energy) return;
    try {
      await this.o.stateFile.save({ version: 1, savedAt: this.wallNow(), stateOfCharge: soc, day: this.energy.day, energy: this.energy.today, ...(this.shutdownFlag ? { shutdown: true } : {}) });
    } catch (err) {
      this.o.log.warn('cannot save the power state', { path: this.o.stateFile.path, err: String(err) });
    }
  }

  status(): PowerStatus {
    const r = this.last;
    const soc = this.estimator?.stateOfCharge;
    const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
    const stale = this.lastAt === undefined || this.o.clock.now() - this.lastAt > 3 * Math.max(this.intervalMs, this.backoffMs());
    const e = this.energy;
    return {
      sensor: this.o.sensor.description,
      chemistry: this.o.chemistry.name,
      capacityAh: this.o.capacityAh,
      ok: this.failures === 0 && !stale,
      ...(soc !== undefined ? { stateOfCharge: round(soc, 1), stateOfChargeSource: this.estimator!.source } : {}),
      ...(r?.battery ? { batteryVolts: round(r.battery.volts, 3), batteryAmps: round(r.battery.amps, 4), batteryWatts: round(r.battery.watts, 3) } : {}),
      ...(r?.panel ? { panelVolts: round(r.panel.volts, 3), panelWatts: round(r.panel.watts, 3) } : {}),
      ...(r?.load ? { loadWatts: round(r.load.watts, 3) } : {}),
      energyToday: e ? { day: e.day, ...roundTotals(e.today) } : { day: this.dayOf(this.wallNow()), inWh: 0, outWh: 0, panelWh: 0, loadWh: 0 },
      ...(this.lastReadingWall !== undefined ? { lastReadingAt: this.lastReadingWall } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      failures: this.failures,
      ...(this.o.sensor.brownOuts !== undefined ? { sensorBrownOuts: this.o.sensor.brownOuts } : {}),
    };
  }

  private lastReadingWall?: number;

  private backoffMs(): number {
    if (this.failures === 0) return this.intervalMs;
    return Math.min(this.o.maxBackoffMs ?? 300_000, this.intervalMs * 2 ** Math.min(20, this.failures));
  }

  private async run(signal: AbortSignal): Promise<void> {
    let needsInit = true;
    for (;;) {
      if (signal.aborted) return;
      try {
        if (needsInit) {
          await this.bounded(this.o.sensor.init(), signal);
          needsInit = false;
        }
        const reading = await this.bounded(this.o.sensor.read(), signal);
        this.take(reading);
      } catch (err) {
        if (signal.aborted) return;
        needsInit = true;
        this.fail(err as Error);
      }
      try {
        await this.o.clock.sleep(this.backoffMs(), { signal, unref: true });
      } catch {
        return;
      }
      // In the background: a slow SD card must not hold up the sampling (nor a test's virtual time).
      if (this.o.clock.now() - this.lastSaveAt >= (this.o.saveEveryMs ?? 300_000)) void this.save();
    }
  }

  /** The sensor's promise, abandoned after readTimeoutMs (a hung bus never answers) or when stopping. */
  private async bounded<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
    const ms = this.o.readTimeoutMs ?? 2000;
    const timer = new AbortController();
    const both = AbortSignal.any([signal, timer.signal]);
    try {
      return await Promise.race([
        p,
        this.o.clock.sleep(ms, { signal: both, unref: true }).then(() => {
          throw new PowerSensorTimeoutError(this.o.sensor.description, ms);
        }),
      ]);
    } finally {
      timer.abort();
      p.catch(() => undefined); // a read abandoned after the timeout may still reject later
    }
  }

  private take(r: PowerReading): void {
    const b = r.battery;
    if (!b) throw new NoBatteryChannelError(this.o.sensor.description);
    const c = this.o.chemistry;
    for (const [role, ch] of Object.entries({ battery: r.battery, panel: r.panel, load: r.load })) {
      if (!ch) continue;
      for (const k of ['volts', 'amps', 'watts'] as const) {
        if (!Number.isFinite(ch[k])) throw new ImplausibleReadingError(`${role}.${k}`, ch[k], 'not a number');
      }
      // Twice the configured maximum: the chip's current register tops out near it; beyond is a wrong calibration.
      if (Math.abs(ch.amps) > 2 * this.o.maxCurrentA) throw new ImplausibleReadingError(`${role}.amps`, ch.amps, `beyond twice maxCurrentA (${this.o.maxCurrentA} A)`);
      if (ch.volts < 0 || ch.volts > 36) throw new ImplausibleReadingError(`${role}.volts`, ch.volts, 'outside the 0-36 V the INA chips measure');
    }
    if (b.volts < c.plausible.minVolts || b.volts > c.plausible.maxVolts) {
      throw new ImplausibleReadingError('battery.volts', b.volts, `no ${c.name} pack reads this (${c.plausible.minVolts.toFixed(2)}-${c.plausible.maxVolts.toFixed(2)} V)`);
    }
    const at = this.o.clock.now();
    const wall = this.wallNow();
    if (this.failures > 0) this.o.log.info('power sensor reads again', { sensor: this.o.sensor.description, afterFailures: this.failures });
    this.failures = 0;
    this.lastError = undefined;
    this.last = r;
    this.lastAt = at;
    this.lastReadingWall = wall;
    const soc = this.estimator!.update(b.volts, b.amps, at);
    this.energy!.add({ batteryWatts: b.volts * b.amps, ...(r.panel ? { panelWatts: r.panel.watts } : {}), ...(r.load ? { loadWatts: r.load.watts } : {}) }, at, this.dayOf(wall));
    this.events.emit('sample', { stateOfCharge: soc, voltageStateOfCharge: this.estimator!.voltageEstimate(b.volts, b.amps), reading: r });
  }

  private fail(err: Error): void {
    const reason = err?.name ?? 'Error';
    const message = err?.message ?? String(err);
    // One line per kind of failure, not one per retry: a missing sensor would otherwise log every back-off.
    if (this.lastError === undefined || !this.lastError.startsWith(`${reason}:`)) {
      this.o.log.warn('power sensor read failed; retrying with back-off (the relay keeps relaying)', { sensor: this.o.sensor.description, reason, err: message });
    }
    this.lastError = `${reason}: ${message}`;
    this.failures++;
    this.events.emit('failure', reason, err);
  }
}

function roundTotals(t: EnergyTotals): EnergyTotals {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { inWh: r(t.inWh), outWh: r(t.outWh), panelWh: r(t.panelWh), loadWh: r(t.loadWh) };
}
