/**
 * The checker on real LMDB files (written by lmdb-js here, then damaged). Every verdict is held against LMDB
 * itself in a child process: what the checker passes, LMDB opens and reads whole; what it rejects would have
 * killed the process (the damaged cases' SIGBUS/SIGSEGV are shown by runtime/daemon/store-damage.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLmdbEnv, currentBootId, parseBootId, type EnvCheck } from './lmdb-env-check.js';
import { PSIZE, bytesOf, newestMetaPage, openInChild, readMetaField, writeAt, writeEnv, writeMetaField } from './testing/lmdb-files.js';

let root = '';
let healthy = '';
let entries = 0;

test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'lmdb-check-'));
  healthy = join(root, 'healthy');
  entries = await writeEnv(healthy, 6, 100);
});
test.after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A copy of the healthy environment, damaged by `damage(dataFile, dir)`. */
function variant(damage: (data: string, dir: string) => void): string {
  const dir = join(root, `v${n++}`);
  cpSync(healthy, dir, { recursive: true });
  damage(join(dir, 'data.mdb'), dir);
  return dir;
}

async function check(dir: string, options = {}): Promise<EnvCheck> {
  const r = await checkLmdbEnv(dir, options);
  if (r.state === 'no-access') throw new Error(`no access: ${r.path}`);
  return r;
}

function damagedAs(r: EnvCheck, kind: string, detail?: RegExp): void {
  assert.is(r.state, 'damaged', JSON.stringify(r));
  if (r.state !== 'damaged') return;
  assert.is(r.kind, kind, r.detail);
  if (detail) assert.match(r.detail, detail);
}

test('a healthy environment passes, quickly and in a full walk, and LMDB reads all of it', async () => {
  const quick = await check(healthy);
  assert.is(quick.state, 'ok');
  if (quick.state !== 'ok') return;
  assert.is(quick.walked, false);
  assert.is(quick.named, 4);
  assert.is(quick.rolledBack, false);
  assert.ok(quick.pagesRead <= 8, `the quick check reads roots only (${quick.pagesRead} pages)`);
  const full = await check(healthy, { full: true });
  assert.is(full.state, 'ok');
  if (full.state === 'ok') assert.ok(full.pagesRead > 20, `${full.pagesRead} pages`);
  const lmdb = await openInChild(healthy);
  assert.is(lmdb.code, 0, lmdb.stderr);
  assert.is(Object.values(lmdb.counts!).reduce((a, b) => a + b, 0), entries);
});

test('nothing there, or an empty directory, is a new store', async () => {
  assert.is((await check(join(root, 'nowhere'))).state, 'absent');
  const empty = join(root, 'empty-dir');
  mkdirSync(empty);
  assert.is((await check(empty)).state, 'absent');
});

test('half-truncated data.mdb: truncated', async () => {
  const size = bytesOf(join(healthy, 'data.mdb')).length;
  damagedAs(await check(variant((f) => truncateSync(f, Math.floor(size / 2 / PSIZE) * PSIZE))), 'truncated', /past the end of the file/);
  // Not even on a page boundary.
  damagedAs(await check(variant((f) => truncateSync(f, Math.floor(size / 2) + 123))), 'truncated');
});

test('an 8 KiB data.mdb (both meta pages, nothing else): truncated', async () => {
  damagedAs(await check(variant((f) => truncateSync(f, 8192))), 'truncated', /needs page \d+, past the end of the file \(8192 bytes, 2 pages\)/);
});

test('zeroed meta pages, a zeroed page 0, a random file: not an LMDB file', async () => {
  damagedAs(await check(variant((f) => writeAt(f, 0, Buffer.alloc(2 * PSIZE)))), 'not-lmdb', /meta page 0 is all zeros/);
  damagedAs(await check(variant((f) => writeAt(f, 0, Buffer.alloc(PSIZE)))), 'not-lmdb');
  damagedAs(await check(variant((f) => writeFileSync(f, randomBytes(bytesOf(join(healthy, 'data.mdb')).length)))), 'not-lmdb', /not an LMDB meta page/);
});

test('empty, 1-byte and half-a-meta data.mdb: empty / short', async () => {
  damagedAs(await check(variant((f) => truncateSync(f, 0))), 'empty', /0 bytes/);
  damagedAs(await check(variant((f) => truncateSync(f, 1))), 'short');
  damagedAs(await check(variant((f) => truncateSync(f, PSIZE + 20))), 'short', /two 4096-byte meta pages/);
});

test('another LMDB data format version', async () => {
  damagedAs(await check(variant((f) => writeMetaField(f, 0, 'version', 1n))), 'version', /version 1/);
});

test('data.mdb gone (lock.mdb left), data.mdb a directory, the store path a file', async () => {
  damagedAs(await check(variant((f) => rmSync(f))), 'missing', /lock\.mdb/);
  damagedAs(await check(variant((f) => { rmSync(f); mkdirSync(f); })), 'not-a-file', /directory/);
  const file = join(root, 'store-is-a-file');
  writeFileSync(file, 'x');
  damagedAs(await check(file), 'not-a-file');
});

test('a lock file that is not a file is reported apart; garbage in a regular lock file is not damage', async () => {
  const dirLock = variant((_f, dir) => { rmSync(join(dir, 'lock.mdb')); mkdirSync(join(dir, 'lock.mdb')); });
  const r = await check(dirLock);
  assert.is(r.state, 'ok');
  assert.equal(r.lock, { state: 'bad', detail: 'lock.mdb is a directory, not a file' });
  const garbage = variant((_f, dir) => writeFileSync(join(dir, 'lock.mdb'), randomBytes(5000)));
  const g = await check(garbage);
  assert.is(g.state, 'ok');
  assert.equal(g.lock, { state: 'ok' });
  const lmdb = await openInChild(garbage, 'write');
  assert.is(lmdb.code, 0, `LMDB rebuilds a garbage lock file: ${lmdb.stderr} ${lmdb.signal}`);
});

test('a garbage meta that LMDB would pick (newest txn, flushed) is damage', async () => {
  damagedAs(
    await check(variant((f) => {
      const p = newestMetaPage(f) === 0 ? 1 : 0;
      writeMetaField(f, p, 'txnid', 1n << 40n);
      writeMetaField(f, p, 'lastPg', 1n << 50n);
      writeMetaField(f, p, 'flags', 0n); // written after an fsync: LMDB trusts it
    })),
    'bad-meta',
  );
});

test('a zeroed meta page 1 is not damage: LMDB ignores a meta with txnid 0, and opens the store', async () => {
  const dir = variant((f) => writeAt(f, PSIZE, Buffer.alloc(PSIZE)));
  const r = await check(dir);
  assert.is(r.state, 'ok', JSON.stringify(r));
  const lmdb = await openInChild(dir, 'write');
  assert.is(lmdb.code, 0, lmdb.stderr);
});

/**
 * A power cut after a reboot, as lmdb-js's overlapping sync leaves it: the newest transactions' metas reached the
 * disk (flagged MDB_OVERLAPPINGSYNC, written during the earlier boot) but their data pages did not; the flushed
 * half-page meta still names the last synced transaction. LMDB rolls back to it; so must the checker.
 */
test('a power cut after a reboot (newest metas without their pages) is not damage, and LMDB rolls back', async () => {
  const dir = join(root, 'powercut');
  const before = await writeEnv(dir, 2, 100);
  const synced = bytesOf(join(dir, 'data.mdb'));
  const syncedTxn = readMetaField(join(dir, 'data.mdb'), 'flushed', 'txnid');
  await writeEnv(dir, 3, 150, before);
  const later = bytesOf(join(dir, 'data.mdb'));
  assert.ok(later.length > synced.length, 'the later transactions grew the file');
  // What the disk holds: the synced file, plus the later commits' two meta pages (not their data pages).
  const file = join(dir, 'data.mdb');
  writeFileSync(file, synced);
  writeAt(file, 0, later.subarray(0, PSIZE / 2)); // page 0's meta, without the flushed half
  writeAt(file, PSIZE, later.subarray(PSIZE, 2 * PSIZE));
  const earlierBoot = (await currentBootId()) + 1n;
  for (const p of [0, 1] as const) {
    assert.ok(readMetaField(file, p, 'txnid') > syncedTxn);
    assert.ok(readMetaField(file, p, 'flags') & 0x1000n, 'committed before its fsync');
    writeMetaField(file, p, 'bootId', earlierBoot);
  }
  const r = await check(dir);
  assert.is(r.state, 'ok', JSON.stringify(r));
  if (r.state === 'ok') {
    assert.is(r.rolledBack, true);
    assert.is(BigInt(r.txnid), syncedTxn);
  }
  // Had the process merely crashed (same boot), LMDB would trust the newest meta, whose pages are not there.
  const crashed = await check(dir, { bootId: earlierBoot });
  assert.is(crashed.state, 'damaged');
  if (crashed.state === 'damaged') assert.ok(['truncated', 'bad-page'].includes(crashed.kind), crashed.detail);
  const lmdb = await openInChild(dir, 'write');
  assert.is(lmdb.code, 0, `${lmdb.signal} ${lmdb.stderr}`);
  assert.is(Object.values(lmdb.counts!).reduce((a, b) => a + b, 0), before, 'the synced transactions, whole');
});

test('a file that ends before mm_last_pg but holds every page the trees use is not damage', async () => {
  // LMDB never writes pages a transaction allocated and freed again ("the file may be shorter if the freeDB
  // lists the final pages"): model it by moving the newest meta's last page past the end of the file.
  const dir = variant((f) => {
    const p = newestMetaPage(f);
    writeMetaField(f, p, 'lastPg', readMetaField(f, p, 'lastPg') + 3n);
    writeMetaField(f, 'flushed', 'lastPg', readMetaField(f, 'flushed', 'lastPg') + 3n);
  });
  const r = await check(dir);
  assert.is(r.state, 'ok', JSON.stringify(r));
  if (r.state === 'ok') assert.is(r.walked, true, 'a short file is walked whole');
  const lmdb = await openInChild(dir, 'write');
  assert.is(lmdb.code, 0, `${lmdb.signal} ${lmdb.stderr}`);
});

test('a page the tree needs that is not what its parent says: bad-page', async () => {
  const dir = variant((f) => {
    // Overwrite the page of the main database's root with a copy of meta page 0.
    const rootPg = Number(readMetaField(f, newestMetaPage(f), 'mainRoot'));
    writeAt(f, rootPg * PSIZE, readFileSync(f).subarray(0, PSIZE));
  });
  damagedAs(await check(dir), 'bad-page');
});

test('boot id as LMDB reads it: strtoll base 16 of the leading digits', () => {
  assert.is(parseBootId('97060023-6edd-4654-9d94-646f059adac3\n'), 0x97060023n);
  assert.is(parseBootId('ffffffffffffffffff-x'), 2n ** 63n - 1n);
  assert.is(parseBootId('zz'), 0n);
});

test.run();
