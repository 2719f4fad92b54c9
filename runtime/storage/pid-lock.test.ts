import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PidLock } from './pid-lock.js';
import type { LockHeldError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lattice-pidlock-'));
let n = 0;
const fresh = () => join(dir, `l${n++}.lock`);
const heldBy = (fn: () => unknown): LockHeldError => {
  try {
    fn();
  } catch (err) {
    assert.is((err as Error).name, 'LockHeldError');
    return err as LockHeldError;
  }
  throw new Error('expected LockHeldError');
};
const procStart = (pid: number) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
};

test('a second taker (even in this process) gets LockHeldError naming the holder; release lets it in', () => {
  const path = fresh();
  const a = new PidLock(path);
  assert.equal(a.acquire(), {});
  assert.is((statSync(path).mode & 0o777), 0o600);
  const err = heldBy(() => new PidLock(path).acquire());
  assert.is(err.holder.pid, process.pid);
  assert.match(err.message, String(process.pid));
  assert.ok(!Number.isNaN(Date.parse(err.holder.startedAt)));
  a.release();
  assert.not.ok(existsSync(path));
  const b = new PidLock(path);
  b.acquire();
  b.release();
});

test('a live process of this boot holds its lock', () => {
  const path = fresh();
  const ppid = process.ppid;
  writeFileSync(path, JSON.stringify({ pid: ppid, startedAt: '2026-01-01T00:00:00.000Z', hostname: 'x', procStart: procStart(ppid) }));
  assert.is(heldBy(() => new PidLock(path).acquire()).holder.pid, ppid);
});

test('stale locks are taken over: dead pid, reused pid, another boot, torn file', () => {
  const dead = spawnSync('true').pid!;
  const cases: Array<[string, string, number]> = [
    ['dead pid', JSON.stringify({ pid: dead, startedAt: 's', hostname: 'h' }), dead],
    ['reused pid', JSON.stringify({ pid: process.ppid, startedAt: 's', hostname: 'h', procStart: '1' }), process.ppid],
    ['another boot', JSON.stringify({ pid: process.pid, startedAt: 's', hostname: 'h', bootId: 'not-this-boot' }), process.pid],
    ['torn', '{"pid":12', 0],
    ['empty', '', 0],
  ];
  for (const [what, text, pid] of cases) {
    const path = fresh();
    writeFileSync(path, text);
    const lock = new PidLock(path);
    const r = lock.acquire();
    assert.is(r.tookOver?.pid, pid, what);
    assert.is(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid, what);
    lock.release();
  }
});

test('release leaves a lock that is no longer ours', () => {
  const path = fresh();
  const a = new PidLock(path);
  a.acquire();
  writeFileSync(path, JSON.stringify({ pid: 1, startedAt: 'x', hostname: 'h' }));
  a.release();
  assert.ok(existsSync(path));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
