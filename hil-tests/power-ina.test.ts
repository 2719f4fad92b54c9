/**
 * The power sensor drivers on a real chip. Set LATTICE_HIL_INA to `<chip>@<bus>:<address>`, e.g. `ina219@1:0x40`
 * (chip: ina219 | ina226 | ina260 | ina3221; bus: N for /dev/i2c-N). Optional: LATTICE_HIL_INA_SHUNT (Ω, default
 * 0.1), LATTICE_HIL_INA_MAX_A (default: the shunt's full scale), LATTICE_HIL_INA_CHANNELS for an INA3221
 * (`battery:1,panel:2,load:3`), LATTICE_HIL_INA_EMPTY an address with nothing on the same bus (checks the NAK
 * path). Needs the optional native package i2c-bus on the board. Skipped (with the reason) otherwise.
 *
 * The brown-out test resets the chip through its configuration's RST bit, which puts every register back at its
 * power-on value exactly as a supply dip does, and checks that the next read programs it again and counts it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPowerSensor, resolvePowerSensorOptions, SENSOR_KINDS, type PowerSensorOptions, type SensorKind } from '../drivers/power/create-power-sensor.js';
import type { InaSensor } from '../drivers/power/ina-sensor.js';
import { openLinuxI2cBus } from '../drivers/power/linux-i2c-bus.js';

const env = process.env;

function fromEnv(): PowerSensorOptions | string {
  const spec = env.LATTICE_HIL_INA;
  if (!spec) return 'LATTICE_HIL_INA is not set (name the chip, e.g. ina219@1:0x40)';
  const m = /^(ina\d+)@(\d+):(0x[0-9a-f]+|\d+)$/i.exec(spec.trim());
  if (!m || !SENSOR_KINDS.includes(m[1]!.toLowerCase() as SensorKind)) return `LATTICE_HIL_INA=${spec} is not <${SENSOR_KINDS.join('|')}>@<bus>:<address>`;
  const options: PowerSensorOptions = { sensor: m[1]!.toLowerCase() as SensorKind, bus: Number(m[2]), address: Number(m[3]) };
  if (env.LATTICE_HIL_INA_SHUNT) options.shuntOhms = Number(env.LATTICE_HIL_INA_SHUNT);
  if (env.LATTICE_HIL_INA_MAX_A) options.maxCurrentA = Number(env.LATTICE_HIL_INA_MAX_A);
  if (env.LATTICE_HIL_INA_CHANNELS) {
    options.channels = Object.fromEntries(env.LATTICE_HIL_INA_CHANNELS.split(',').map((kv) => {
      const [role, ch] = kv.split(':');
      return [role!.trim(), Number(ch)];
    }));
  }
  try {
    resolvePowerSensorOptions(options);
  } catch (err) {
    return `LATTICE_HIL_INA*: ${(err as Error).message}`;
  }
  return options;
}

const options = fromEnv();

if (typeof options === 'string') {
  console.log(`SKIP power INA HIL suite: ${options}`);
  test.skip(`power INA HIL suite (skipped: ${options})`, () => {});
} else {
  const resolved = resolvePowerSensorOptions(options);
  let opened: InaSensor | undefined;
  /** The sensor the first test opened; the later tests fail with this rather than a TypeError when it did not. */
  const sensorOf = (): InaSensor => {
    if (!opened) throw new Error('the sensor did not open (see the first test\'s error)');
    return opened;
  };

  const plausible = (what: string, c: { volts: number; amps: number; watts: number } | undefined) => {
    assert.ok(c, `${what} reported`);
    assert.ok(Number.isFinite(c!.volts) && c!.volts >= 0 && c!.volts <= 36, `${what} volts ${c!.volts}`);
    assert.ok(Number.isFinite(c!.amps) && Math.abs(c!.amps) <= resolved.maxCurrentA * 1.05, `${what} amps ${c!.amps}`);
    // Watts from the chip's Power register (or V × I on the INA3221): within 2 % + 50 mW of V × I.
    const vi = Math.abs(c!.volts * c!.amps);
    assert.ok(Math.abs(Math.abs(c!.watts) - vi) <= 0.02 * vi + 0.05, `${what} watts ${c!.watts} vs V×I ${vi}`);
  };
  const roles = () => (resolved.sensor === 'ina3221' ? Object.keys(resolved.channels ?? { battery: 1, panel: 2, load: 3 }) : ['battery']) as Array<'battery' | 'panel' | 'load'>;

  test('opens the bus, identifies and programs the chip, and reads plausible values', async () => {
    const sensor = (opened = await createPowerSensor(options));
    await sensor.init();
    const r = await sensor.read();
    console.log(`${sensor.description}: ${JSON.stringify(r)}`);
    for (const role of roles()) plausible(role, r[role]);
  });

  test('ten reads in a row stay plausible and no brown-out is counted', async () => {
    const sensor = sensorOf();
    for (let i = 0; i < 10; i++) {
      const r = await sensor.read();
      for (const role of roles()) plausible(role, r[role]);
    }
    assert.is(sensor.brownOuts, 0);
  });

  test('a reset chip (RST, as after a brown-out) is programmed again on the next read and counted', async () => {
    const sensor = sensorOf();
    const raw = await openLinuxI2cBus({ bus: options.bus! });
    try {
      await raw.writeWord(resolved.address, 0x00, 0x8000);
    } finally {
      await raw.close();
    }
    const r = await sensor.read();
    assert.is(sensor.brownOuts, 1);
    for (const role of roles()) plausible(role, r[role]);
  });

  test('an address with nothing on it rejects with I2cNakError', async () => {
    const empty = env.LATTICE_HIL_INA_EMPTY;
    if (!empty) return console.log('  (set LATTICE_HIL_INA_EMPTY to an unused address to check the NAK path)');
    const raw = await openLinuxI2cBus({ bus: options.bus! });
    try {
      const err = await raw.readWord(Number(empty), 0x00).then(() => undefined, (e: Error) => e);
      assert.is(err?.name, 'I2cNakError');
    } finally {
      await raw.close();
    }
  });

  test('close() releases the bus', async () => {
    const sensor = sensorOf();
    await sensor.close();
    assert.is((await sensor.read().then(() => undefined, (e: Error) => e))?.name, 'PowerSensorStateError');
  });
}

test.run();
