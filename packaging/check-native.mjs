#!/usr/bin/env node
// postinstall: load every optional native module this relay may need and say, for each one that did not build or
// is missing, what it is for and the fix. npm silently leaves out an optional dependency whose build failed
// (no compiler, no python3), which used to surface only when `lattice run` first touched the radio. Never fails
// the install (a laptop needs none of these) unless LATTICE_NATIVE_CHECK_STRICT=1 (the image build sets it: a
// relay image without its radio modules is broken). Self-contained: it runs before TypeScript is compiled.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUILD_FIX = 'apt-get install build-essential python3';

/** Optional native modules, in dependency order (epoll before onoff, which loads it). */
export const NATIVE_MODULES = [
  { name: 'spi-device', purpose: 'SPI LoRa HATs (lora hal: spi)' },
  // Ours, from packaging/gpio-cdev (a file: dependency): a plain `npm install` in the relay's directory builds it.
  { name: 'lattice-gpio-cdev', purpose: 'GPIO through /dev/gpiochip* (LoRa HAT BUSY, DIO1, RESET lines)', install: '' },
  { name: 'epoll', purpose: 'sysfs GPIO edges (used by onoff)', install: 'onoff' },
  { name: 'onoff', purpose: 'sysfs GPIO, the fallback where the GPIO character device cannot be used' },
  { name: 'i2c-bus', purpose: 'I2C sensors' },
];

/** One module's load failure as the fix for it: absent (npm dropped it) or present but not built. */
export function diagnose(mod, err) {
  const message = String(err?.message ?? err).split('\n')[0];
  const missing = /Cannot find (?:module|package) '([^'./][^']*)'/.exec(message);
  if (missing) {
    const pkg = missing[1].split('/').slice(0, missing[1].startsWith('@') ? 2 : 1).join('/');
    const install = pkg === mod.name ? mod.install : mod.name;
    return { name: pkg, purpose: mod.purpose, problem: 'not installed', detail: message, fix: `${BUILD_FIX}, then ${install === '' ? 'npm install' : `npm install ${install ?? pkg}`}` };
  }
  const paths = [...String(err?.message ?? err).matchAll(/node_modules\/((?:@[^/\s]+\/)?[^/\s'"]+)\//g)].map((m) => m[1]);
  const culprit = paths.at(-1) ?? mod.name;
  return { name: culprit, purpose: mod.purpose, problem: 'did not build', detail: message, fix: `${BUILD_FIX}, then npm rebuild ${culprit}` };
}

/** Load each module with `load`; the failures, one per culprit (a failed epoll is reported once, not again for
 * onoff). */
export function checkNative(load, modules = NATIVE_MODULES) {
  const failures = [];
  for (const mod of modules) {
    try {
      load(mod.name);
    } catch (err) {
      const d = diagnose(mod, err);
      if (!failures.some((f) => f.name === d.name)) failures.push(d);
    }
  }
  return failures;
}

export function report(failures) {
  if (failures.length === 0) return ['lattice-edge: native modules ok (' + NATIVE_MODULES.map((m) => m.name).join(', ') + ')'];
  const lines = ['lattice-edge: some optional native modules cannot be used on this machine:'];
  for (const f of failures) {
    lines.push(`  ✗ ${f.name} — needed for ${f.purpose} — ${f.problem}: ${f.detail}`);
    lines.push(`      fix: ${f.fix} (in ${process.cwd()})`);
  }
  lines.push('  A relay whose config does not use these runs without them; `lattice run` refuses to start a radio that needs one.');
  return lines;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  if (process.platform !== 'linux') process.exit(0); // GPIO, SPI and I2C modules are for Linux boards only
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const require = createRequire(join(root, 'package.json'));
  const failures = checkNative((name) => require(name));
  const lines = report(failures);
  (failures.length ? console.warn : console.log)(lines.join('\n'));
  process.exit(failures.length > 0 && process.env.LATTICE_NATIVE_CHECK_STRICT === '1' ? 1 : 0);
}
