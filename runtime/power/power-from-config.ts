/**
 * The power subsystem from the `power:` section: nothing without a sensor; else the sensor (open-sensor.ts: an INA
 * on /dev/i2c-N, or the emulated INA3221 on a simulated battery and panel for `hal: sim`), the monitor with the
 * state file in the data directory, and the runtime that applies the policies.
 */
import { join } from 'node:path';
import { systemClock, type Clock } from '../../lib/clock/clock.js';
import type { Config } from '../config/config.js';
import { createLogger } from '../log/logger.js';
import { CHEMISTRIES } from './chemistry.js';
import { openPowerSensor, type OpenedSensor } from './open-sensor.js';
import { PowerMonitor } from './power-monitor.js';
import { PowerRuntime } from './power-runtime.js';
import { PowerStateFile } from './power-state-file.js';

export const POWER_STATE_FILE = 'power-state.json';

export interface PowerFromConfigOptions {
  clock?: Clock;
  wallNow?: () => number;
  /** The sensor (tests give a fake); default openPowerSensor. */
  open?: (c: Config) => Promise<OpenedSensor>;
  /** Sampling interval, ms (default 10 s; a simulated fast day samples faster). */
  intervalMs?: number;
  /** How often the state file is written besides at policy changes and stop, ms (PowerMonitor's default: 5 min). */
  saveEveryMs?: number;
}

export async function powerFromConfig(c: Config, o: PowerFromConfigOptions = {}): Promise<PowerRuntime | undefined> {
  if (c.power.sensor === undefined) return undefined;
  const clock = o.clock ?? systemClock;
  const log = createLogger('power');
  let opened: OpenedSensor;
  try {
    opened = await (o.open ?? ((cfg) => openPowerSensor(cfg.power, clock)))(c);
  } catch (err) {
    // No bus (/dev/i2c-N missing, I2C not enabled), no i2c-bus package: nothing to retry. The relay runs without
    // power monitoring rather than not at all. A chip that does not answer is the monitor's to retry.
    log.error('power monitoring off: the sensor cannot be opened', { sensor: c.power.sensor, err: String((err as Error)?.message ?? err), name: (err as Error)?.name });
    return undefined;
  }
  const chemistry = CHEMISTRIES[c.power.chemistry];
  const monitor = new PowerMonitor({
    sensor: opened.sensor, chemistry, capacityAh: c.power.capacityAh, maxCurrentA: c.power.maxCurrentA, clock, log,
    stateFile: new PowerStateFile(join(c.dataDir, POWER_STATE_FILE)),
    ...(o.wallNow ? { wallNow: o.wallNow } : {}),
    ...(opened.timeScale !== undefined ? { timeScale: opened.timeScale } : {}),
    ...(opened.dayOf ? { dayOf: opened.dayOf } : {}),
    intervalMs: o.intervalMs ?? opened.intervalMs ?? 10_000,
    ...(o.saveEveryMs !== undefined ? { saveEveryMs: o.saveEveryMs } : {}),
  });
  log.info('power monitor', { sensor: opened.sensor.description, chemistry: chemistry.name, capacityAh: c.power.capacityAh });
  return new PowerRuntime(c.power, monitor, log);
}
