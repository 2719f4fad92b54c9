/**
 * When the vault flushes (issue 12 item 11): as soon as a write waits and the previous flush finished, within a
 * budget of fsyncs (fsync-budget.ts: 3 back to back, 10 a second, never more than 10 in any second), batching only
 * when the budget is spent; writes nobody waits for gather first. On a ManualClock: what is armed, and when, is
 * asserted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createMetrics } from '../metrics/metrics.js';
import { ManualClock } from '../../lib/testing/manual-clock.js';
import { FsyncBudget } from './fsync-budget.js';
import { Vault, type IngestRecord } from './vault.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'vault-commit-'));
  dirs.push(d);
  return d;
}

function record(at: number): IngestRecord {
  return { id: randomBytes(32), bytes: randomBytes(100), receivedAt: at, expiresAt: at + 3_600_000, inbox: true };
}

/** One token comes back every 1000 / 10 ms. */
const REFILL_MS = 100;

test('an idle vault flushes each waiting ingest at once: three back to back, then one per refill, batched', async () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const v = new Vault({ path: tmp(), clock, sweepIntervalMs: 0 });
  await v.start();
  try {
    for (let i = 1; i <= 3; i++) {
      assert.is(await v.ingest(record(t0)), 'stored');
      assert.is(v.fsyncs, i, `ingest ${i} in its own flush`);
      assert.is(clock.pending(), 0, `ingest ${i} waited for no timer`);
    }
    assert.is(clock.now(), t0, 'no time had to pass');
    // The burst is spent: the next ingests wait for the budget and share one flush.
    const waiting = [v.ingest(record(t0)), v.ingest(record(t0)), v.ingest(record(t0))];
    assert.is(clock.pending(), 1);
    assert.is(clock.nextAt(), t0 + REFILL_MS, 'armed for the next token');
    await clock.advance(REFILL_MS);
    assert.equal(await Promise.all(waiting), ['stored', 'stored', 'stored']);
    assert.is(v.fsyncs, 4, 'three ingests, one flush');
  } finally {
    await v.stop();
  }
});

test('under sustained load no second holds more than 10 flushes', async () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const v = new Vault({ path: tmp(), clock, sweepIntervalMs: 0 });
  await v.start();
  try {
    const flushesAt: number[] = [];
    // A client that sends again as soon as its last send is acknowledged, for three seconds of the vault's time.
    while (clock.now() < t0 + 3000) {
      const before = v.fsyncs;
      const p = v.ingest(record(clock.now()));
      if (clock.pending() > 0) await clock.fireNext();
      await p;
      if (v.fsyncs > before) flushesAt.push(clock.now());
    }
    for (const at of flushesAt) {
      const inSecond = flushesAt.filter((x) => x >= at && x < at + 1000).length;
      assert.ok(inSecond <= 10, `${inSecond} flushes in the second from ${at - t0} ms`);
    }
    assert.equal(flushesAt.slice(0, 3), [t0, t0, t0], 'three at once');
    assert.equal(flushesAt.slice(3, 10).map((x) => x - t0), [100, 200, 300, 400, 500, 600, 700], 'then one per token');
    assert.is(flushesAt[10]! - t0, 1000, 'the 11th waits until the first is a second old');
    assert.is(flushesAt.filter((x) => x >= t0 + 1000 && x < t0 + 2000).length, 10, 'sustained: 10 a second');
  } finally {
    await v.stop();
  }
});

test('writes nobody waits for gather for groupCommitMs and a full budget; an ingest takes them along', async () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const v = new Vault({ path: tmp(), clock, sweepIntervalMs: 0, groupCommitMs: 100 });
  await v.start();
  try {
    const a = record(t0);
    await v.ingest(a);
    v.trace(a.id, { at: t0, event: 'sent', bearer: 'x' });
    assert.is(clock.nextAt(), t0 + 100, 'after groupCommitMs, and once the bucket is full again (one token: 100 ms)');
    await clock.advance(REFILL_MS);
    await v.settle();
    assert.is(v.fsyncs, 2, 'the trace event had its own flush');
    assert.equal(v.traceEvents(a.id).map((e) => e.event), ['sent']);
    // Now an ingest arrives while one waits: both go in the ingest's flush, at once.
    v.setOutbox(a.id, { targets: [{ peer: '*', state: 'delivered', at: t0, tries: 1 }], nextTryAt: 0 });
    assert.is(clock.pending(), 1);
    await v.ingest(record(clock.now()));
    assert.is(v.fsyncs, 3);
    assert.is(clock.pending(), 0, 'nothing left to write');
  } finally {
    await v.stop();
  }
});

test('a write cycle with nothing to write is not flushed nor counted (an idle sweep)', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const v = new Vault({ path: tmp(), sweepIntervalMs: 0, metrics });
  await v.start();
  try {
    assert.is(await v.sweep(), 0);
    assert.is(await v.sweepAll(), 0);
    assert.is(v.fsyncs, 0);
    assert.is((await metrics.read('lattice_vault_fsyncs_total'))?.[0]?.value, 0);
    await v.ingest(record(Date.now()));
    assert.is(v.fsyncs, 1);
  } finally {
    await v.stop();
  }
});

test('the fsync budget refuses settings that cannot hold it, and Infinity means none', () => {
  const now = () => 0;
  assert.throws(() => new FsyncBudget({ perSecond: 3, burst: 4, now }), (e: Error) => e.name === 'RangeError');
  assert.throws(() => new FsyncBudget({ perSecond: 10, burst: 0, now }), (e: Error) => e.name === 'RangeError');
  assert.throws(() => new FsyncBudget({ perSecond: 2.5, burst: 1, now }), (e: Error) => e.name === 'RangeError');
  const free = new FsyncBudget({ perSecond: Infinity, burst: 3, now });
  for (let i = 0; i < 100; i++) free.take();
  assert.is(free.waitMs(), 0);
  let t = 0;
  const b = new FsyncBudget({ perSecond: 10, burst: 3, now: () => t });
  b.take();
  b.take();
  b.take();
  assert.is(b.waitMs(), REFILL_MS);
  assert.is(b.fullInMs(), 3 * REFILL_MS);
  t -= 5_000; // the wall clock stepped back: nothing refills for the step, and the refill goes on from there
  assert.is(b.waitMs(), REFILL_MS);
  t += REFILL_MS;
  assert.is(b.waitMs(), 0);
  // Ten in a second at most, however the tokens come back.
  const w = new FsyncBudget({ perSecond: 10, burst: 3, now: () => t });
  const start = t;
  let n = 0;
  while (t < start + 1000) {
    if (w.waitMs() === 0) {
      w.take();
      n++;
    } else t += 1;
  }
  assert.is(n, 10);
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
