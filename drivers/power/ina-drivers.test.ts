/**
 * Driver behaviour beyond the contract: calibration arithmetic and PGA choice, the configuration words written,
 * identity checks, read-back failures, a chip that never converts, INA219 math overflow, `negate`, and the
 * configurations refused because they would hide a brown-out.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../lib/testing/manual-clock.js';
import { ina219Calibration, ina226Calibration } from './calibration.js';
import type { I2cBus } from './i2c-bus.js';
import { Ina219Sensor } from './ina219.js';
import { Ina226Sensor } from './ina226.js';
import { Ina260Sensor } from './ina260.js';
import { Ina3221Sensor } from './ina3221.js';
import { Ina219 } from './registers.js';
import { EmulatedI2cBus } from './sim/emulated-i2c-bus.js';
import { EmulatedIna219 } from './sim/emulated-ina219.js';
import { EmulatedIna226 } from './sim/emulated-ina226.js';
import { EmulatedIna3221 } from './sim/emulated-ina3221.js';

const clockNow = () => new ManualClock(0, { autoAdvance: true });
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e);

/** A bus that rewrites what one register reads. */
function filtered(inner: I2cBus, register: number, f: (v: number) => number): I2cBus {
  return { ...inner, readWord: async (a, r) => (r === register ? f(await inner.readWord(a, r)) : inner.readWord(a, r)), writeWord: inner.writeWord.bind(inner), close: inner.close.bind(inner) };
}

test('INA219 PGA: the smallest range holding maxCurrentA × shuntOhms (40/80/160/320 mV)', () => {
  const pga = (a: number) => ina219Calibration(0.1, a).pga;
  assert.equal([pga(0.35), pga(0.5), pga(1.5), pga(3.2)], [0, 1, 2, 3]);
});

test('the issue\'s example (0.1 Ω, 3.2 A): INA219 Cal 4194 (even), LSB 97.66 µA; Cal clamps to FFFEh for a tiny maxCurrentA', () => {
  const c = ina219Calibration(0.1, 3.2);
  assert.is(c.cal, 4194);
  assert.ok(Math.abs(c.currentLsbA - 0.04096 / (4194 * 0.1)) < 1e-15);
  const tiny = ina219Calibration(0.1, 0.01);
  assert.is(tiny.cal, 0xfffe);
  assert.ok(tiny.currentLsbA > 0.01 / 2 ** 15, 'coarser than asked, never finer');
  const c226 = ina226Calibration(0.1, 0.8);
  assert.is(c226.cal, Math.floor(0.00512 / ((0.8 / 32768) * 0.1)));
  assert.ok(Math.abs(c226.powerLsbW - 25 * c226.currentLsbA) < 1e-15);
});

test('INA219 driver writes RST, then BRNG 32 V | PGA | 8-sample 12-bit ADCs | continuous, then the calibration', async () => {
  const clock = clockNow();
  const chip = new EmulatedIna219({ clock, shuntOhms: 0.1 });
  const writes: Array<[number, number]> = [];
  const inner = new EmulatedI2cBus().attach(0x40, chip);
  const bus: I2cBus = { readWord: inner.readWord.bind(inner), writeWord: async (a, r, v) => { writes.push([r, v]); await inner.writeWord(a, r, v); }, close: inner.close.bind(inner) };
  const sensor = new Ina219Sensor({ bus, address: 0x40, clock, shuntOhms: 0.1, maxCurrentA: 3.2 });
  await sensor.init();
  assert.equal(writes, [[0x00, 0x8000], [0x00, 0x2000 | (3 << 11) | (0b1011 << 7) | (0b1011 << 3) | 7], [0x05, 4194]]);
  assert.is(sensor.config, 0x3ddf);
  assert.is(sensor.description, 'ina219 @0x40 on I2C');
});

test('the wrong chip at the address → PowerSensorIdentityError naming the register and both values', async () => {
  const clock = clockNow();
  const bus = new EmulatedI2cBus().attach(0x40, new EmulatedIna3221({ clock }));
  const err = (await failure(new Ina226Sensor({ bus, address: 0x40, clock, shuntOhms: 0.1, maxCurrentA: 0.8 }).init())) as Error & { register: number; found: number };
  assert.is(err?.name, 'PowerSensorIdentityError');
  assert.is(err.register, 0xff);
  assert.is(err.found, 0x3220);
  const notTi = filtered(bus, 0xfe, () => 0x1234);
  assert.is((await failure(new Ina3221Sensor({ bus: notTi, address: 0x40, clock, shuntOhms: 0.1, maxCurrentA: 1 }).init()))?.name, 'PowerSensorIdentityError');
});

test('a die revision nibble other than the datasheet\'s is accepted (DID in bits 15:4)', async () => {
  const clock = clockNow();
  const inner = new EmulatedI2cBus().attach(0x40, new EmulatedIna226({ clock }));
  const bus = filtered(inner, 0xff, (v) => v | 0x1); // 2261h
  await new Ina226Sensor({ bus, address: 0x40, clock, shuntOhms: 0.1, maxCurrentA: 0.8 }).init();
});

test('a calibration that does not read back → PowerSensorProgramError', async () => {
  const clock = clockNow();
  const inner = new EmulatedI2cBus().attach(0x40, new EmulatedIna226({ clock }));
  const bus = filtered(inner, 0x05, (v) => v ^ 0x0100);
  const err = (await failure(new Ina226Sensor({ bus, address: 0x40, clock, shuntOhms: 0.1, maxCurrentA: 0.8 }).init())) as Error & { register: number };
  assert.is(err?.name, 'PowerSensorProgramError');
  assert.is(err.register, 0x05);
});

test('a chip that never signals a finished conversion → PowerSensorConversionTimeoutError after 4 conversion times + 50 ms', async () => {
  const clock = clockNow();
  const inner = new EmulatedI2cBus().attach(0x40, new EmulatedIna226({ clock }));
  const bus = filtered(inner, 0x06, () => 0);
  const t0 = clock.now();
  const err = (await failure(new Ina226Sensor({ bus, address: 0x40, clock, shuntOhms: 0.1, maxCurrentA: 0.8 }).init())) as Error & { waitedMs: number };
  assert.is(err?.name, 'PowerSensorConversionTimeoutError');
  // AVG 16 × (1.1 + 1.1) ms = 35.2 ms → limit 190.8 ms.
  assert.ok(err.waitedMs >= 190.8 && clock.now() - t0 < 220, `${err.waitedMs}`);
});

test('INA219 OVF set → PowerSensorOverflowError (the reading means nothing)', async () => {
  const clock = clockNow();
  const chip = new EmulatedIna219({ clock, shuntOhms: 0.1 });
  chip.setInput(1, { volts: 4, amps: 1 });
  const inner = new EmulatedI2cBus().attach(0x40, chip);
  let ovf = false;
  const bus = filtered(inner, Ina219.reg.BUS_VOLTAGE, (v) => (ovf ? v | Ina219.BUS_OVF : v));
  const sensor = new Ina219Sensor({ bus, address: 0x40, clock, shuntOhms: 0.1, maxCurrentA: 3.2 });
  await sensor.init();
  ovf = true;
  assert.is((await failure(sensor.read()))?.name, 'PowerSensorOverflowError');
});

test('negate flips the sign of a shunt wired the other way round', async () => {
  const clock = clockNow();
  const chip = new EmulatedIna3221({ clock, shuntOhms: 0.1 });
  chip.setInput(1, { volts: 3.9, amps: -0.5 });
  chip.setInput(2, { volts: 5.5, amps: 0.5 });
  const bus = new EmulatedI2cBus().attach(0x40, chip);
  const sensor = new Ina3221Sensor({ bus, address: 0x40, clock, shuntOhms: 0.1, maxCurrentA: 1.6, channels: { battery: 1, panel: 2 }, negate: ['battery'] });
  await sensor.init();
  const r = await sensor.read();
  assert.ok(Math.abs(r.battery!.amps - 0.5) < 1e-9 && r.battery!.watts > 0, JSON.stringify(r.battery));
  assert.ok(Math.abs(r.panel!.amps - 0.5) < 1e-9);
});

test('configurations equal to the power-on value are refused for the INA260 and INA3221 (a brown-out would go unseen)', () => {
  const bus = new EmulatedI2cBus();
  const e1 = (() => { try { new Ina260Sensor({ bus, address: 0x40, averages: 1 }); } catch (e) { return e as Error; } })();
  assert.is(e1?.name, 'PowerSensorConfigError');
  const e2 = (() => { try { new Ina3221Sensor({ bus, address: 0x40, averages: 1, shuntOhms: 0.1, maxCurrentA: 1 }); } catch (e) { return e as Error; } })();
  assert.is(e2?.name, 'PowerSensorConfigError');
  // With a channel unmapped the enables differ from 7127h, so averaging 1 is fine.
  new Ina3221Sensor({ bus, address: 0x40, averages: 1, shuntOhms: 0.1, maxCurrentA: 1, channels: { battery: 1 } });
  const e3 = (() => { try { new Ina226Sensor({ bus, address: 0x40, averages: 3, shuntOhms: 0.1, maxCurrentA: 0.5 }); } catch (e) { return e as Error & { key: string }; } })();
  assert.is(e3?.key, 'averages');
});

test('a brown-out between reads: the reading returned is the re-programmed chip\'s, never the reset chip\'s zeros', async () => {
  const clock = clockNow();
  const chip = new EmulatedIna219({ clock, shuntOhms: 0.1 });
  chip.setInput(1, { volts: 4.1, amps: 0.75 });
  const bus = new EmulatedI2cBus().attach(0x40, chip);
  const sensor = new Ina219Sensor({ bus, address: 0x40, clock, shuntOhms: 0.1, maxCurrentA: 3.2 });
  await sensor.init();
  chip.brownOut();
  const r = (await sensor.read()).battery!;
  assert.ok(Math.abs(r.amps - 0.75) < 0.0005, `amps ${r.amps}`);
  assert.is(sensor.brownOuts, 1);
  assert.is(chip.peek(Ina219.reg.CALIBRATION), 4194);
});

test('overlapping reads after a brown-out program the chip once and count it once', async () => {
  const clock = clockNow();
  const chip = new EmulatedIna226({ clock, shuntOhms: 0.1 });
  chip.setInput(1, { volts: 3.8, amps: -0.2 });
  const bus = new EmulatedI2cBus().attach(0x40, chip);
  const sensor = new Ina226Sensor({ bus, address: 0x40, clock, shuntOhms: 0.1, maxCurrentA: 0.8 });
  await sensor.init();
  chip.brownOut();
  const readings = await Promise.all([sensor.read(), sensor.read(), sensor.read()]);
  assert.is(sensor.brownOuts, 1);
  for (const r of readings) assert.ok(Math.abs(r.battery!.amps + 0.2) < 0.0002, JSON.stringify(r));
});

test('several chips on one emulated bus: each driver reads its own, and one that NAKs leaves the other reading', async () => {
  const clock = clockNow();
  const three = new EmulatedIna3221({ clock, shuntOhms: 0.1 });
  const one = new EmulatedIna219({ clock, shuntOhms: 0.1 });
  three.setInput(1, { volts: 3.7, amps: 0.3 });
  one.setInput(1, { volts: 12.5, amps: -1.2 });
  const bus = new EmulatedI2cBus().attach(0x40, three).attach(0x41, one);
  const a = new Ina3221Sensor({ bus, address: 0x40, clock, shuntOhms: 0.1, maxCurrentA: 1.6, channels: { battery: 1 } });
  const b = new Ina219Sensor({ bus, address: 0x41, clock, shuntOhms: 0.1, maxCurrentA: 3.2 });
  await a.init();
  await b.init();
  assert.ok(Math.abs((await a.read()).battery!.volts - 3.7) < 0.008);
  assert.ok(Math.abs((await b.read()).battery!.amps + 1.2) < 0.0005);
  one.nak = true;
  assert.is((await failure(b.read()))?.name, 'I2cNakError');
  assert.ok(Math.abs((await a.read()).battery!.amps - 0.3) < 0.0005);
  assert.throws(() => bus.attach(0x41, new EmulatedIna219()), /taken/);
});

test.run();
