/**
 * The datasheets' own worked examples, register by register, through the emulators and through the drivers:
 * - INA219 SBOS448 §8.5.1 configure/measure/calculate example (rev F Table 3): 10 A load, 12 V common mode,
 *   RSHUNT 2 mΩ, 40 mV shunt range, 16 V bus range → Configuration 019Fh, Shunt 07D0h, Bus 5D98h, Calibration
 *   5000h, Current 2710h (10.0 A at 1 mA), Power 1766h (119.8 W at 20 mW).
 * - INA226 SBOS547 §7.5 configure/measure/calculate example (2011 Table 1): same circuit → Configuration 4127h,
 *   Shunt 1F40h, Bus 2570h, Calibration 0A00h, Current 2710h, Power 12B8h (119.82 W at 25 mW).
 * - INA3221 SBOS576: −80 mV is C180h; full scale 7FF8h is 163.8 mV and 32.76 V.
 * - INA260 SBOS656C §8.5.1: no worked example there; the vector checks the fixed LSBs (1.25 mA, 1.25 mV, 10 mW).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../lib/testing/manual-clock.js';
import { ina219Calibration, ina226Calibration } from './calibration.js';
import { Ina219Sensor } from './ina219.js';
import { Ina226Sensor } from './ina226.js';
import { Ina260Sensor } from './ina260.js';
import { Ina3221Sensor } from './ina3221.js';
import { Ina219, Ina226, Ina260 } from './registers.js';
import { EmulatedI2cBus } from './sim/emulated-i2c-bus.js';
import { EmulatedIna219 } from './sim/emulated-ina219.js';
import { EmulatedIna226 } from './sim/emulated-ina226.js';
import { EmulatedIna260 } from './sim/emulated-ina260.js';
import { EmulatedIna3221 } from './sim/emulated-ina3221.js';

const EXAMPLE = { volts: 11.98, amps: 10 }; // 12 V supply minus the 20 mV drop of 10 A in 2 mΩ

function setup<C extends EmulatedIna219 | EmulatedIna226 | EmulatedIna260 | EmulatedIna3221>(make: (clock: ManualClock) => C, address = 0x40) {
  const clock = new ManualClock(0, { autoAdvance: true });
  const chip = make(clock);
  const bus = new EmulatedI2cBus().attach(address, chip);
  return { clock, chip, bus };
}

test('INA219 §8.5.1 example: the emulator produces the datasheet register contents', async () => {
  const { clock, chip, bus } = setup((clock) => new EmulatedIna219({ clock, shuntOhms: 0.002 }));
  chip.setInput(1, EXAMPLE);
  await bus.writeWord(0x40, Ina219.reg.CONFIG, 0x019f);
  await bus.writeWord(0x40, Ina219.reg.CALIBRATION, 0x5000);
  clock.advance(2);
  assert.is(await bus.readWord(0x40, Ina219.reg.SHUNT_VOLTAGE), 0x07d0);
  assert.is((await bus.readWord(0x40, Ina219.reg.BUS_VOLTAGE)) & ~Ina219.BUS_CNVR, 0x5d98);
  assert.is(await bus.readWord(0x40, Ina219.reg.CALIBRATION), 0x5000);
  assert.is(await bus.readWord(0x40, Ina219.reg.CURRENT), 0x2710);
  assert.is(await bus.readWord(0x40, Ina219.reg.POWER), 0x1766);
  // Reading Power cleared CNVR (§8.6.3.2): now the Bus register reads exactly as printed.
  assert.is(await bus.readWord(0x40, Ina219.reg.BUS_VOLTAGE), 0x5d98);
});

test('INA219 §8.5.1 example: Current_LSB 1 mA with 2 mΩ gives Cal 20480 (5000h), and the driver reads 10 A, 11.98 V, 119.8 W', async () => {
  // Current_LSB = maxCurrentA / 2^15 = 1 mA ⇔ maxCurrentA = 32.768 A.
  const cal = ina219Calibration(0.002, 32.768);
  assert.is(cal.cal, 0x5000);
  assert.is(cal.currentLsbA, 0.001);
  assert.ok(Math.abs(cal.powerLsbW - 0.02) < 1e-15);
  const { clock, chip, bus } = setup((clock) => new EmulatedIna219({ clock, shuntOhms: 0.002 }));
  chip.setInput(1, EXAMPLE);
  const sensor = new Ina219Sensor({ bus, address: 0x40, clock, shuntOhms: 0.002, maxCurrentA: 32.768 });
  await sensor.init();
  assert.is(chip.peek(Ina219.reg.CALIBRATION), 0x5000);
  const r = (await sensor.read()).battery!;
  assert.ok(Math.abs(r.amps - 10) < 1e-9, `amps ${r.amps}`);
  assert.ok(Math.abs(r.volts - 11.98) < 1e-9, `volts ${r.volts}`);
  assert.ok(Math.abs(r.watts - 119.8) < 1e-9, `watts ${r.watts}`);
  assert.equal(chip.driverFaults, []);
});

test('INA226 §7.5 example: the emulator produces the datasheet register contents', async () => {
  const { clock, chip, bus } = setup((clock) => new EmulatedIna226({ clock, shuntOhms: 0.002 }));
  chip.setInput(1, EXAMPLE);
  assert.is(await bus.readWord(0x40, Ina226.reg.CONFIG), 0x4127);
  await bus.writeWord(0x40, Ina226.reg.CALIBRATION, 0x0a00);
  clock.advance(3);
  assert.is(await bus.readWord(0x40, Ina226.reg.SHUNT_VOLTAGE), 0x1f40);
  assert.is(await bus.readWord(0x40, Ina226.reg.BUS_VOLTAGE), 0x2570);
  assert.is(await bus.readWord(0x40, Ina226.reg.CALIBRATION), 0x0a00);
  assert.is(await bus.readWord(0x40, Ina226.reg.CURRENT), 0x2710);
  assert.is(await bus.readWord(0x40, Ina226.reg.POWER), 0x12b8);
});

test('INA226 §7.5 example: Current_LSB 1 mA with 2 mΩ gives CAL 2560 (0A00h), and the driver reads 10 A, 11.98 V, 119.8 W', async () => {
  const cal = ina226Calibration(0.002, 32.768);
  assert.is(cal.cal, 0x0a00);
  assert.is(cal.currentLsbA, 0.001);
  const { clock, chip, bus } = setup((clock) => new EmulatedIna226({ clock, shuntOhms: 0.002 }));
  chip.setInput(1, EXAMPLE);
  const sensor = new Ina226Sensor({ bus, address: 0x40, clock, shuntOhms: 0.002, maxCurrentA: 32.768 });
  await sensor.init();
  const r = (await sensor.read()).battery!;
  assert.ok(Math.abs(r.amps - 10) < 1e-9, `amps ${r.amps}`);
  assert.ok(Math.abs(r.volts - 11.98) < 1e-9, `volts ${r.volts}`);
  // 4792 × 25 mW = 119.8 W (the datasheet prints 119.82 W for the same register value).
  assert.ok(Math.abs(r.watts - 4792 * 0.025) < 1e-9, `watts ${r.watts}`);
  assert.equal(chip.driverFaults, []);
});

test('INA3221: −80 mV reads C180h and the full scale 7FF8h is 163.8 mV and 32.76 V; the driver converts both', async () => {
  const { clock, chip, bus } = setup((clock) => new EmulatedIna3221({ clock, shuntOhms: 0.1 }), 0x42);
  chip.setInput(1, { volts: 32.76, amps: -0.8 }); // −80 mV across 0.1 Ω
  chip.setInput(2, { volts: 40, amps: 5 }); // beyond both full scales: clamps
  clock.advance(10);
  assert.is(await bus.readWord(0x42, 0x01), 0xc180);
  assert.is(await bus.readWord(0x42, 0x02), 0x7ff8);
  assert.is(await bus.readWord(0x42, 0x03), 0x7ff8);
  assert.is(await bus.readWord(0x42, 0x04), 0x7ff8);
  const sensor = new Ina3221Sensor({ bus, address: 0x42, clock, shuntOhms: 0.1, maxCurrentA: 1.6, channels: { battery: 1, panel: 2 } });
  await sensor.init();
  const r = await sensor.read();
  assert.ok(Math.abs(r.battery!.amps + 0.8) < 1e-9, `battery amps ${r.battery!.amps}`);
  assert.ok(Math.abs(r.battery!.volts - 32.76) < 1e-9);
  assert.ok(Math.abs(r.panel!.amps - 1.638) < 1e-9, `panel amps ${r.panel!.amps}`);
  assert.is(r.load, undefined);
});

test('INA260: the fixed LSBs, 10 A at 12 V read 1F40h, 2580h and 12000 × 10 mW', async () => {
  const { clock, chip, bus } = setup((clock) => new EmulatedIna260({ clock }));
  chip.setInput(1, { volts: 12, amps: 10 });
  clock.advance(3);
  assert.is(await bus.readWord(0x40, Ina260.reg.CURRENT), 0x1f40);
  assert.is(await bus.readWord(0x40, Ina260.reg.BUS_VOLTAGE), 0x2580);
  assert.is(await bus.readWord(0x40, Ina260.reg.POWER), 12000);
  const sensor = new Ina260Sensor({ bus, address: 0x40, clock });
  await sensor.init();
  const r = (await sensor.read()).battery!;
  assert.ok(Math.abs(r.amps - 10) < 1e-9 && Math.abs(r.volts - 12) < 1e-9 && Math.abs(r.watts - 120) < 1e-9, JSON.stringify(r));
});

test.run();
