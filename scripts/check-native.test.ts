/**
 * packaging/check-native.mjs, the postinstall check: with a loader seam standing in for modules that cannot load,
 * each failure names the module at fault (epoll for onoff), what it is for and the fix; the list covers every
 * optional native dependency; the script itself exits 0 unless strict.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain ESM script without declarations
import { checkNative, NATIVE_MODULES, report } from '../packaging/check-native.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
type Failure = { name: string; purpose: string; problem: string; fix: string };

test('a module that did not build, one missing, and one that loads', () => {
  const load = (name: string) => {
    if (name === 'spi-device') throw new Error('Could not locate the bindings file. Tried:\n → /app/node_modules/spi-device/build/Release/spi.node');
    if (name === 'onoff' || name === 'epoll') throw Object.assign(new Error("Cannot find module '/app/node_modules/epoll/build/Release/epoll.node'\nRequire stack: …/onoff/onoff.js"), { code: 'MODULE_NOT_FOUND' });
    if (name === 'i2c-bus') throw Object.assign(new Error("Cannot find module 'i2c-bus'"), { code: 'MODULE_NOT_FOUND' });
    return {};
  };
  const failures = checkNative(load) as Failure[];
  assert.equal(failures.map((f) => [f.name, f.problem]), [['spi-device', 'did not build'], ['epoll', 'did not build'], ['i2c-bus', 'not installed']]);
  assert.match(failures[0]!.fix, /apt-get install build-essential python3, then npm rebuild spi-device/);
  assert.match(failures[1]!.fix, /npm rebuild epoll/);
  assert.match(failures[2]!.fix, /npm install i2c-bus/);
  const text = (report(failures) as string[]).join('\n');
  assert.match(text, /spi-device — needed for SPI LoRa HATs/);
});

test('every optional native dependency in package.json is checked', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.is(pkg.scripts.postinstall, 'node packaging/check-native.mjs');
  const checked = new Set((NATIVE_MODULES as Array<{ name: string }>).map((m) => m.name));
  for (const name of Object.keys(pkg.optionalDependencies)) {
    if (name === 'cbor-extract') continue; // the empty stand-in (packaging/no-cbor-extract), nothing native
    assert.ok(checked.has(name), `${name} is not checked at install`);
  }
});

test('the script exits 0 by default and, when strict, 1 exactly if a module here cannot load', () => {
  const here = checkNative(createRequire(join(root, 'package.json'))) as Failure[];
  const run = (env: Record<string, string>) => spawnSync(process.execPath, [join(root, 'packaging/check-native.mjs')], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const lax = run({ LATTICE_NATIVE_CHECK_STRICT: '' });
  assert.is(lax.status, 0);
  for (const f of here) assert.match(lax.stderr, new RegExp(`✗ ${f.name} `));
  assert.is(run({ LATTICE_NATIVE_CHECK_STRICT: '1' }).status, here.length > 0 ? 1 : 0);
});

test.run();
