import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';
import { createPowerSensor, createSimulatedPowerSensor, resolvePowerSensorOptions, type PowerSensorOptions } from './create-power-sensor.js';
import { Ina226 } from './registers.js';

const configError = (fn: () => unknown): { name: string; key: string } | undefined => {
  try {
    fn();
  } catch (err) {
    return { name: (err as Error).name, key: (err as { key: string }).key };
  }
  return undefined;
};

test('every bad power: option is refused with PowerSensorConfigError naming its key', () => {
  const table: Array<[unknown, string]> = [
    [{ sensor: 'ina999', bus: 1 }, 'sensor'],
    [{ sensor: 'ina219', bus: 1, hal: 'sim' }, 'bus'],
    [{ sensor: 'ina219' }, 'bus'],
    [{ sensor: 'ina219', hal: 'gpio' }, 'hal'],
    [{ sensor: 'ina219', bus: -1 }, 'bus'],
    [{ sensor: 'ina219', bus: 1.5 }, 'bus'],
    [{ sensor: 'ina219', bus: 1, channels: { battery: 1 } }, 'channels'],
    [{ sensor: 'ina3221', bus: 1, channels: { battery: 1, panel: 1 } }, 'channels.panel'],
    [{ sensor: 'ina3221', bus: 1, channels: { battery: 4 } }, 'channels.battery'],
    [{ sensor: 'ina3221', bus: 1, channels: { solar: 2 } }, 'channels.solar'],
    [{ sensor: 'ina3221', bus: 1, channels: {} }, 'channels'],
  ];
  for (const [options, key] of table) {
    assert.equal(configError(() => resolvePowerSensorOptions(options as PowerSensorOptions)), { name: 'PowerSensorConfigError', key }, JSON.stringify(options));
  }
});

test('defaults: address 0x40, shunt 0.1 Ω, maxCurrentA the chip\'s shunt full scale (INA260: 15 A)', () => {
  const r = (o: PowerSensorOptions) => resolvePowerSensorOptions(o);
  assert.equal([r({ sensor: 'ina219', bus: 1 }).address, r({ sensor: 'ina219', bus: 1 }).shuntOhms], [0x40, 0.1]);
  assert.ok(Math.abs(r({ sensor: 'ina219', bus: 1 }).maxCurrentA - 3.2) < 1e-9);
  assert.ok(Math.abs(r({ sensor: 'ina226', bus: 1 }).maxCurrentA - Ina226.SHUNT_FULL_SCALE_V / 0.1) < 1e-9);
  assert.ok(Math.abs(r({ sensor: 'ina3221', hal: 'sim' }).maxCurrentA - 1.638) < 1e-9);
  assert.is(r({ sensor: 'ina260', bus: 1 }).maxCurrentA, 15);
});

test('a calibration that cannot work is refused before the bus is touched', async () => {
  const touched: string[] = [];
  const exists = (p: string) => { touched.push(p); return true; };
  const cases: Array<[PowerSensorOptions, string]> = [
    [{ sensor: 'ina219', bus: 1, shuntOhms: 0.1, maxCurrentA: 5 }, 'maxCurrentA'],
    [{ sensor: 'ina226', bus: 1, shuntOhms: 0.1, maxCurrentA: 1 }, 'maxCurrentA'],
    [{ sensor: 'ina3221', bus: 1, shuntOhms: 0.1, maxCurrentA: 2 }, 'maxCurrentA'],
    [{ sensor: 'ina260', bus: 1, maxCurrentA: 20 }, 'maxCurrentA'],
    [{ sensor: 'ina219', bus: 1, shuntOhms: 0 }, 'shuntOhms'],
    [{ sensor: 'ina3221', bus: 1, address: 0x44 }, 'address'],
    [{ sensor: 'ina226', bus: 1, address: 0x50 }, 'address'],
  ];
  for (const [o, key] of cases) {
    const err = (await createPowerSensor(o, { exists }).then(() => undefined, (e: Error) => e)) as (Error & { key?: string }) | undefined;
    assert.is(err?.name, 'PowerSensorConfigError', JSON.stringify(o));
    assert.is(err?.key, key, JSON.stringify(o));
  }
  assert.equal(touched, []);
});

test('bus: N on a machine without /dev/i2c-N → I2cBusMissingError', async () => {
  const err = await createPowerSensor({ sensor: 'ina219', bus: 3 }, { exists: () => false }).then(() => undefined, (e: Error) => e);
  assert.is(err?.name, 'I2cBusMissingError');
});

test('hal: sim with the ina3221 reads the simulated battery, panel and load through the emulated chip', async () => {
  const clock = new VirtualClock();
  const { sensor, sim } = createSimulatedPowerSensor({ sensor: 'ina3221', hal: 'sim' }, { clock, sim: { startTimeOfDay: 0.5, startSoc: 50 } });
  assert.match(sensor.description, /ina3221 @0x40 on sim:i2c \(simulated battery and panel\)/);
  await sensor.init();
  const r = await sensor.read();
  const s = sim.snapshot();
  for (const role of ['battery', 'panel', 'load'] as const) {
    assert.ok(Math.abs(r[role]!.volts - s[role].volts) <= 0.008, `${role} volts ${r[role]!.volts} vs ${s[role].volts}`);
    assert.ok(Math.abs(r[role]!.amps - s[role].amps) <= 0.0005, `${role} amps ${r[role]!.amps} vs ${s[role].amps}`);
  }
  assert.ok(r.panel!.watts > 5, 'noon sun');
  await sensor.close();
});

test('createPowerSensor with hal: sim, over a simulated day: the panel harvests by day, the battery discharges at night', async () => {
  const clock = new VirtualClock();
  const sensor = await createPowerSensor({ sensor: 'ina3221', hal: 'sim', channels: { battery: 2, panel: 1, load: 3 } }, { clock, sim: { startTimeOfDay: 0 } });
  await sensor.init();
  const night = await sensor.read();
  assert.ok(night.panel!.watts === 0 && night.battery!.amps < 0, JSON.stringify(night));
  await clock.sleep(300_000); // to noon
  const noon = await sensor.read();
  assert.ok(noon.panel!.watts > 5 && noon.battery!.amps > 0, JSON.stringify(noon));
  await sensor.close();
});

test('hal: sim with a single-channel chip measures the simulated battery', async () => {
  for (const kind of ['ina219', 'ina226', 'ina260'] as const) {
    const clock = new VirtualClock();
    const { sensor, sim } = createSimulatedPowerSensor({ sensor: kind, hal: 'sim', shuntOhms: 0.1, maxCurrentA: kind === 'ina226' ? 0.8 : undefined }, { clock, sim: { startTimeOfDay: 0.5 } });
    await sensor.init();
    const r = await sensor.read();
    assert.equal(Object.keys(r).sort(), ['at', 'battery']);
    assert.ok(Math.abs(r.battery!.volts - sim.snapshot().battery.volts) < 0.005, kind);
    await sensor.close();
  }
});

test('hal: sim on the real clock (as the daemon runs it): init waits for the emulated conversion and reads', async () => {
  const sensor = await createPowerSensor({ sensor: 'ina3221', hal: 'sim' });
  await sensor.init();
  const r = await sensor.read();
  assert.ok(r.battery && r.panel && r.load, JSON.stringify(r));
  assert.ok(r.battery.volts > 3 && r.battery.volts < 4.3, `battery volts ${r.battery.volts}`);
  await sensor.close();
});

test.run();
