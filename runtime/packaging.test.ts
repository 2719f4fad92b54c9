/**
 * The balena fleet files parse and agree with package.json: the image installs with the lockfile, ships the
 * compiled dist/, starts the same command as `npm start`, and maps the devices and volume a relay needs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const pkg = JSON.parse(read('package.json'));

test('package.json: ESM, bin lattice, node >= 20, GPL-3.0-or-later', () => {
  assert.is(pkg.type, 'module');
  assert.is(pkg.bin.lattice, 'bin/lattice.js');
  assert.ok(existsSync(join(root, pkg.bin.lattice)));
  assert.match(pkg.engines.node, />=\s*20/);
  assert.is(pkg.license, 'GPL-3.0-or-later');
  assert.match(read('LICENSE'), /GNU GENERAL PUBLIC LICENSE\s+Version 3/);
});

test('Dockerfile.template installs from the lockfile, builds dist/ and starts like npm start', () => {
  const df = read('images/Dockerfile.template');
  assert.match(df, /^FROM\s+\$\{NODE_IMAGE\}/m);
  assert.match(df, /ARG NODE_IMAGE=node:20/);
  assert.match(df, /RUN npm (ci|install)\b/);
  assert.match(pkg.scripts.prepare, /tsc/, 'the install must compile TypeScript through prepare');
  assert.match(df, /COPY --from=build \/app\/dist/);
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(df);
  assert.ok(cmd, 'CMD in exec form');
  assert.is((JSON.parse(cmd![1]!) as string[]).join(' '), pkg.scripts.start);
  assert.match(pkg.scripts.start, new RegExp(`^node ${pkg.bin.lattice} run$`));
  for (const m of df.matchAll(/^COPY\s+(?!--from)(\S+)/gm)) {
    for (const src of m[1]!.split(/\s+/)) assert.ok(existsSync(join(root, src)), `COPY source ${src} exists`);
  }
});

test('docker-compose.yml: /data volume, radios and buses, host D-Bus for BlueZ, LATTICE_* configuration', () => {
  const c = parse(read('docker-compose.yml'));
  const relay = c.services.relay;
  assert.is(relay.build.dockerfile, 'images/Dockerfile.template');
  assert.ok(existsSync(join(root, relay.build.context, relay.build.dockerfile)));
  assert.ok(relay.volumes.some((v: string) => /:\/data$/.test(v)));
  assert.ok(c.volumes[relay.volumes[0].split(':')[0]] !== undefined);
  for (const dev of ['/dev/spidev0.0', '/dev/gpiochip0', '/dev/i2c-1', '/dev/ttyUSB0', '/dev/ttyACM0'])
    assert.ok(relay.devices.some((d: string) => d.startsWith(`${dev}:`)), dev);
  assert.is(relay.labels['io.balena.features.dbus'], '1');
  assert.match(relay.environment.DBUS_SYSTEM_BUS_ADDRESS, /\/host\/run\/dbus\/system_bus_socket/);
  assert.is(relay.environment.LATTICE_DATA_DIR, '/data');
});

test('balena.yml: an application for the supported Pi boards', () => {
  const b = parse(read('balena.yml'));
  assert.is(b.type, 'sw.application');
  assert.is(b.version, pkg.version);
  for (const t of ['raspberrypi0-2w-64', 'raspberrypi4-64', 'raspberrypi5']) assert.ok(b.data.supportedDeviceTypes.includes(t), t);
  assert.ok(b.data.applicationEnvironmentVariables.every((v: Record<string, unknown>) => Object.keys(v).every((k) => k.startsWith('LATTICE_'))));
});

test('package-lock.json lists every dependency of every locked package, optional ones included (npm 11 `npm ci`)', () => {
  // npm 11 refuses a lockfile that lacks any package its ideal tree holds, optional platform packages of other
  // operating systems included (npm 10 let them pass): this is the check `npm ci` makes, without the registry.
  const lock = JSON.parse(read('package-lock.json'));
  const packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; dev?: boolean; link?: boolean }> = lock.packages;
  assert.is(lock.lockfileVersion, 3);
  const root = packages[''];
  for (const kind of ['dependencies', 'optionalDependencies', 'devDependencies'] as const) {
    assert.equal(root[kind as 'dependencies'], pkg[kind], `lock root ${kind} match package.json`);
  }
  const missing: string[] = [];
  for (const [at, entry] of Object.entries(packages)) {
    if (entry.link) continue;
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      // Node's lookup: node_modules/<name> beside `at`, then in each enclosing node_modules up to the root.
      let dir = at;
      let found = false;
      for (;;) {
        if (packages[`${dir === '' ? '' : `${dir}/`}node_modules/${name}`]) {
          found = true;
          break;
        }
        if (dir === '') break;
        const i = dir.lastIndexOf('/node_modules/');
        dir = i < 0 ? '' : dir.slice(0, i);
      }
      if (!found) missing.push(`${name} (needed by ${at || 'the root'})`);
    }
  }
  assert.equal(missing, [], `missing from package-lock.json: ${missing.join(', ')}`);
});

test('cbor-extract is the empty stand-in: cbor-x decodes in JavaScript (packaging/no-cbor-extract/README.md)', async () => {
  assert.is(pkg.overrides['cbor-extract'], '$cbor-extract');
  assert.is(pkg.optionalDependencies['cbor-extract'], 'file:packaging/no-cbor-extract');
  assert.is(JSON.parse(read('packaging/no-cbor-extract/package.json')).name, 'cbor-extract');
  const cbor = await import('cbor-x');
  assert.is(cbor.isNativeAccelerationEnabled, false);
});

test('the dashboard ships: its files in web/, listed in package.json files and copied into the image', () => {
  for (const f of ['index.html', 'login.html', 'app.js', 'app.css']) assert.ok(existsSync(join(root, 'web', f)), `web/${f}`);
  assert.ok((pkg.files as string[]).includes('web/'), 'package.json files has web/');
  assert.match(read('images/Dockerfile.template'), /^COPY web \.\/web$/m);
});

test.run();
