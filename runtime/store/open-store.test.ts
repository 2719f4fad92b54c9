/** What opening a store does with damage: recover (move aside, one line, a counter) or refuse (nothing touched). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLogs } from '../log/testing/capture-logs.js';
import { createMetrics } from '../metrics/metrics.js';
import { openStore, prepareStoreDir } from './open-store.js';
import { writeEnv } from './testing/lmdb-files.js';

const logs = captureLogs('info');
let root = '';
let healthy = '';

test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'open-store-'));
  healthy = join(root, 'healthy');
  await writeEnv(healthy, 2, 50);
});
test.after(() => {
  logs.restore();
  rmSync(root, { recursive: true, force: true });
});

function copy(name: string): string {
  const dir = join(root, name);
  cpSync(healthy, dir, { recursive: true });
  return dir;
}

test('recover: the damaged directory is renamed aside whole, one warning says what and where, a counter counts it', async () => {
  const dir = copy('recover');
  truncateSync(join(dir, 'data.mdb'), 8192);
  const damaged = readFileSync(join(dir, 'data.mdb'));
  const metrics = createMetrics({ defaultMetrics: false });
  logs.records.length = 0;
  const r = await prepareStoreDir(dir, { store: 'shards', metrics });
  assert.is(r.outcome, 'recovered');
  if (r.outcome !== 'recovered') return;
  assert.is(r.kind, 'truncated');
  assert.match(r.movedTo, /recover\.damaged-\d{4}-\d\d-\d\dT/);
  assert.equal(readFileSync(join(r.movedTo, 'data.mdb')), damaged, 'the damaged bytes are kept');
  assert.ok(readdirSync(r.movedTo).includes('lock.mdb'));
  assert.equal(readdirSync(dir), [], 'a new, empty directory in its place');
  assert.is(statSync(dir).mode & 0o777, 0o700);
  const lines = logs.of('store');
  assert.is(lines.length, 1);
  assert.is(lines[0]!.level, 'warn');
  assert.match(lines[0]!.message, /^shard store .*recover is damaged \(truncated\): .*; moved it aside to .*recover\.damaged-.* and starting with an empty shard store$/);
  assert.match(await metrics.render(), /lattice_store_damaged_total\{store="shards",kind="truncated"\} 1/);
  // The store opens empty afterwards.
  const env = await openStore({ path: dir, maxDbs: 4 }, { store: 'shards' });
  assert.is(env.openDB('bundles', {}).getKeysCount(), 0);
  await env.close();
  assert.is(statSync(join(dir, 'data.mdb')).mode & 0o777, 0o600);
  assert.is(statSync(join(dir, 'lock.mdb')).mode & 0o777, 0o600);
});

test('refuse: StoreDamagedError, nothing moved, nothing logged', async () => {
  const dir = copy('refuse');
  truncateSync(join(dir, 'data.mdb'), 0);
  logs.records.length = 0;
  try {
    await prepareStoreDir(dir, { store: 'vault', onDamage: 'refuse' });
    assert.unreachable('refused');
  } catch (err) {
    assert.is((err as Error).name, 'StoreDamagedError');
    assert.is((err as { kind: string }).kind, 'empty');
    assert.match((err as Error).message, /vault .*refuse is damaged \(empty\): data\.mdb is empty \(0 bytes\); refusing to start/);
  }
  assert.equal(readdirSync(root).filter((f) => f.startsWith('refuse')), ['refuse']);
  assert.is(statSync(join(dir, 'data.mdb')).size, 0);
  assert.is(logs.of('store').length, 0);
});

test('a lock file that is not a file is moved aside in both modes; the data stays', async () => {
  const dir = copy('lock');
  rmSync(join(dir, 'lock.mdb'));
  mkdirSync(join(dir, 'lock.mdb'));
  logs.records.length = 0;
  const r = await prepareStoreDir(dir, { store: 'vault', onDamage: 'refuse' });
  assert.is(r.outcome, 'lock-replaced');
  assert.is(logs.of('store').length, 1);
  const env = await openStore({ path: dir, maxDbs: 4 }, { store: 'vault', onDamage: 'refuse' });
  assert.is(env.openDB('bundles', { keyEncoding: 'binary', encoding: 'binary' }).getKeysCount(), 25);
  await env.close();
});

test('a healthy store and a new one pass untouched', async () => {
  logs.records.length = 0;
  assert.equal(await prepareStoreDir(copy('fine'), { store: 'vault', onDamage: 'refuse' }), { outcome: 'ok' });
  assert.equal(await prepareStoreDir(join(root, 'new', 'vault'), { store: 'vault', onDamage: 'refuse' }), { outcome: 'new' });
  assert.is(statSync(join(root, 'new', 'vault')).mode & 0o777, 0o700);
  assert.is(logs.of('store').length, 0);
});

test.run();
