/**
 * The expiry sweep is armed for the next expiry (issue 12 item 10): nothing while nothing is stored, sooner when a
 * bundle expires earlier, at least `sweepIntervalMs` between two sweeps, delays capped at 2^31 − 1 ms. On a
 * ManualClock, so the test moves time instead of waiting for it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../lib/testing/manual-clock.js';
import { MAX_TIMER_MS } from '../../lib/clock/timer-clock.js';
import { Vault, type IngestRecord } from './vault.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'vault-sweep-'));
  dirs.push(d);
  return d;
}

const MIN = 60_000;
const record = (at: number, lifetimeMs: number): IngestRecord =>
  ({ id: randomBytes(32), bytes: randomBytes(80), receivedAt: at, expiresAt: at + lifetimeMs, inbox: true });
const hex = (id: Uint8Array) => Buffer.from(id).toString('hex');

test('armed for the first expiry only, sooner for an earlier one, never closer than sweepIntervalMs to the last', async () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const v = new Vault({ path: tmp(), clock, sweepIntervalMs: MIN, retentionMs: 60 * MIN, fsyncsPerSecond: Infinity });
  await v.start();
  const expired: string[] = [];
  v.events.on('expired', ({ id }) => expired.push(hex(id)));
  try {
    assert.is(v.nextSweepAt, undefined, 'an empty vault arms no sweep');
    assert.is(clock.pending(), 0);
    const late = record(t0, 10 * MIN);
    await v.ingest(late);
    assert.is(v.nextSweepAt, t0 + 10 * MIN);
    const early = record(t0, 5 * MIN);
    const soon = record(t0, 5 * MIN + 1000);
    await Promise.all([v.ingest(early), v.ingest(soon)]);
    assert.is(v.nextSweepAt, t0 + 5 * MIN, 're-armed sooner');
    assert.is(clock.pending(), 1, 'one timer');

    await clock.advance(5 * MIN);
    await v.settle();
    assert.equal(expired, [hex(early.id)]);
    // `soon` is due a second later, but a sweep ran just now: the next waits the gap.
    assert.is(v.nextSweepAt, t0 + 6 * MIN);
    await clock.advance(MIN);
    await v.settle();
    assert.equal(expired, [hex(early.id), hex(soon.id)]);
    assert.is(v.nextSweepAt, t0 + 10 * MIN);
    await clock.advance(4 * MIN);
    await v.settle();
    assert.equal(expired.length, 3);
    // The tombstones' turn: purged after the retention, then nothing is left to arm for.
    assert.is(v.nextSweepAt, t0 + 65 * MIN);
    await clock.advance(55 * MIN);
    await v.settle();
    assert.is(v.nextSweepAt, t0 + 66 * MIN, "soon's tombstone, a gap after the last sweep");
    await clock.advance(MIN);
    await v.settle();
    assert.is(v.nextSweepAt, t0 + 70 * MIN);
    await clock.advance(4 * MIN);
    await v.settle();
    assert.is(v.get(late.id), undefined, 'purged');
    assert.is(v.nextSweepAt, undefined, 'the index is empty: nothing armed');
    assert.is(clock.pending(), 0);
  } finally {
    await v.stop();
  }
});

test('a far expiry is armed at most 2^31 − 1 ms ahead and armed again when that fires', async () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const v = new Vault({ path: tmp(), clock, sweepIntervalMs: MIN, fsyncsPerSecond: Infinity });
  await v.start();
  try {
    const far = record(t0, 30 * 86_400_000);
    await v.ingest(far);
    assert.is(v.nextSweepAt, t0 + 30 * 86_400_000);
    assert.is(clock.nextAt(), t0 + MAX_TIMER_MS, 'the timer itself is capped');
    await clock.advance(MAX_TIMER_MS);
    await v.settle();
    assert.is(v.fsyncs, 1, 'woken early: no sweep ran, nothing was written');
    assert.is(clock.nextAt(), t0 + 30 * 86_400_000, 'armed again for the rest');
  } finally {
    await v.stop();
  }
});

test('a restarted vault arms the sweep for what it holds', async () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const path = tmp();
  let v = new Vault({ path, clock, sweepIntervalMs: MIN, fsyncsPerSecond: Infinity });
  await v.start();
  await v.ingest(record(t0, 3 * MIN));
  await v.stop();
  assert.is(clock.pending(), 0, 'stop() cleared the timer');
  v = new Vault({ path, clock, sweepIntervalMs: MIN, fsyncsPerSecond: Infinity });
  await v.start();
  try {
    assert.is(v.nextSweepAt, t0 + 3 * MIN);
  } finally {
    await v.stop();
  }
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('the sent index lists bundles created here, newest first, through expiry, until the tombstone is purged', async () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const v = new Vault({ path: tmp(), clock, sweepIntervalMs: MIN, retentionMs: 60 * MIN, fsyncsPerSecond: Infinity });
  await v.start();
  try {
    const mine = { ...record(t0, 5 * MIN), created: true, inbox: false, targets: ['*'] };
    const newer = { ...record(t0 + 1, 10 * MIN), created: true, inbox: false, targets: ['*'] };
    const heard = record(t0, 5 * MIN);
    await Promise.all([v.ingest(mine), v.ingest(newer), v.ingest(heard)]);
    assert.equal(v.sentIds().map((e) => hex(e.id)), [hex(newer.id), hex(mine.id)], 'only ours, newest first');
    assert.equal(v.sentIds({ limit: 1 }).map((e) => hex(e.id)), [hex(newer.id)]);
    await clock.advance(5 * MIN);
    await v.settle();
    assert.ok(v.get(mine.id)?.expired, 'a tombstone now');
    assert.ok(v.sentIds().some((e) => hex(e.id) === hex(mine.id)), 'still listed (as expired)');
    // Past the retention: one sweep at a time (each re-arms after its write cycle).
    for (let i = 0; i < 70 && v.get(mine.id); i++) {
      await clock.advance(MIN);
      await v.settle();
    }
    assert.is(v.get(mine.id), undefined, 'purged');
    assert.equal(v.sentIds().map((e) => hex(e.id)), [hex(newer.id)], 'its index entry went with it');
  } finally {
    await v.stop();
  }
});

test.run();
