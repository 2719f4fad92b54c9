/** The `power:` section: the keys issue 16 names, the policy thresholds, every problem reported at once. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../config/errors.js';
import { parseConfig } from '../config/parse-config.js';
import { parseYamlConfig } from '../config/yaml-config.js';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';
import { Ina219Sensor } from '../../drivers/power/ina219.js';
import { EmulatedI2cBus } from '../../drivers/power/sim/emulated-i2c-bus.js';
import { EmulatedIna219 } from '../../drivers/power/sim/emulated-ina219.js';

const HOME = { home: '/home/pi', cwd: '/srv' };

function issuesOf(fn: () => unknown): Array<[string, string]> {
  try {
    fn();
  } catch (err) {
    assert.is((err as Error).name, 'ConfigError');
    return (err as ConfigError).issues.map((i) => [i.path, i.message]);
  }
  assert.unreachable('expected a ConfigError');
  return [];
}

test('the issue\'s example parses as written, YAML hex address included', () => {
  const doc = parseYamlConfig(`
power:
  sensor: ina219
  bus: 1
  address: 0x40
  shuntOhms: 0.1
  maxCurrentA: 3.2
  chemistry: li-ion-1s
  capacityAh: 10
`, 'x.yaml');
  const c = parseConfig(doc, {}, { ...HOME, configFile: '/etc/lattice/x.yaml' });
  assert.equal({ ...c.power, policies: undefined }, {
    sensor: 'ina219', bus: 1, address: 0x40, shuntOhms: 0.1, maxCurrentA: 3.2, chemistry: 'li-ion-1s', capacityAh: 10,
    channels: { battery: 1, panel: 2, load: 3 }, policies: undefined,
  });
  assert.is(c.power.policies.shutdownBelow, 5);
  assert.is(c.power.hal, undefined);
});

test('the issue\'s example block copied whole (comments and the ina3221-only channels line) parses and reads 3 A', async () => {
  const doc = parseYamlConfig(`
power:
  sensor: ina219            # ina219 | ina226 | ina260 | ina3221
  bus: 1                    # /dev/i2c-1; or hal: sim
  address: 0x40
  shuntOhms: 0.1
  maxCurrentA: 3.2
  chemistry: li-ion-1s      # li-ion-1s | li-ion-2s | li-ion-3s | lifepo4-4s | lead-acid-12v
  capacityAh: 10
  channels: { battery: 1, panel: 2, load: 3 }   # ina3221 only
`, 'x.yaml');
  const c = parseConfig(doc, {}, { ...HOME, configFile: '/etc/lattice/x.yaml' });
  assert.equal([c.power.sensor, c.power.shuntOhms, c.power.maxCurrentA], ['ina219', 0.1, 3.2]);
  // It works: the INA219 driver calibrated from these keys on the chip's emulator (PGA /8, ±320 mV) reads the
  // 3 A a relay's radio and Pi may draw at peak, to the LSB (3.2 A / 2^15 = 98 µA).
  const clock = new VirtualClock();
  const chip = new EmulatedIna219({ clock, shuntOhms: c.power.shuntOhms });
  const bus = new EmulatedI2cBus().attach(c.power.address, chip);
  const sensor = new Ina219Sensor({ bus, busName: bus.path, address: c.power.address, clock, ownsBus: true, shuntOhms: c.power.shuntOhms, maxCurrentA: c.power.maxCurrentA });
  chip.setInput(1, { volts: 3.9, amps: 3.0 });
  await sensor.init();
  await clock.sleep(500);
  const r = await sensor.read();
  assert.ok(Math.abs(r.battery!.amps - 3.0) < 0.001, `${r.battery!.amps} A`);
  assert.ok(Math.abs(r.battery!.volts - 3.9) < 0.004, `${r.battery!.volts} V`);
  await sensor.close();
});

test('ina3221 with channels, /dev/i2c-N and a quoted hex address', () => {
  const c = parseConfig({ power: { sensor: 'ina3221', bus: '/dev/i2c-3', address: '0x41', maxCurrentA: 1.6, channels: { battery: 2, panel: 1, load: 0 }, chemistry: 'lifepo4-4s' } }, {}, HOME);
  assert.is(c.power.bus, 3);
  assert.is(c.power.address, 0x41);
  assert.equal(c.power.channels, { battery: 2, panel: 1, load: 0 });
});

test('no power section and a config file: no sensor; the simulated default: an emulated ina3221', () => {
  assert.is(parseConfig({ ip: { peers: ['a:1'] } }, {}, { ...HOME, configFile: '/x.yaml' }).power.sensor, undefined);
  const sim = parseConfig(undefined, {}, HOME);
  assert.is(sim.sim.enabled, true);
  assert.is(sim.power.sensor, 'ina3221');
  assert.is(sim.power.hal, 'sim');
  // A configured sensor wins over the simulated default's.
  assert.is(parseConfig({ sim: true, power: { sensor: 'ina226', maxCurrentA: 0.8 } }, {}, HOME).power.sensor, 'ina226');
  const hal = parseConfig({ power: { sensor: 'ina3221', hal: 'sim' } }, {}, { ...HOME, configFile: '/x.yaml' });
  assert.equal([hal.power.sensor, hal.power.hal, hal.sim.enabled], ['ina3221', 'sim', false]);
});

test('every problem of the section at once, each with its path', () => {
  const issues = issuesOf(() => parseConfig({
    power: {
      sensor: 'ina228', bus: -1, address: 0x90, shuntOhms: 0, maxCurrentA: 'lots', chemistry: 'li-po', capacityAh: 0,
      channels: { battery: 4, solar: 2 }, policies: { shutdownBelow: 120, reducedTxPowerDbm: 30, hysterisis: 5 },
    },
  }, {}, HOME));
  const paths = issues.map(([p]) => p);
  for (const p of ['power.sensor', 'power.bus', 'power.address', 'power.shuntOhms', 'power.maxCurrentA', 'power.chemistry', 'power.capacityAh', 'power.channels.battery', 'power.channels.solar', 'power.policies.shutdownBelow', 'power.policies.reducedTxPowerDbm', 'power.policies.hysterisis']) {
    assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
  }
  assert.match(issues.find(([p]) => p === 'power.sensor')![1], /ina219, ina226, ina260, ina3221/);
  assert.match(issues.find(([p]) => p === 'power.policies.hysterisis')![1], /did you mean "hysteresis"/);
});

test('maxCurrentA left out: the chosen chip\'s full shunt range', () => {
  const at = (power: unknown) => parseConfig({ power }, {}, HOME).power.maxCurrentA;
  assert.is(at({ sensor: 'ina219' }), 3.2);
  assert.is(at({ sensor: 'ina226' }), 0.8192);
  assert.is(at({ sensor: 'ina3221', shuntOhms: 0.05 }), 3.276);
  assert.is(at({ sensor: 'ina260' }), 15);
  assert.is(at({ sensor: 'ina226', maxCurrentA: 0.5 }), 0.5);
  assert.is(parseConfig(undefined, {}, HOME).power.maxCurrentA, 1.638);
});

test('keys checked against each other: address range, shunt range, channels, hal, thresholds', () => {
  const cases: Array<[unknown, Array<string>]> = [
    [{ sensor: "ina3221", address: 0x45 }, ["power.address"]],
    [{ sensor: "ina3221", maxCurrentA: 3.2 }, ["power.maxCurrentA"]],
    [{ sensor: 'ina226', shuntOhms: 0.1, maxCurrentA: 3.2 }, ['power.maxCurrentA']], // 320 mV > 81.92 mV
    [{ sensor: 'ina219', channels: { battery: 1 } }, ['power.channels']],
    [{ sensor: 'ina3221', maxCurrentA: 1, channels: { battery: 1, panel: 1 } }, ['power.channels.panel']],
    [{ sensor: 'ina3221', maxCurrentA: 1, channels: { battery: 0 } }, ['power.channels.battery']],
    [{ sensor: 'ina3221', hal: 'sim', bus: 1 }, ['power.bus']],
    [{ sensor: 'ina260', shuntOhms: 0.002 }, ['power.shuntOhms']],
    [{ sensor: 'ina219', policies: { shutdownBelow: 30, resumeAbove: 20 } }, ['power.policies.resumeAbove']],
  ];
  for (const [power, want] of cases) {
    assert.equal(issuesOf(() => parseConfig({ power }, {}, HOME)).map(([p]) => p), want, JSON.stringify(power));
  }
  // Without a sensor the other keys are not checked against one.
  assert.is(parseConfig({ power: { address: 0x70 } }, {}, { ...HOME, configFile: '/x.yaml' }).power.address, 0x70);
});

test.run();
