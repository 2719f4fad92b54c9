/**
 * The i2c-bus adapter against a scripted stand-in for the native package (CI has no /dev/i2c-*: research
 * research notes on hardware §0.5): SMBus word byte order, errno → typed errors, a missing bus reported before the native module is
 * loaded, an absent package named with its fix, and a hung native transfer bounded by the time limit.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';
import { openLinuxI2cBus, type I2cBusModule, type NativePromisifiedBus } from './linux-i2c-bus.js';

interface Script {
  native: NativePromisifiedBus;
  writes: Array<[number, number, number]>;
  opened: number[];
}

function fakeModule(behave: Partial<NativePromisifiedBus> = {}): { loader: (name: string) => Promise<unknown>; script: Script; loaded: string[] } {
  const writes: Array<[number, number, number]> = [];
  const opened: number[] = [];
  const native: NativePromisifiedBus = {
    // The device's register 07h holds 1234h; SMBus returns the low byte first, so the native word is 3412h.
    readWord: behave.readWord ?? (async (_a, cmd) => (cmd === 0x07 ? 0x3412 : 0)),
    writeWord: behave.writeWord ?? (async (a, cmd, w) => { writes.push([a, cmd, w]); }),
    close: behave.close ?? (async () => undefined),
  };
  const mod: I2cBusModule = { openPromisified: async (n) => { opened.push(n); return native; } };
  const loaded: string[] = [];
  return { loader: async (name) => { loaded.push(name); return { default: mod }; }, script: { native, writes, opened }, loaded };
}

const errno = (code: string | undefined, n?: number) => Object.assign(new Error(`${code ?? 'errno'} failure`), code ? { code } : {}, n !== undefined ? { errno: n } : {});

test('words are big-endian on the INA side: SMBus low-byte-first words are swapped both ways', async () => {
  const { loader, script } = fakeModule();
  const bus = await openLinuxI2cBus({ bus: 1, loader, exists: () => true });
  assert.is(bus.path, '/dev/i2c-1');
  assert.equal(script.opened, [1]);
  assert.is(await bus.readWord(0x40, 0x07), 0x1234);
  await bus.writeWord(0x41, 0x05, 0xabcd);
  assert.equal(script.writes, [[0x41, 0x05, 0xcdab]]);
  await bus.close();
});

test('errno of a failed transfer → the typed error (NAK, timeout, missing, access, other)', async () => {
  const table: Array<[Error, string]> = [
    [errno('EREMOTEIO'), 'I2cNakError'],
    [errno(undefined, -121), 'I2cNakError'],
    [errno('ENXIO'), 'I2cNakError'],
    [errno('ETIMEDOUT'), 'I2cTimeoutError'],
    [errno('ENOENT'), 'I2cBusMissingError'],
    [errno('EACCES'), 'I2cBusAccessError'],
    [errno('EIO'), 'I2cIoError'],
    [new Error('Remote I/O error EREMOTEIO'), 'I2cNakError'],
  ];
  for (const [cause, name] of table) {
    const { loader } = fakeModule({ readWord: async () => { throw cause; }, writeWord: async () => { throw cause; } });
    const bus = await openLinuxI2cBus({ bus: 1, loader, exists: () => true });
    const r = await bus.readWord(0x40, 0x00).then(() => undefined, (e: Error) => e);
    const w = await bus.writeWord(0x40, 0x00, 1).then(() => undefined, (e: Error) => e);
    assert.is(r?.name, name, `read with ${cause.message}`);
    assert.is(w?.name, name, `write with ${cause.message}`);
    if (name === 'I2cNakError') assert.is((r as unknown as { address: number }).address, 0x40);
    await bus.close();
  }
});

test('a missing /dev/i2c-N is reported before the native module is loaded', async () => {
  const { loader, loaded } = fakeModule();
  const err = await openLinuxI2cBus({ bus: 7, loader, exists: (p) => p !== '/dev/i2c-7' }).then(() => undefined, (e: Error) => e);
  assert.is(err?.name, 'I2cBusMissingError');
  assert.match(err!.message, /\/dev\/i2c-7/);
  assert.equal(loaded, []);
});

test('the i2c-bus package absent → NativeModuleMissingError naming it and the fix', async () => {
  const loader = async () => { throw Object.assign(new Error("Cannot find package 'i2c-bus' imported from x"), { code: 'ERR_MODULE_NOT_FOUND' }); };
  const err = await openLinuxI2cBus({ bus: 1, loader, exists: () => true }).then(() => undefined, (e: Error) => e);
  assert.is(err?.name, 'NativeModuleMissingError');
  assert.match(err!.message, /npm install i2c-bus/);
});

test('opening refused with EACCES → I2cBusAccessError', async () => {
  const mod: I2cBusModule = { openPromisified: async () => { throw errno('EACCES'); } };
  const err = await openLinuxI2cBus({ bus: 1, loader: async () => mod, exists: () => true }).then(() => undefined, (e: Error) => e);
  assert.is(err?.name, 'I2cBusAccessError');
});

test('a native transfer that never returns rejects with I2cTimeoutError after the time limit; close() does not wait for it', async () => {
  const clock = new VirtualClock();
  const { loader } = fakeModule({ readWord: () => new Promise<number>(() => undefined) });
  const bus = await openLinuxI2cBus({ bus: 1, loader, exists: () => true, clock, timeoutMs: 50 });
  const t0 = clock.now();
  const err = await bus.readWord(0x40, 0x02).then(() => undefined, (e: Error) => e);
  assert.is(err?.name, 'I2cTimeoutError');
  assert.is(clock.now() - t0, 50);
  assert.is(bus.timeouts, 1);
  await bus.close();
  assert.is((await bus.readWord(0x40, 0x02).then(() => undefined, (e: Error) => e))?.name, 'I2cBusClosedError');
});

test('a bad bus number is refused', async () => {
  const { loader } = fakeModule();
  const err = await openLinuxI2cBus({ bus: -1, loader, exists: () => true }).then(() => undefined, (e: Error) => e);
  assert.instance(err, RangeError);
});

test.run();
