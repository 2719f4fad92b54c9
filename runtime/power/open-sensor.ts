/**
 * The sensor the `power:` section names (drivers/power/create-power-sensor.ts): an INA on /dev/i2c-<bus> (the
 * `i2c-bus` package is loaded only then), or for `hal: sim` the same driver on an emulated chip measuring a simulated
 * battery, panel and load on a fast day (drivers/power/sim/solar-sim.ts), whose battery follows the configured
 * chemistry's curve and capacity.
 *
 * The simulated world starts at 18:00 with the battery at 45 %: within the first night (about five minutes of a
 * 10-minute day) the charge falls through the first policies' thresholds, and the morning sun lifts them again, so
 * the policies can be watched on a laptop without waiting; it stays above the shutdown threshold (a demo that stops
 * itself would show nothing).
 */
import type { Clock } from '../../lib/clock/clock.js';
import type { PowerSensor } from '../../drivers/power/power-sensor.js';
import type { PowerConfig } from '../config/config.js';
import { CHEMISTRIES, restingVoltsAt } from './chemistry.js';
import { localDay } from './energy-today.js';

export interface OpenedSensor {
  sensor: PowerSensor;
  /** Simulated hours per clock hour (hal: sim: a fast day). */
  timeScale?: number;
  /** A sampling interval that suits the sensor (hal: sim: faster, to follow the fast day). */
  intervalMs?: number;
  /** The day a wall-clock instant counts in for today's energy (hal: sim: the simulated calendar, a day every
   * 10 minutes; real sensors: the local date, energy-today.ts). */
  dayOf?: (wallMs: number) => string;
}

/** `hal: sim`: samples every 5 s, a simulated 12 minutes of the 10-minute day. */
const SIM_INTERVAL_MS = 5000;

export async function openPowerSensor(p: PowerConfig, clock: Clock): Promise<OpenedSensor> {
  const { createPowerSensor, createSimulatedPowerSensor } = await import('../../drivers/power/create-power-sensor.js');
  const sensor = p.sensor!;
  const options = {
    sensor,
    address: p.address,
    maxCurrentA: p.maxCurrentA,
    // The INA260's shunt is inside the chip; the INA3221's channel map without the channels wired to nothing (0).
    ...(sensor !== 'ina260' ? { shuntOhms: p.shuntOhms } : {}),
    ...(sensor === 'ina3221' ? { channels: Object.fromEntries(Object.entries(p.channels).filter(([, ch]) => ch !== 0)) } : {}),
  };
  if (p.hal === 'sim') {
    const chemistry = CHEMISTRIES[p.chemistry];
    const sim = createSimulatedPowerSensor({ ...options, hal: 'sim' }, {
      clock,
      sim: { capacityAh: p.capacityAh, voltsAt: (soc) => restingVoltsAt(chemistry, soc), startSoc: 45, startTimeOfDay: 0.75, panelVolts: Math.max(6, restingVoltsAt(chemistry, 100) * 1.25) },
    });
    // The simulated calendar starts on the wall date of the first question (the monitor's start) and turns at each
    // simulated midnight: with the wall date, "today" ran on across the fast days (144 of them a real day).
    let start: Date | undefined;
    const dayOf = (wallMs: number) => {
      start ??= new Date(wallMs);
      return localDay(new Date(start.getFullYear(), start.getMonth(), start.getDate() + sim.sim.simulatedDays()).getTime());
    };
    return { sensor: sim.sensor, timeScale: sim.sim.timeScale, intervalMs: SIM_INTERVAL_MS, dayOf };
  }
  return { sensor: await createPowerSensor({ ...options, bus: p.bus }, { clock }) };
}
