/**
 * The one place a PowerSensor is made from the `power:` keys the issue spells (sensor, bus | hal: sim, address,
 * shuntOhms, maxCurrentA, channels). The relay's other `power:` keys (chemistry, capacityAh, policies) are the
 * runtime's; they are not read here.
 *
 * `bus: N` opens /dev/i2c-N through `i2c-bus` (loaded only then); `hal: 'sim'` puts the same driver on an emulated
 * bus whose chip measures a simulated battery, panel and load (sim/solar-sim.ts). The sensor returned is not
 * initialised: the caller runs init() (and retries it with back-off when the chip is absent).
 */
import type { Clock } from '../../lib/clock/clock.js';
import { systemClock } from '../../lib/clock/clock.js';
import type { ModuleLoader } from '../hal/module-loader.js';
import { PowerSensorConfigError } from './errors.js';
import type { I2cBus } from './i2c-bus.js';
import { Ina219Sensor } from './ina219.js';
import { Ina226Sensor } from './ina226.js';
import { Ina260Sensor } from './ina260.js';
import { checkChannelMap, DEFAULT_CHANNELS, Ina3221Sensor, type ChannelMap } from './ina3221.js';
import type { InaSensor } from './ina-sensor.js';
import { openLinuxI2cBus } from './linux-i2c-bus.js';
import { DEFAULT_ADDRESS, Ina226, Ina3221 } from './registers.js';
import { EmulatedI2cBus } from './sim/emulated-i2c-bus.js';
import { EmulatedIna219 } from './sim/emulated-ina219.js';
import { EmulatedIna226 } from './sim/emulated-ina226.js';
import { EmulatedIna260 } from './sim/emulated-ina260.js';
import { EmulatedIna3221 } from './sim/emulated-ina3221.js';
import type { RegisterChip } from './sim/register-chip.js';
import { SolarSim, type SolarSimOptions } from './sim/solar-sim.js';
import { TimedI2cBus } from './timed-i2c-bus.js';

export const SENSOR_KINDS = ['ina219', 'ina226', 'ina260', 'ina3221'] as const;
export type SensorKind = (typeof SENSOR_KINDS)[number];

/** The `power:` keys of the issue that choose and calibrate the sensor. */
export interface PowerSensorOptions {
  sensor: SensorKind;
  /** /dev/i2c-N. Exactly one of `bus` and `hal`. */
  bus?: number;
  hal?: 'sim';
  /** 7-bit address; default 0x40. */
  address?: number;
  /** Shunt resistance, Ω; default 0.1 (the R100 of the common breakouts). Ignored by the INA260 (2 mΩ inside). */
  shuntOhms?: number;
  /** Largest current to measure, A; default the chip's shunt full scale with that shunt (INA219 0.32 V/R, INA226
   * 0.08192 V/R, INA3221 0.1638 V/R; INA260 15 A). */
  maxCurrentA?: number;
  /** INA3221 only: role → channel 1–3 (checked); default { battery: 1, panel: 2, load: 3 }. */
  channels?: Partial<Record<'battery' | 'panel' | 'load', number>>;
}

export interface PowerSensorDeps {
  clock?: Clock;
  /** Per-transfer limit on the bus, ms (default 100). */
  timeoutMs?: number;
  loader?: ModuleLoader;
  /** For tests: whether /dev/i2c-N exists. */
  exists?: (path: string) => boolean;
  /** `hal: sim`: the simulated world (default: a 10-minute day; see solar-sim.ts). */
  sim?: SolarSimOptions;
}

export const DEFAULT_SHUNT_OHMS = 0.1;

/** Checks the options and fills the defaults, reporting the first bad key by its name. */
export function resolvePowerSensorOptions(options: PowerSensorOptions): Required<Omit<PowerSensorOptions, 'bus' | 'hal' | 'channels'>> & Pick<PowerSensorOptions, 'bus' | 'hal' | 'channels'> {
  if (!SENSOR_KINDS.includes(options.sensor)) throw new PowerSensorConfigError('sensor', `must be one of ${SENSOR_KINDS.join(', ')}, got ${String(options.sensor)}`);
  if (options.bus !== undefined && options.hal !== undefined) throw new PowerSensorConfigError('bus', 'give either bus (a /dev/i2c-N number) or hal: sim, not both');
  if (options.bus === undefined && options.hal === undefined) throw new PowerSensorConfigError('bus', 'missing: give the I2C bus number (1 for /dev/i2c-1 on a Raspberry Pi) or hal: sim');
  if (options.hal !== undefined && options.hal !== 'sim') throw new PowerSensorConfigError('hal', `the only HAL for power sensors is sim, got ${String(options.hal)}`);
  if (options.bus !== undefined && !(Number.isInteger(options.bus) && options.bus >= 0)) throw new PowerSensorConfigError('bus', `must be a bus number (0, 1, …), got ${String(options.bus)}`);
  if (options.channels !== undefined && options.sensor !== 'ina3221') throw new PowerSensorConfigError('channels', `only the ina3221 has channels; an ${options.sensor} measures the battery`);
  if (options.channels !== undefined) checkChannelMap(options.channels);
  const shuntOhms = options.shuntOhms ?? DEFAULT_SHUNT_OHMS;
  const fullScaleV = options.sensor === 'ina219' ? 0.32 : options.sensor === 'ina226' ? Ina226.SHUNT_FULL_SCALE_V : Ina3221.SHUNT_FULL_SCALE_V;
  const maxCurrentA = options.maxCurrentA ?? (options.sensor === 'ina260' ? 15 : fullScaleV / shuntOhms);
  return { ...options, address: options.address ?? DEFAULT_ADDRESS, shuntOhms, maxCurrentA };
}

function makeDriver(o: ReturnType<typeof resolvePowerSensorOptions>, bus: I2cBus, busName: string, clock: Clock): InaSensor {
  const common = { bus, busName, address: o.address, clock, ownsBus: true };
  switch (o.sensor) {
    case 'ina219':
      return new Ina219Sensor({ ...common, shuntOhms: o.shuntOhms, maxCurrentA: o.maxCurrentA });
    case 'ina226':
      return new Ina226Sensor({ ...common, shuntOhms: o.shuntOhms, maxCurrentA: o.maxCurrentA });
    case 'ina260':
      return new Ina260Sensor({ ...common, maxCurrentA: o.maxCurrentA });
    case 'ina3221':
      return new Ina3221Sensor({ ...common, shuntOhms: o.shuntOhms, maxCurrentA: o.maxCurrentA, channels: (o.channels as ChannelMap | undefined) ?? DEFAULT_CHANNELS });
  }
}

/** A PowerSensor from config: on /dev/i2c-N, or on the simulated world for `hal: sim`. */
export async function createPowerSensor(options: PowerSensorOptions, deps: PowerSensorDeps = {}): Promise<InaSensor> {
  const o = resolvePowerSensorOptions(options);
  const clock = deps.clock ?? systemClock;
  if (o.hal === 'sim') return createSimulatedPowerSensor(options, deps).sensor;
  // Validate the calibration before touching the bus, so a config mistake is not reported as a missing bus.
  makeDriver(o, nullBus, 'config', clock);
  const bus = await openLinuxI2cBus({ bus: o.bus!, timeoutMs: deps.timeoutMs, clock, loader: deps.loader, exists: deps.exists });
  return makeDriver(o, bus, bus.path, clock);
}

export interface SimulatedPowerSensor {
  sensor: InaSensor;
  /** The emulated chip (faults: brownOut(), nak). */
  chip: RegisterChip;
  /** The emulated bus under the time limit (faults: hang(), release()). */
  bus: EmulatedI2cBus;
  sim: SolarSim;
}

/** `hal: sim`: the configured driver on an emulated bus; the chip measures `sim` (the INA3221 per its channel map,
 * the single-channel chips the battery). */
export function createSimulatedPowerSensor(options: PowerSensorOptions, deps: PowerSensorDeps = {}): SimulatedPowerSensor {
  const o = resolvePowerSensorOptions({ ...options, bus: undefined, hal: 'sim' });
  const clock = deps.clock ?? systemClock;
  const sim = new SolarSim({ clock, ...deps.sim });
  const channels = o.sensor === 'ina3221' ? o.channels ?? DEFAULT_CHANNELS : { battery: 1 };
  const source = sim.source(channels);
  const chipOptions = { clock, source, shuntOhms: o.shuntOhms };
  const chip: RegisterChip =
    o.sensor === 'ina219' ? new EmulatedIna219(chipOptions)
      : o.sensor === 'ina226' ? new EmulatedIna226(chipOptions)
        : o.sensor === 'ina260' ? new EmulatedIna260(chipOptions)
          : new EmulatedIna3221(chipOptions);
  const bus = new EmulatedI2cBus('sim:i2c').attach(o.address, chip);
  const timed = new TimedI2cBus(bus, { path: bus.path, timeoutMs: deps.timeoutMs, clock });
  return { sensor: makeDriver(o, timed, `${bus.path} (simulated battery and panel)`, clock), chip, bus, sim };
}

const nullBus: I2cBus = {
  readWord: () => Promise.reject(new Error('not a bus')),
  writeWord: () => Promise.reject(new Error('not a bus')),
  close: () => Promise.resolve(),
};

