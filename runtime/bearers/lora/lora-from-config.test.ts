/**
 * The `lora:` entry → Linux radio mapping: the operator's `device:` wins over the board's SPI bus and chip select,
 * every open failure names that device, native modules are checked for every radio before any is opened, boards
 * meshtasticd supports but we cannot drive are refused with why, and an amplified board's power limit holds.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../config/parse-config.js';
import type { ConfigError } from '../../config/errors.js';
import { FakeGpioKernel } from '../../../drivers/hal/testing/fake-gpio-kernel.js';
import type { LoraConfig } from './lora-config.js';
import { checkSpiRadioModules, loraInit, openSpiRadio, spiRadioPins } from './lora-from-config.js';

const entry = (over: Partial<LoraConfig>): LoraConfig => ({ name: 'lora0', protocol: 'lattice', preset: 'LongFast', region: 'EU_868', hal: 'spi', pins: {}, ...over } as LoraConfig);

/** A spi-device whose native part did not build, as the `bindings` package reports it. */
const spiNotBuilt = async (name: string) => {
  if (name === 'spi-device') throw new Error('Could not locate the bindings file. Tried:\n → /app/node_modules/spi-device/build/spi.node\n → /app/node_modules/spi-device/build/Release/spi.node');
  throw new Error(`Cannot find package '${name}'`);
};

test('device: wins over board: (the board keeps its pins, the SPI device is the operator\'s)', () => {
  const withDevice = spiRadioPins(entry({ board: 'waveshare-core1262-hat', device: '/dev/spidev1.0' }));
  assert.equal(withDevice.spi, { bus: 1, device: 0 });
  assert.is(withDevice.device, '/dev/spidev1.0');
  assert.is(withDevice.board.csGpio, 21);
  const boardOnly = spiRadioPins(entry({ board: 'rak6421-rak13300-slot2' }));
  assert.equal(boardOnly.spi, { bus: 0, device: 1 });
  assert.is(boardOnly.device, '/dev/spidev0.1');
});

test('a native module that did not build: the error names the module, the fix and the configured device, not the board\'s default', async () => {
  const err = await openSpiRadio(entry({ board: 'waveshare-core1262-hat', device: '/dev/spidev1.0' }), { loader: spiNotBuilt, gpio: { cdevBinding: new FakeGpioKernel('/dev', [{ name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 }]) } }).catch((e: Error) => e);
  assert.is((err as Error).name, 'NativeModuleBuildError');
  assert.match((err as Error).message, /"spi-device"/);
  assert.match((err as Error).message, /apt-get install build-essential python3/);
  assert.match((err as Error).message, /npm rebuild spi-device/);
  assert.match((err as Error).message, /\/dev\/spidev1\.0/);
  assert.not.match((err as Error).message, /spidev0\.0/);
});

test('an open failure that does not name the device gets it added (GPIO chip missing)', async () => {
  const spiOk = async (name: string) => {
    if (name === 'spi-device') return { open: (_b: number, _d: number, _o: unknown, cb: (e: null) => void) => (setImmediate(() => cb(null)), { transfer() {}, close: (cb2: (e: null) => void) => cb2(null) }) };
    throw new Error(`Cannot find package '${name}'`);
  };
  const err = await openSpiRadio(entry({ board: 'zebrahat-1w', device: '/dev/spidev0.1' }), { loader: spiOk, gpio: { backend: 'cdev', cdevBinding: new FakeGpioKernel('/dev', [{ name: 'gpiochip0', label: 'something-else', lines: 8 }]) } }).catch((e: Error) => e);
  assert.is((err as Error).name, 'GpioChipNotFoundError');
  assert.match((err as Error).message, /lora lora0 on \/dev\/spidev0\.1, board zebrahat-1w/);
});

test('lattice run start: modules are checked for every SPI radio before any is opened, onoff\'s epoll named when it is the one that failed', async () => {
  const epollNotBuilt = async (name: string) => {
    if (name === 'spi-device') return {};
    if (name === 'onoff') throw Object.assign(new Error("Cannot find module '/app/node_modules/epoll/build/Release/epoll.node'"), { code: 'MODULE_NOT_FOUND' });
    throw Object.assign(new Error(`Cannot find package '${name}' imported from /app/dist/drivers/hal/module-loader.js`), { code: 'ERR_MODULE_NOT_FOUND' });
  };
  // No character device on this board (an old kernel): sysfs is the only way, and onoff cannot load.
  const err = await checkSpiRadioModules([entry({ board: 'waveshare-core1262-hat' }), entry({ name: 'lora1', board: 'rak6421-rak13300-slot2' })], { loader: epollNotBuilt, gpio: { cdevBinding: new FakeGpioKernel('/dev', []) } }).catch((e: Error) => e);
  assert.is((err as Error).name, 'GpioUnavailableError');
  assert.match((err as Error).message, /"epoll" \(used by onoff\)/);
  assert.match((err as Error).message, /npm rebuild epoll/);
  // A Pi 5 image (character device only, no sysfs) where the GPIO addon did not build: that addon is the fix named.
  const dev = mkdtempSync(join(tmpdir(), 'dev-'));
  writeFileSync(join(dev, 'gpiochip0'), '');
  const addonNotBuilt = async (name: string) => {
    if (name === 'spi-device') return {};
    if (name === 'lattice-gpio-cdev') throw Object.assign(new Error("Cannot find module '/app/node_modules/lattice-gpio-cdev/build/Release/gpio_cdev.node'"), { code: 'MODULE_NOT_FOUND' });
    throw Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });
  };
  try {
    const e2 = await checkSpiRadioModules([entry({ board: 'waveshare-core1262-hat' })], { loader: addonNotBuilt, sysRoot: join(dev, 'no-sys'), gpio: { devRoot: dev } }).catch((e: Error) => e);
    assert.is((e2 as Error).name, 'NativeModuleBuildError');
    assert.match((e2 as Error).message, /"lattice-gpio-cdev"/);
    assert.match((e2 as Error).message, /npm rebuild lattice-gpio-cdev/);
    assert.match((e2 as Error).message, /lora0 on \/dev\/spidev0\.0/);
  } finally {
    rmSync(dev, { recursive: true, force: true });
  }
});

test('boards meshtasticd supports that we cannot drive are refused at config time with why; amplifier limits hold', () => {
  const issues = (() => {
    try {
      parseConfig({ lora: [{ hal: 'spi', board: 'meshtoad-e22-usb' }, { hal: 'spi', board: 'zebrahat-2w', txPowerDbm: 14 }] }, {}, { home: '/home/pi', cwd: '/srv' });
    } catch (err) {
      return (err as ConfigError).issues;
    }
    return [];
  })();
  const board = issues.find((i) => i.path === 'lora[0].board');
  assert.ok(board, JSON.stringify(issues));
  assert.match(board!.message, /CH341/);
  assert.match(board!.message, /not supported yet/i);
  const power = issues.find((i) => i.path === 'lora[1].txPowerDbm');
  assert.ok(power, JSON.stringify(issues));
  assert.match(power!.message, /8 dBm/);
  // Without a txPowerDbm, an amplified board asks for its limit (the legal limit still applies in the bearer).
  const init = loraInit(entry({ board: 'zebrahat-2w' }), { radio: {} as never, nodeId: new Uint8Array(16), ledger: {} as never });
  assert.is(init.txPowerDbm, 8);
  assert.is(loraInit(entry({ board: 'waveshare-core1262-hat' }), { radio: {} as never, nodeId: new Uint8Array(16), ledger: {} as never }).txPowerDbm, undefined);
});

test.run();
