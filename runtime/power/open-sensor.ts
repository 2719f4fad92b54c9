/**
 * The sensor the `power:` section names. Until the drivers (drivers/power/create-power-sensor.ts) are in this tree,
 * a configured sensor is refused with PowerSensorUnavailableError.
 */
import type { Clock } from '../../lib/clock/clock.js';
import type { PowerSensor } from '../../drivers/power/power-sensor.js';
import type { PowerConfig } from '../config/config.js';

export interface OpenedSensor {
  sensor: PowerSensor;
  /** Simulated hours per clock hour (hal: sim: a fast day). */
  timeScale?: number;
  /** A sampling interval that suits the sensor (hal: sim: faster, to follow the fast day). */
  intervalMs?: number;
}

export async function openPowerSensor(p: PowerConfig, _clock: Clock): Promise<OpenedSensor> {
  throw new Error(`power sensor ${p.sensor}: the drivers are not in this build yet`);
}
