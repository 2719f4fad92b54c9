/**
 * Damaged store files meet the real `lattice run`. Before the check (runtime/store/open-store.ts) a half-truncated
 * or 8 KiB vault killed the relay with SIGBUS, zeroed meta pages or a random file with SIGSEGV, and an empty
 * data.mdb started silently with an empty vault. Now each start must: not die by a signal, write one clear line,
 * keep the damaged files aside (renamed, byte for byte), and come up — or, with vault.onDamage: refuse, exit with
 * status 3 and touch nothing. A relay restarted after SIGKILL (a legitimate store) must see no damage at all.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity } from '../identity/identity.js';
import { BIN, RelayProcess, freePort } from './testing/relay-process.js';

const BUNDLES = 60;
const RECIPIENT = generateIdentity().nodeIdHex; // nobody reachable: the bundles stay queued in the vault
let root = '';
let base = '';
let vaultBytes = 0;

interface LogLine {
  level: string;
  ns: string;
  msg: string;
  [k: string]: unknown;
}

function lines(output: string): LogLine[] {
  return output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
}

test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'lattice-store-damage-'));
  base = join(root, 'base');
  const relay = new RelayProcess({ dataDir: base });
  try {
    await relay.start();
    await Promise.all(Array.from({ length: BUNDLES }, (_, i) => relay.send(RECIPIENT, `queued ${i} ${'x'.repeat(200)}`)));
    // A crash is not damage: after SIGKILL the same store opens whole, without a word from the checker.
    await relay.kill();
    relay.output = '';
    await relay.start();
    assert.is((await relay.get('/status')).stored, BUNDLES);
    assert.equal(lines(relay.output).filter((l) => l.ns === 'store'), [], 'no damage after a crash');
  } finally {
    assert.is(await relay.stop(), 0);
  }
  vaultBytes = statSync(join(base, 'vault', 'data.mdb')).size;
  assert.ok(vaultBytes >= 16 * 4096, `a vault of ${vaultBytes} bytes`);
});
test.after(() => {
  if (!process.env.LATTICE_KEEP_TMP) rmSync(root, { recursive: true, force: true });
});

let n = 0;
function damagedCopy(damage: (dataDir: string) => void): string {
  const dir = join(root, `case-${n++}`);
  cpSync(base, dir, { recursive: true });
  damage(dir);
  return dir;
}

/** Starts the relay on a damaged copy and checks the promise: up, one line, the damaged store kept aside. */
async function recovers(dataDir: string, store: 'vault' | 'shards', kind: string, line: RegExp): Promise<void> {
  const damagedBytes = readFileSync(join(dataDir, store, 'data.mdb'));
  const relay = new RelayProcess({ dataDir });
  try {
    await relay.start(); // throws on a signal death or an exit
    const status = await relay.get('/status');
    assert.is(status.stored, store === 'vault' ? 0 : BUNDLES, 'a new, empty vault (or the untouched one)');
    const found = lines(relay.output).filter((l) => l.ns === 'store');
    assert.is(found.length, 1, relay.output);
    assert.is(found[0]!.level, 'warn');
    assert.is(found[0]!.kind, kind);
    assert.match(found[0]!.msg, line);
    const aside = readdirSync(dataDir).filter((f) => f.startsWith(`${store}.damaged-`));
    assert.is(aside.length, 1, readdirSync(dataDir).join(' '));
    assert.is(found[0]!.movedTo, join(dataDir, aside[0]!));
    assert.ok(readFileSync(join(dataDir, aside[0]!, 'data.mdb')).equals(damagedBytes), 'the damaged file is kept as it was');
    // The relay works on its new store.
    await relay.send(RECIPIENT, 'after the damage');
  } finally {
    const code = await relay.stop();
    assert.is(relay.child?.signalCode ?? null, null, 'no signal death');
    assert.is(code, 0, relay.output.slice(-2000));
  }
}

test('a half-truncated vault data.mdb', async () => {
  const dir = damagedCopy((d) => truncateSync(join(d, 'vault', 'data.mdb'), Math.floor(vaultBytes / 2)));
  await recovers(dir, 'vault', 'truncated', /^vault .*\/vault is damaged \(truncated\): .*past the end of the file.*; moved it aside to .*vault\.damaged-.* and starting with an empty vault$/);
});

test('an 8 KiB vault data.mdb', async () => {
  const dir = damagedCopy((d) => truncateSync(join(d, 'vault', 'data.mdb'), 8192));
  await recovers(dir, 'vault', 'truncated', /\(8192 bytes, 2 pages\)/);
});

test('zeroed meta pages', async () => {
  const dir = damagedCopy((d) => {
    const f = join(d, 'vault', 'data.mdb');
    const b = readFileSync(f);
    b.fill(0, 0, 8192);
    writeFileSync(f, b);
  });
  await recovers(dir, 'vault', 'not-lmdb', /meta page 0 is all zeros/);
});

test('a random file as data.mdb', async () => {
  const dir = damagedCopy((d) => writeFileSync(join(d, 'vault', 'data.mdb'), randomBytes(vaultBytes)));
  await recovers(dir, 'vault', 'not-lmdb', /not an LMDB meta page/);
});

test('an empty data.mdb where a vault existed', async () => {
  const dir = damagedCopy((d) => truncateSync(join(d, 'vault', 'data.mdb'), 0));
  await recovers(dir, 'vault', 'empty', /data\.mdb is empty \(0 bytes\)/);
});

test('a damaged shard store', async () => {
  const dir = damagedCopy((d) => truncateSync(join(d, 'shards', 'data.mdb'), 8192));
  await recovers(dir, 'shards', 'truncated', /^shard store .*\/shards is damaged \(truncated\).* starting with an empty shard store$/);
});

test('vault.onDamage: refuse — exit status 3, one line, nothing touched', async () => {
  const dir = damagedCopy((d) => truncateSync(join(d, 'vault', 'data.mdb'), 8192));
  const before = readFileSync(join(dir, 'vault', 'data.mdb'));
  const [api, ip] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [BIN, 'run', '--no-sim', '--no-discovery', '--data-dir', dir, '--api', `127.0.0.1:${api}`, '--metrics', 'off', '--ip-listen', `127.0.0.1:${ip}`], {
    env: { ...process.env, LATTICE_LOG_FORMAT: 'json', LATTICE_LOG_LEVEL: 'info', LATTICE_VAULT_ON_DAMAGE: 'refuse' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  // A relay that starts anyway would never exit on its own.
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(guard);
  assert.is(signal, null, 'no signal death');
  assert.is(code, 3, output);
  const errors = lines(output).filter((l) => l.level === 'error' || l.level === 'warn');
  assert.is(errors.length, 1, output);
  assert.match(errors[0]!.msg, /^vault .*\/vault is damaged \(truncated\): .*; refusing to start because vault\.onDamage is refuse, nothing was changed\. Move .* aside/);
  assert.equal(readdirSync(dir).filter((f) => f.includes('damaged')), []);
  assert.ok(readFileSync(join(dir, 'vault', 'data.mdb')).equals(before));
});

test.run();
