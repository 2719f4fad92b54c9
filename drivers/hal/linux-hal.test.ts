/** Linux seams without hardware: sysfs base resolution on fake trees, missing native packages, fake onoff/spi-device. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLinuxGpio } from './linux-gpio.js';
import { openLinuxSpiDevice } from './linux-spi-device.js';
import { resolveSysfsGpio } from './sysfs-gpio-base.js';

function fakeSysfs(chips: Array<[string, string, number, number]>): string {
  const root = mkdtempSync(join(tmpdir(), 'sysfs-'));
  for (const [name, label, base, ngpio] of chips) {
    const d = join(root, 'class/gpio', name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'label'), `${label}\n`);
    writeFileSync(join(d, 'base'), `${base}\n`);
    writeFileSync(join(d, 'ngpio'), `${ngpio}\n`);
  }
  return root;
}

test('BCM to sysfs: Pi 3 base 0, Pi 4 Bookworm base 512, Pi 5 base 571', async () => {
  const pi3 = fakeSysfs([['gpiochip0', 'pinctrl-bcm2835', 0, 54], ['gpiochip504', 'raspberrypi-exp-gpio', 504, 8]]);
  const pi4 = fakeSysfs([['gpiochip512', 'pinctrl-bcm2711', 512, 58], ['gpiochip570', 'raspberrypi-exp-gpio', 570, 8]]);
  const pi5 = fakeSysfs([['gpiochip571', 'pinctrl-rp1', 571, 54], ['gpiochip512', 'gpio-brcmstb@107d508500', 512, 32]]);
  try {
    assert.is(await resolveSysfsGpio(16, { sysRoot: pi3 }), 16);
    assert.is(await resolveSysfsGpio(16, { sysRoot: pi4 }), 528);
    assert.is(await resolveSysfsGpio(16, { sysRoot: pi5 }), 587);
    const e1 = await resolveSysfsGpio(60, { sysRoot: pi4 }).catch((e: Error) => e);
    assert.is((e1 as Error).name, 'GpioPinRangeError');
    const e2 = await resolveSysfsGpio(1, { sysRoot: join(pi3, 'nope') }).catch((e: Error) => e);
    assert.is((e2 as Error).name, 'GpioChipNotFoundError');
  } finally {
    for (const r of [pi3, pi4, pi5]) rmSync(r, { recursive: true, force: true });
  }
});

test('missing onoff / spi-device give NativeModuleMissingError telling to install them', async () => {
  const missing = async (name: string) => { throw new Error(`Cannot find package '${name}'`); };
  const e1 = await openLinuxGpio({ bcm: 16, direction: 'in', loader: missing }).catch((e: Error) => e);
  assert.is((e1 as Error).name, 'NativeModuleMissingError');
  assert.match((e1 as Error).message, /npm install onoff/);
  const e2 = await openLinuxSpiDevice({ bus: 0, device: 0, loader: missing }).catch((e: Error) => e);
  assert.is((e2 as Error).name, 'NativeModuleMissingError');
  assert.match((e2 as Error).message, /npm install spi-device/);
  // And with the real loader in this environment (the native packages are not installed here).
  const e3 = await openLinuxSpiDevice({ bus: 0, device: 0 }).catch((e: Error) => e);
  assert.ok(e3 instanceof Error && (e3.name === 'NativeModuleMissingError' || e3.name === 'SpiOpenError'), String(e3));
});

test('onoff line: opens base+bcm, waitEdge filters by edge, abort works', async () => {
  const root = fakeSysfs([['gpiochip512', 'pinctrl-bcm2711', 512, 58]]);
  const made: Array<{ n: number; dir: string; edge?: string; cb?: (e: null, v: 0 | 1) => void; value: 0 | 1 }> = [];
  class Gpio {
    rec: (typeof made)[number];
    constructor(n: number, dir: string, edge?: string) { this.rec = { n, dir, edge, value: 0 }; made.push(this.rec); }
    readSync() { return this.rec.value; }
    writeSync(v: 0 | 1) { this.rec.value = v; }
    watch(cb: (e: null, v: 0 | 1) => void) { this.rec.cb = cb; }
    unwatch() { this.rec.cb = undefined; }
    unexport() {}
  }
  try {
    const line = await openLinuxGpio({ bcm: 20, direction: 'in', sysRoot: root, loader: async () => ({ Gpio }) });
    assert.is(made[0]!.n, 532);
    assert.is(made[0]!.edge, 'both');
    const falling = line.waitEdge('falling');
    made[0]!.cb!(null, 1); // a rising edge does not satisfy it
    made[0]!.cb?.(null, 0);
    await falling;
    const ac = new AbortController();
    const w = line.waitEdge('rising', { signal: ac.signal });
    ac.abort(new Error('stop'));
    assert.is(((await w.catch((e: Error) => e)) as Error).message, 'stop');
    const out = await openLinuxGpio({ bcm: 18, direction: 'out', initial: 1, sysRoot: root, loader: async () => ({ Gpio }) });
    assert.is(made[1]!.dir, 'high');
    await out.write(0);
    assert.is(await out.read(), 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
