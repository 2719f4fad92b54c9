/**
 * openLinuxSx126x end to end without hardware: fake `onoff` and `spi-device` modules (same call shapes as the real
 * packages) route the sysfs numbers and spidev transfers to an emulated chip on a fake Pi 4 sysfs tree (base 512).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatedLine } from './sim/emulated-line.js';
import { EmulatedSx126x } from './sim/emulated-sx126x.js';
import { createSimClock } from './sim/sim-clock.js';
import { SimulatedAir } from './sim/simulated-air.js';
import { openLinuxSx126x } from './open-linux-radio.js';
import { Boards } from './boards.js';
import { LatticeDefault } from '../../lib/lora/lattice-presets.js';
import { FakeGpioKernel } from '../hal/testing/fake-gpio-kernel.js';

test('Waveshare Core1262 map: GPIO chip select around every transfer, ANT_SW held high, TCXO driven', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sysfs-'));
  const d = join(root, 'class/gpio/gpiochip512');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'label'), 'pinctrl-bcm2711\n');
  writeFileSync(join(d, 'base'), '512\n');
  writeFileSync(join(d, 'ngpio'), '58\n');
  const clock = createSimClock({ timeScale: 0.05 });
  const air = new SimulatedAir({ clock });
  const chip = new EmulatedSx126x({ name: 'hat', clock, tcxo: true });
  air.attach(chip, { x: 0, y: 0 });
  const b = Boards['waveshare-core1262-hat'];
  let csLow = false;
  let transfersWithoutCs = 0;
  const levels = new Map<number, 0 | 1>();
  const inputs = new Map<number, EmulatedLine>([[512 + b.busy, chip.busy], [512 + b.dio1, chip.dio1]]);
  class Gpio {
    constructor(readonly n: number, dir: string) {
      if (dir === 'high') this.writeSync(1);
      if (dir === 'low') this.writeSync(0);
    }
    readSync() { return inputs.get(this.n)?.value ?? levels.get(this.n) ?? 0; }
    writeSync(v: 0 | 1) {
      levels.set(this.n, v);
      if (this.n === 512 + b.reset) void chip.nreset.write(v);
      if (this.n === 512 + b.csGpio) csLow = v === 0;
    }
    private cbs = new Set<(e: null, v: 0 | 1) => void>();
    watch(cb: (e: null, v: 0 | 1) => void) {
      this.cbs.add(cb);
      const line = inputs.get(this.n)!;
      const loop = () => line.waitEdge('both').then(() => { if (this.cbs.has(cb)) { cb(null, line.value); loop(); } });
      loop();
    }
    unwatch(cb?: (e: null, v: 0 | 1) => void) { if (cb) this.cbs.delete(cb); else this.cbs.clear(); }
    unexport() {}
  }
  const spiModule = {
    open(_bus: number, _dev: number, opts: { noChipSelect?: boolean }, cb: (e: null) => void) {
      assert.is(opts.noChipSelect, true);
      setImmediate(() => cb(null));
      return {
        transfer(msgs: Array<{ sendBuffer: Buffer; receiveBuffer: Buffer }>, done: (e: Error | null, m: typeof msgs) => void) {
          if (!csLow) transfersWithoutCs++;
          chip.spi.transfer(new Uint8Array(msgs[0]!.sendBuffer)).then((rx) => { msgs[0]!.receiveBuffer.set(rx); done(null, msgs); }, (e: Error) => done(e, msgs));
        },
        close(done: (e: null) => void) { done(null); },
      };
    },
  };
  const loader = async (name: string) => (name === 'onoff' ? { Gpio } : spiModule);
  const { radio, trace } = await openLinuxSx126x({ board: 'waveshare-core1262-hat', sysRoot: root, loader, trace: true, gpio: { backend: 'sysfs' } });
  try {
    await radio.configure(LatticeDefault);
    assert.ok(trace!.trace.length > 20);
    assert.is(transfersWithoutCs, 0, 'every transfer inside CS low');
    assert.is(levels.get(512 + 6), 1, 'ANT_SW held high');
    assert.is(levels.get(512 + b.csGpio), 1, 'CS released');
    assert.ok(trace!.trace.some((t) => t.mosi[0] === 0x97), 'SetDIO3AsTCXOCtrl sent');
    assert.equal(chip.violations, []);
  } finally {
    await radio.close();
    rmSync(root, { recursive: true, force: true });
  }
});


/** A Pi 5 (pinctrl-rp1 at gpiochip0) whose GPIO is the fake kernel wired to an emulated chip, and an spi-device
 * stand-in that refuses SPI_NO_CS with EINVAL as the RP1 driver does when `rp1` is set. */
function pi5(opts: { rp1RefusesNoCs: boolean; board: keyof typeof Boards }) {
  const b = Boards[opts.board] as (typeof Boards)[keyof typeof Boards] & { csGpio?: number; holdHigh?: readonly number[] };
  const clock = createSimClock({ timeScale: 0.05 });
  const air = new SimulatedAir({ clock });
  const chip = new EmulatedSx126x({ name: 'hat', clock, tcxo: true });
  air.attach(chip, { x: 0, y: 0 });
  const kernel = new FakeGpioKernel('/dev', [{ name: 'gpiochip0', label: 'pinctrl-rp1', lines: 54 }, { name: 'gpiochip10', label: 'gpio-brcmstb@107d508500', lines: 32 }]);
  let closed = false;
  const follow = (line: EmulatedLine, offset: number) => {
    kernel.drive('gpiochip0', offset, line.value);
    const loop = (): void => void line.waitEdge('both').then(() => { if (closed) return; kernel.drive('gpiochip0', offset, line.value); loop(); });
    loop();
  };
  follow(chip.busy, b.busy);
  follow(chip.dio1, b.dio1);
  let csLow = false;
  kernel.onOutput((name, offset, level) => {
    if (name !== 'gpiochip0') return;
    if (offset === b.reset) void chip.nreset.write(level);
    if (offset === b.csGpio) csLow = level === 0;
  });
  const opens: Array<{ bus: number; dev: number; noChipSelect?: boolean }> = [];
  let transfersWithoutCs = 0;
  const spiModule = {
    open(bus: number, dev: number, o: { noChipSelect?: boolean }, cb: (e: Error | null) => void) {
      opens.push({ bus, dev, noChipSelect: o.noChipSelect });
      setImmediate(() => cb(o.noChipSelect && opts.rp1RefusesNoCs ? Object.assign(new Error('EINVAL, Invalid argument'), { code: 'EINVAL' }) : null));
      return {
        transfer(msgs: Array<{ sendBuffer: Buffer; receiveBuffer: Buffer }>, done: (e: Error | null, m: typeof msgs) => void) {
          if (o.noChipSelect && !csLow) transfersWithoutCs++;
          chip.spi.transfer(new Uint8Array(msgs[0]!.sendBuffer)).then((rx) => { msgs[0]!.receiveBuffer.set(rx); done(null, msgs); }, (e: Error) => done(e, msgs));
        },
        close(done: (e: null) => void) { done(null); },
      };
    },
  };
  const loader = async (name: string) => {
    if (name === 'spi-device') return spiModule;
    throw new Error(`Cannot find package '${name}'`);
  };
  return { b, chip, kernel, opens, loader, transfersWithoutCs: () => transfersWithoutCs, stop: () => { closed = true; } };
}

test('Pi 5, character device GPIO: a GPIO chip select works where spidev accepts SPI_NO_CS', async () => {
  const p = pi5({ rp1RefusesNoCs: false, board: 'waveshare-core1262-hat' });
  const { radio, gpio, chipSelect } = await openLinuxSx126x({ board: 'waveshare-core1262-hat', loader: p.loader, gpio: { cdevBinding: p.kernel, devRoot: '/dev' } });
  try {
    assert.is(gpio.backend, 'cdev');
    assert.match(gpio.where, /gpiochip0 \(pinctrl-rp1\)/);
    assert.is(chipSelect, 'gpio');
    await radio.configure(LatticeDefault);
    assert.is(p.transfersWithoutCs(), 0, 'every transfer inside CS low');
    assert.is(p.kernel.level('gpiochip0', 6), 1, 'ANT_SW held high');
    assert.is(p.kernel.consumer('gpiochip0', 21), 'lattice');
    assert.equal(p.chip.violations, []);
  } finally {
    await radio.close();
    p.stop();
  }
});

test('Pi 5 RP1 refuses SPI_NO_CS: a typed error naming the cs0_pin overlay, and every line released', async () => {
  const p = pi5({ rp1RefusesNoCs: true, board: 'waveshare-core1262-hat' });
  const err = await openLinuxSx126x({ board: 'waveshare-core1262-hat', loader: p.loader, gpio: { cdevBinding: p.kernel, devRoot: '/dev' } }).catch((e: Error) => e);
  p.stop();
  assert.is((err as Error).name, 'SpiNoChipSelectError');
  assert.match((err as Error).message, /dtoverlay=spi0-1cs,cs0_pin=21/);
  assert.match((err as Error).message, /\/dev\/spidev0\.0/);
  assert.is(p.kernel.openFds(), 0, 'no GPIO line left requested');
});

test('Pi 5 with dtoverlay=spi0-1cs,cs0_pin=21: the pin held as "spi0 CS0" means hardware chip select, no SPI_NO_CS', async () => {
  const p = pi5({ rp1RefusesNoCs: true, board: 'waveshare-core1262-hat' });
  p.kernel.claimByKernel('gpiochip0', 21, 'spi0 CS0');
  const { radio, chipSelect } = await openLinuxSx126x({ board: 'waveshare-core1262-hat', loader: p.loader, gpio: { cdevBinding: p.kernel, devRoot: '/dev' } });
  try {
    assert.is(chipSelect, 'spidev-overlay');
    assert.equal(p.opens, [{ bus: 0, dev: 0, noChipSelect: false }]);
    await radio.configure(LatticeDefault);
    assert.is(p.kernel.consumer('gpiochip0', 21), 'spi0 CS0', 'the pin stays with the SPI controller');
    assert.equal(p.chip.violations, []);
  } finally {
    await radio.close();
    p.stop();
  }
});

test('the SPI device given wins over the board\'s (RAK13300 slot 1 board on spidev0.1)', async () => {
  const p = pi5({ rp1RefusesNoCs: true, board: 'rak6421-rak13300-slot1' });
  const { radio, radio: r } = await openLinuxSx126x({ board: 'rak6421-rak13300-slot1', spi: { bus: 0, device: 1 }, loader: p.loader, gpio: { cdevBinding: p.kernel, devRoot: '/dev' } });
  try {
    assert.equal(p.opens, [{ bus: 0, dev: 1, noChipSelect: false }]);
    await r.configure(LatticeDefault);
    assert.is(p.kernel.level('gpiochip0', 12), 1, 'slot power enable IO2 held high');
    assert.is(p.kernel.level('gpiochip0', 13), 1);
  } finally {
    await radio.close();
    p.stop();
  }
});

test.run();
