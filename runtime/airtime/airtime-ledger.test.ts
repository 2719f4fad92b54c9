import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AirtimeLedger } from './airtime-ledger.js';
import { FileLedgerStore } from './file-ledger-store.js';
import { MemoryLedgerStore } from './testing/memory-ledger-store.js';

const H = 3_600_000;
const T0 = 1_700_000_000_000;

test('usedMs sums airtime inside the rolling hour, counting a straddling frame partly', () => {
  let now = T0;
  const ledger = new AirtimeLedger({ now: () => now });
  void ledger.record('p', T0, 1000);
  void ledger.record('p', T0 + 10_000, 500);
  void ledger.record('m', T0 + 10_000, 700);
  assert.is(ledger.usedMs('p', T0 + 20_000), 1500);
  assert.is(ledger.usedMs('m', T0 + 20_000), 700);
  // One hour after T0+400: the first frame's last 600 ms are still inside.
  assert.is(ledger.usedMs('p', T0 + H + 400), 600 + 500);
  assert.is(ledger.usedMs('p', T0 + H + 10_500), 0);
});

test('waitMs: 0 when the frame fits, else exactly until enough old airtime left the window', async () => {
  let now = T0;
  const ledger = new AirtimeLedger({ now: () => now });
  const budget = 36_000; // 1 % of an hour
  // 36 frames of 1 s, one every 10 s: the budget is full.
  for (let i = 0; i < 36; i++) await ledger.record('m', T0 + i * 10_000, 1000);
  now = T0 + 360_000;
  assert.is(ledger.usedMs('m', now), 36_000);
  assert.is(ledger.waitMs('m', budget, 0, now), 0);
  const wait = ledger.waitMs('m', budget, 400, now);
  // The new 400 ms frame ends at now+wait+400; the window [end−H, end] must have dropped 400 ms of the first frame.
  assert.is(wait, T0 + 400 + H - 400 - now);
  assert.is(ledger.usedMs('m', now + wait + 400) + 400, budget);
  assert.is(ledger.waitMs('m', budget, 400, now + wait), 0);
  assert.ok(ledger.waitMs('m', budget, 400, now + wait - 1) > 0);
  // Another sub-band is independent.
  assert.is(ledger.waitMs('p', 360_000, 400, now), 0);
  // A frame longer than the whole budget can never go.
  assert.is(ledger.waitMs('k', 3600, 3601, now), Number.POSITIVE_INFINITY);
});

test('waitMs walks over several records when one is not enough', async () => {
  const ledger = new AirtimeLedger({ now: () => T0 });
  await ledger.record('m', T0, 300);
  await ledger.record('m', T0 + 1000, 300);
  await ledger.record('m', T0 + 2000, 400);
  // Budget 1000, all used; a 500 ms frame needs the first record (300) and 200 ms of the second to leave.
  const at = T0 + 3000;
  const wait = ledger.waitMs('m', 1000, 500, at);
  assert.is(at + wait + 500 - H, T0 + 1000 + 200);
});

test('persisted budget holds across a restart (memory store)', async () => {
  const store = new MemoryLedgerStore();
  let now = T0;
  const a = new AirtimeLedger({ store, now: () => now });
  await a.start();
  for (let i = 0; i < 10; i++) await a.record('p', now + i * 5000, 3600);
  await a.flush();
  assert.is(store.saves, 10);
  now += 60_000;
  const b = new AirtimeLedger({ store, now: () => now });
  await b.start();
  assert.is(b.usedMs('p'), 36_000);
  assert.is(b.waitMs('p', 36_000, 100), a.waitMs('p', 36_000, 100));
  assert.ok(b.waitMs('p', 36_000, 100) > 0);
});

test('file store: atomic replace, survives restart, corrupt file kept aside and blacks out one hour', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-ledger-'));
  try {
    const path = join(dir, 'airtime.json');
    let now = T0;
    const a = new AirtimeLedger({ store: new FileLedgerStore(path), now: () => now });
    await a.start();
    await a.record('eu868-p', now, 2000);
    await a.record('eu868-p', now + 1000, 2000);
    const saved = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(saved.records, [['eu868-p', T0, 2000], ['eu868-p', T0 + 1000, 2000]]);
    assert.equal((await readdir(dir)).sort(), ['airtime.json', 'airtime.json.lock'], 'the ledger and its writer lock');
    assert.is((await stat(path)).mode & 0o777, 0o600, 'owner-only, like everything in the data directory');
    await a.stop();
    assert.equal((await readdir(dir)).sort(), ['airtime.json'], 'stop() releases the lock');
    now += 10_000;
    const b = new AirtimeLedger({ store: new FileLedgerStore(path), now: () => now });
    await b.start();
    assert.is(b.usedMs('eu868-p'), 4000);
    await b.stop();

    await writeFile(path, '{"version":1,"records":[["x",1');
    const errors: string[] = [];
    const c = new AirtimeLedger({ store: new FileLedgerStore(path), now: () => now, onStoreError: (e) => errors.push(e.name) });
    await c.start();
    assert.equal(errors, ['LedgerCorruptError']);
    assert.ok((await readdir(dir)).some((f) => f.startsWith('airtime.json.corrupt-')));
    assert.is(c.waitMs('eu868-p', 360_000, 100), H);
    await c.stop();
    // The blackout itself is persisted: a second restart still waits.
    const d = new AirtimeLedger({ store: new FileLedgerStore(path), now: () => now + 1000 });
    await d.start();
    assert.is(d.waitMs('eu868-p', 360_000, 100), H - 1000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('fails closed: a save that fails rejects record() with LedgerSaveError and books nothing; the data dir is created on first save', async () => {
  const errors: string[] = [];
  const failing = { load: async () => undefined, save: async () => { throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' }); } };
  const ledger = new AirtimeLedger({ store: failing, now: () => T0, onStoreError: (e) => errors.push(e.message) });
  await ledger.start();
  const err = await ledger.record('m', T0 - 10_000, 5000).then(() => undefined, (e: Error) => e);
  assert.is(err?.name, 'LedgerSaveError');
  assert.is((err as Error & { cause: Error }).cause.message, 'EROFS: read-only file system');
  assert.equal(errors, ['EROFS: read-only file system']);
  assert.is(ledger.usedMs('m'), 0, 'the frame is not sent, so it is not counted either');
  const dir = await mkdtemp(join(tmpdir(), 'lattice-ledger-'));
  try {
    const nested = new AirtimeLedger({ store: new FileLedgerStore(join(dir, 'a', 'b', 'airtime.json')), now: () => T0 });
    await nested.start();
    await nested.record('m', T0, 100);
    assert.ok(JSON.parse(await readFile(join(dir, 'a', 'b', 'airtime.json'), 'utf8')).records.length === 1);
    await nested.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('records from the future (clock went backwards) count for a full window from now', async () => {
  const store = new MemoryLedgerStore();
  store.saved = { version: 1, records: [['m', T0 + 10 * H, 1000]] };
  const ledger = new AirtimeLedger({ store, now: () => T0 });
  await ledger.start();
  assert.is(ledger.usedMs('m', T0 + 1000), 1000);
  assert.is(ledger.usedMs('m', T0 + H + 1000), 0);
});

test('records older than the window are pruned from the snapshot', async () => {
  let now = T0;
  const ledger = new AirtimeLedger({ now: () => now });
  await ledger.record('m', T0, 100);
  now = T0 + H + 200;
  await ledger.record('m', now, 100);
  assert.equal(ledger.snapshot().records, [['m', now, 100]]);
});

test.run();
