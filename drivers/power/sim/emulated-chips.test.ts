/**
 * The emulators behave as the datasheets say beyond the worked examples: power-on values, identity registers,
 * read-only registers and void bits, RST, conversion-ready flags and what clears them, channel enables, the
 * brown-out and NAK faults; and the emulated bus's NAK, hang and close.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { Ina219, Ina226, Ina260, Ina3221 } from '../registers.js';
import { EmulatedI2cBus } from './emulated-i2c-bus.js';
import { EmulatedIna219 } from './emulated-ina219.js';
import { EmulatedIna226 } from './emulated-ina226.js';
import { EmulatedIna260 } from './emulated-ina260.js';
import { EmulatedIna3221 } from './emulated-ina3221.js';
import type { RegisterChip } from './register-chip.js';

const A = 0x40;
function on<C extends RegisterChip>(make: (clock: ManualClock) => C) {
  const clock = new ManualClock(0);
  const chip = make(clock);
  const bus = new EmulatedI2cBus().attach(A, chip);
  const rd = (r: number) => bus.readWord(A, r);
  const wr = (r: number, v: number) => bus.writeWord(A, r, v);
  return { clock, chip, bus, rd, wr };
}

test('power-on values and identity registers (SBOS448G Table 2, SBOS547 Table 7-1, SBOS656C §8.6, SBOS576C §7.6)', async () => {
  // A still clock: at power-on the first conversion (a few ms) has not completed, so no conversion-ready flag yet
  // (with the wall clock a loaded machine read Mask/Enable after it had, and found CVRF set).
  const clock = new ManualClock(0);
  const cases: Array<[string, RegisterChip, Array<[number, number]>]> = [
    ['ina219', new EmulatedIna219({ clock }), [[0x00, 0x399f], [0x03, 0], [0x04, 0], [0x05, 0]]],
    ['ina226', new EmulatedIna226({ clock }), [[0x00, 0x4127], [0x05, 0], [0x06, 0], [0x07, 0], [0xfe, 0x5449], [0xff, 0x2260]]],
    ['ina260', new EmulatedIna260({ clock }), [[0x00, 0x6127], [0x06, 0], [0x07, 0], [0xfe, 0x5449], [0xff, 0x2270]]],
    ['ina3221', new EmulatedIna3221({ clock }), [[0x00, 0x7127], [0x07, 0x7ff8], [0x0c, 0x7ff8], [0x0e, 0x7ffe], [0x0f, 0x0002], [0x10, 0x2710], [0x11, 0x2328], [0xfe, 0x5449], [0xff, 0x3220]]],
  ];
  for (const [name, chip, regs] of cases) {
    const bus = new EmulatedI2cBus().attach(A, chip);
    for (const [r, v] of regs) assert.is(await bus.readWord(A, r), v, `${name} register 0x${r.toString(16)}`);
  }
});

test('read-only registers ignore writes (recorded as a driver fault); void and reserved bits keep their value', async () => {
  const ina219 = on((clock) => new EmulatedIna219({ clock }));
  await ina219.wr(Ina219.reg.CURRENT, 0x1234);
  assert.is(await ina219.rd(Ina219.reg.CURRENT), 0);
  await ina219.wr(Ina219.reg.CALIBRATION, 0x1235); // FS0 is void
  assert.is(await ina219.rd(Ina219.reg.CALIBRATION), 0x1234);
  assert.equal(ina219.chip.driverFaults, ['write to read-only register 0x4']);
  const ina226 = on((clock) => new EmulatedIna226({ clock }));
  await ina226.wr(Ina226.reg.CONFIG, 0x0527); // bits 14:12 reserved: 14 stays 1
  assert.is(await ina226.rd(Ina226.reg.CONFIG), 0x4527);
  await ina226.wr(Ina226.reg.CALIBRATION, 0xffff); // FS14:FS0
  assert.is(await ina226.rd(Ina226.reg.CALIBRATION), 0x7fff);
  await ina226.wr(Ina226.reg.DIE_ID, 0);
  assert.is(await ina226.rd(Ina226.reg.DIE_ID), 0x2260);
  const ina260 = on((clock) => new EmulatedIna260({ clock }));
  await ina260.wr(0x05, 0x1000); // the INA260 has no Calibration register
  assert.equal(ina260.chip.driverFaults, ['write to 0x5, which is no register']);
});

test('RST (configuration bit 15) restores every register, calibration included, and self-clears', async () => {
  for (const [chip, cfgReset, calReg] of [[new EmulatedIna219(), 0x399f, 0x05], [new EmulatedIna226(), 0x4127, 0x05]] as const) {
    const bus = new EmulatedI2cBus().attach(A, chip);
    await bus.writeWord(A, calReg, 0x1000);
    await bus.writeWord(A, 0x00, 0x0000);
    await bus.writeWord(A, 0x00, 0x8000);
    assert.is(await bus.readWord(A, 0x00), cfgReset);
    assert.is(await bus.readWord(A, calReg), 0);
  }
});

test('brownOut() puts the chip back at power-on values: calibration reads 0 and current 0', async () => {
  const { chip, rd, wr, clock } = on((clock) => new EmulatedIna226({ clock, shuntOhms: 0.1 }));
  chip.setInput(1, { volts: 5, amps: 0.5 });
  await wr(Ina226.reg.CALIBRATION, 2048);
  clock.advance(5);
  assert.ok((await rd(Ina226.reg.CURRENT)) > 0);
  chip.brownOut();
  assert.is(await rd(Ina226.reg.CALIBRATION), 0);
  assert.is(await rd(Ina226.reg.CURRENT), 0);
  assert.is(await rd(Ina226.reg.CONFIG), 0x4127);
});

test('INA219 CNVR: set when the conversion time has passed, cleared by reading Power and by writing a converting MODE', async () => {
  const { rd, wr, clock } = on((clock) => new EmulatedIna219({ clock }));
  await wr(Ina219.reg.CONFIG, 0x399f); // 12-bit shunt and bus: 532 µs each (Table 5)
  assert.is((await rd(Ina219.reg.BUS_VOLTAGE)) & Ina219.BUS_CNVR, 0);
  clock.advance(1);
  assert.is((await rd(Ina219.reg.BUS_VOLTAGE)) & Ina219.BUS_CNVR, 0, '1.064 ms not yet passed');
  clock.advance(0.1);
  assert.is((await rd(Ina219.reg.BUS_VOLTAGE)) & Ina219.BUS_CNVR, Ina219.BUS_CNVR);
  await rd(Ina219.reg.POWER);
  assert.is((await rd(Ina219.reg.BUS_VOLTAGE)) & Ina219.BUS_CNVR, 0);
  // 128 samples each: 68.10 ms × 2.
  await wr(Ina219.reg.CONFIG, 0x3fff);
  clock.advance(136);
  assert.is((await rd(Ina219.reg.BUS_VOLTAGE)) & Ina219.BUS_CNVR, 0);
  clock.advance(0.3);
  assert.is((await rd(Ina219.reg.BUS_VOLTAGE)) & Ina219.BUS_CNVR, Ina219.BUS_CNVR);
});

test('INA226/INA260 CVRF: set after AVG × (VBUSCT + VSHCT), cleared by reading Mask/Enable', async () => {
  for (const chipOf of [(c: ManualClock): RegisterChip => new EmulatedIna226({ clock: c }), (c: ManualClock): RegisterChip => new EmulatedIna260({ clock: c })]) {
    const { rd, wr, clock } = on(chipOf);
    await wr(0x00, (2 << 9) | (4 << 6) | (4 << 3) | 7); // AVG 16, 1.1 ms + 1.1 ms → 35.2 ms
    clock.advance(35);
    assert.is((await rd(0x06)) & Ina226.MASK_CVRF, 0);
    clock.advance(0.3);
    assert.is((await rd(0x06)) & Ina226.MASK_CVRF, Ina226.MASK_CVRF);
    assert.is((await rd(0x06)) & Ina226.MASK_CVRF, 0, 'the read cleared it');
  }
});

test('INA226 OVF: a current beyond the calibration\'s range sets the math-overflow flag', async () => {
  const { chip, rd, wr, clock } = on((clock) => new EmulatedIna226({ clock, shuntOhms: 0.1 }));
  chip.setInput(1, { volts: 5, amps: 0.8 });
  await wr(Ina226.reg.CALIBRATION, 0x7fff); // Current_LSB 0.625 µA: 0.8 A needs 1.28 M counts
  clock.advance(5);
  assert.is((await rd(Ina226.reg.MASK_ENABLE)) & Ina226.MASK_OVF, Ina226.MASK_OVF);
  assert.is(await rd(Ina226.reg.CURRENT), 0x7fff);
});

test('INA3221: a disabled channel is not converted and shortens the cycle; the shunt sum adds the SCC channels; CVRF clears on read', async () => {
  const { chip, rd, wr, clock } = on((clock) => new EmulatedIna3221({ clock, shuntOhms: 0.1 }));
  chip.setInput(1, { volts: 4, amps: 0.1 });
  chip.setInput(2, { volts: 6, amps: 0.2 });
  chip.setInput(3, { volts: 4, amps: 0.3 });
  // CH1 and CH2 only, AVG 4, 1.1 ms + 1.1 ms: 8.8 ms per channel, 17.6 ms for two.
  await wr(Ina3221.reg.CONFIG, Ina3221.channelEnable(1) | Ina3221.channelEnable(2) | (1 << 9) | (4 << 6) | (4 << 3) | 7);
  await wr(Ina3221.reg.MASK_ENABLE, (1 << 14) | (1 << 13)); // SCC1, SCC2
  clock.advance(17.5);
  assert.is((await rd(Ina3221.reg.MASK_ENABLE)) & Ina3221.MASK_CVRF, 0);
  clock.advance(0.2);
  assert.is((await rd(Ina3221.reg.MASK_ENABLE)) & Ina3221.MASK_CVRF, Ina3221.MASK_CVRF);
  assert.is((await rd(Ina3221.reg.MASK_ENABLE)) & Ina3221.MASK_CVRF, 0);
  assert.is(await rd(0x01), 250 << 3); // 10 mV / 40 µV
  assert.is(await rd(0x04), 750 << 3); // 6 V / 8 mV
  assert.is(await rd(0x05), 0, 'channel 3 disabled: never converted');
  assert.is(await rd(Ina3221.reg.SHUNT_VOLTAGE_SUM), (250 + 500) << 1);
});

test('a chip that NAKs and an empty address both NAK; a hung bus holds transfers until released; a closed bus refuses', async () => {
  const { chip, bus, rd } = on((clock) => new EmulatedIna226({ clock }));
  chip.nak = true;
  assert.is((await rd(0xfe).catch((e: Error) => e) as Error).name, 'I2cNakError');
  chip.nak = false;
  assert.is((await bus.readWord(0x41, 0xfe).catch((e: Error) => e) as Error).name, 'I2cNakError');
  assert.is((await bus.writeWord(0x41, 0x00, 1).catch((e: Error) => e) as Error).name, 'I2cNakError');
  bus.hang();
  const held = bus.readWord(A, 0xfe);
  await new Promise((r) => setImmediate(r));
  assert.is(bus.pending, 1);
  bus.release();
  assert.is(await held, 0x5449);
  bus.hang();
  const stuck = bus.readWord(A, 0xfe).catch((e: Error) => e.name);
  await bus.close();
  assert.is(await stuck, 'I2cBusClosedError');
  assert.is(await bus.readWord(A, 0xfe).catch((e: Error) => e.name), 'I2cBusClosedError');
});

test.run();
