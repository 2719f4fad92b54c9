import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createMetrics } from '../metrics/metrics.js';
import { generateIdentity } from '../identity/identity.js';
import { createBundle } from '../bundle/create-bundle.js';
import { encodeBundle, decodeBundle } from '../bundle/bundle-codec.js';
import { bundleId } from '../bundle/bundle-id.js';
import { Vault, type IngestRecord } from './vault.js';

const me = generateIdentity();
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'vault-test-'));
  dirs.push(d);
  return d;
}

function record(opts: Partial<IngestRecord> & { text?: string; sentAt?: number; lifetimeMs?: number } = {}): IngestRecord {
  const b = createBundle(me, { recipient: null, text: opts.text ?? 'hello', sentAt: opts.sentAt ?? 1_000_000, lifetimeMs: opts.lifetimeMs ?? 60_000 });
  const { text: _t, sentAt: _s, lifetimeMs: _l, ...rest } = opts;
  return { id: bundleId(b), bytes: encodeBundle(b), receivedAt: b.sentAt, expiresAt: b.sentAt + b.lifetime, ...rest };
}

test('put-if-absent: the second copy is a duplicate, sequential and concurrent', async () => {
  const v = new Vault({ path: tmp(), groupCommitMs: 5, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
  await v.start();
  const r = record({ inbox: true });
  assert.is(await v.ingest(r), 'stored');
  assert.is(await v.ingest({ ...r }), 'duplicate');
  const r2 = record({ text: 'two' });
  const both = await Promise.all([v.ingest(r2), v.ingest({ ...r2 })]);
  assert.equal(both.sort(), ['duplicate', 'stored']);
  assert.is(v.counts().stored, 2);
  assert.is(v.counts().inbox, 1);
  assert.ok(v.has(r.id));
  assert.not.ok(v.has(randomBytes(32)));
  const got = v.get(r.id)!;
  assert.equal(decodeBundle(got.bytes).body, decodeBundle(r.bytes).body);
  assert.is(got.inbox, true);
  await v.stop();
});

test('a copy of a bundle still on its way to disk is a duplicate only once the first copy is flushed', async () => {
  const v = new Vault({ path: tmp(), groupCommitMs: 5, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
  await v.start();
  const r = record({ text: 'in flight' });
  const order: string[] = [];
  const fsyncs = v.fsyncs;
  const first = v.ingest(r).then((x) => order.push(`first ${x} after ${v.fsyncs - fsyncs} fsync`));
  assert.ok(v.has(r.id), 'known while in flight');
  // Both would be acknowledged to a sender as durable (router: settle 'duplicate').
  const second = v.ingest({ ...r }).then((x) => order.push(`second ${x} after ${v.fsyncs - fsyncs} fsync`));
  const durable = v.whenDurable(r.id).then(() => order.push(`durable after ${v.fsyncs - fsyncs} fsync`));
  await Promise.all([first, second, durable]);
  assert.equal(order, ['first stored after 1 fsync', 'second duplicate after 1 fsync', 'durable after 1 fsync']);
  await v.whenDurable(r.id);
  await v.whenDurable(randomBytes(32));
  await v.stop();
});

test('a duplicate that fell out of the recent-id filter is still caught by the conditional write', async () => {
  const path = tmp();
  const v = new Vault({ path, groupCommitMs: 1, fsyncsPerSecond: Infinity, sweepIntervalMs: 0, recentWindow: 64 });
  await v.start();
  const first = record({ text: 'old' });
  assert.is(await v.ingest(first), 'stored');
  for (let i = 0; i < 400; i++) await v.ingest({ ...record({ text: `filler ${i}` }) });
  assert.is(await v.ingest({ ...first }), 'duplicate');
  await v.stop();
});

test('outbox state machine: queued -> accepted -> delivered, counts by state, trace events', async () => {
  const v = new Vault({ path: tmp(), groupCommitMs: 1, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
  await v.start();
  const r = record({ targets: ['a'.repeat(64), 'b'.repeat(64)] });
  await v.ingest(r);
  assert.equal(v.counts().outbox, { queued: 1, accepted: 0, delivered: 0, expired: 0 });
  assert.equal(v.queuedIds().map((x) => Buffer.from(x).toString('hex')), [Buffer.from(r.id).toString('hex')]);
  const row = v.outbox(r.id)!;
  v.setOutbox(r.id, { ...row, targets: row.targets.map((t) => ({ ...t, state: 'accepted', bearer: 'mqtt', at: 5 })) });
  v.trace(r.id, { at: 5, event: 'accepted', bearer: 'mqtt' });
  assert.is(v.outbox(r.id)!.targets[0]!.state, 'accepted', 'visible before the write cycle');
  await v.settle();
  assert.equal(v.counts().outbox, { queued: 0, accepted: 1, delivered: 0, expired: 0 });
  assert.is(v.queuedIds().length, 0);
  const row2 = v.outbox(r.id)!;
  v.setOutbox(r.id, { ...row2, targets: [{ ...row2.targets[0]!, state: 'delivered' }, row2.targets[1]!] });
  await v.settle();
  assert.equal(v.counts().outbox, { queued: 0, accepted: 1, delivered: 0, expired: 0 }, 'one target still accepted');
  const row3 = v.outbox(r.id)!;
  v.setOutbox(r.id, { ...row3, targets: row3.targets.map((t) => ({ ...t, state: 'delivered' })) });
  v.setOutbox(r.id, { ...row3, targets: row3.targets.map((t) => ({ ...t, state: 'delivered', tries: 2 })) });
  await v.settle();
  assert.equal(v.counts().outbox, { queued: 0, accepted: 0, delivered: 1, expired: 0 });
  assert.equal(v.traceEvents(r.id).map((e) => e.event), ['accepted']);
  await v.stop();
});

test('awaiting index: prefix scan by node id', async () => {
  const v = new Vault({ path: tmp(), groupCommitMs: 1, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
  await v.start();
  const node = randomBytes(32);
  const r = record({ awaitingNode: node });
  await v.ingest(r);
  assert.equal(v.awaitingIds(node).map((x) => Buffer.from(x).toString('hex')), [Buffer.from(r.id).toString('hex')]);
  assert.is(v.awaitingIds(randomBytes(32)).length, 0);
  v.removeAwaiting(node, r.id);
  await v.settle();
  assert.is(v.awaitingIds(node).length, 0);
  await v.stop();
});

test('awaiting entries carry a state: readable before their write cycle commits, kept across a restart', async () => {
  const path = tmp();
  let v = new Vault({ path, groupCommitMs: 50, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
  await v.start();
  const node = randomBytes(32);
  const [x, y] = [randomBytes(32), randomBytes(32)];
  v.addAwaiting(node, x);
  v.addAwaiting(node, y, Uint8Array.of(3, 1, 2));
  const hexes = (es: Array<{ id: Uint8Array; state: Uint8Array }>) => es.map((e) => `${Buffer.from(e.id).toString('hex')}:${Buffer.from(e.state).toString('hex')}`).sort();
  const want = [`${x.toString('hex')}:`, `${y.toString('hex')}:030102`].sort();
  assert.equal(hexes(v.awaitingEntries(node)), want, 'before the commit');
  await v.settle();
  assert.equal(hexes(v.awaitingEntries(node)), want, 'after it');
  v.addAwaiting(node, y, Uint8Array.of(4));
  v.removeAwaiting(node, x);
  assert.equal(hexes(v.awaitingEntries(node)), [`${y.toString('hex')}:04`]);
  await v.stop();
  v = new Vault({ path, groupCommitMs: 50, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
  await v.start();
  assert.equal(hexes(v.awaitingEntries(node)), [`${y.toString('hex')}:04`], 'after a restart');
  await v.stop();
});

test('expiry: body dropped, outbox rows expired, inbox cleared; purged after the retention', async () => {
  let now = 1_000_000;
  const v = new Vault({ path: tmp(), groupCommitMs: 1, fsyncsPerSecond: Infinity, sweepIntervalMs: 0, retentionMs: 10_000, clock: () => now });
  await v.start();
  const live = record({ text: 'long', lifetimeMs: 3_600_000, inbox: true });
  const dying = record({ text: 'short', lifetimeMs: 1_000, inbox: true, targets: ['c'.repeat(64)] });
  await v.ingest(live);
  await v.ingest(dying);
  assert.is(await v.sweepAll(), 0);
  now += 2_000;
  const expired: string[] = [];
  v.events.on('expired', ({ id }) => expired.push(Buffer.from(id).toString('hex')));
  assert.is(await v.sweepAll(), 1);
  assert.equal(expired, [Buffer.from(dying.id).toString('hex')]);
  await v.settle();
  const c = v.counts();
  assert.is(c.stored, 1);
  assert.is(c.inbox, 1);
  assert.equal(c.outbox, { queued: 0, accepted: 0, delivered: 0, expired: 1 });
  const tomb = v.get(dying.id)!;
  assert.is(tomb.expired, true);
  assert.is(decodeBundle(tomb.bytes).body.length, 0);
  assert.ok(v.traceEvents(dying.id).some((e) => e.event === 'expired'));
  now += 20_000;
  assert.is(await v.sweepAll(), 1);
  assert.is(v.get(dying.id), undefined);
  assert.is(v.outbox(dying.id), undefined);
  assert.is(v.traceEvents(dying.id).length, 0);
  assert.equal(v.counts().outbox, { queued: 0, accepted: 0, delivered: 0, expired: 0 });
  assert.ok(v.get(live.id));
  await v.stop();
});

test('restart: counts and duplicates survive a clean stop; fsyncs are counted', async () => {
  const path = tmp();
  const metrics = createMetrics({ defaultMetrics: false });
  const v = new Vault({ path, groupCommitMs: 1, fsyncsPerSecond: Infinity, sweepIntervalMs: 0, metrics });
  await v.start();
  const recs = Array.from({ length: 50 }, (_, i) => record({ text: `m${i}`, inbox: i % 2 === 0, targets: i % 5 === 0 ? ['x'] : [] }));
  await Promise.all(recs.map((r) => v.ingest(r)));
  assert.ok(v.fsyncs >= 1);
  const m = await metrics.render();
  assert.match(m, /lattice_vault_fsyncs_total \d+/);
  await v.stop();
  const v2 = new Vault({ path, sweepIntervalMs: 0 });
  await v2.start();
  assert.equal(v2.counts(), { stored: 50, inbox: 25, outbox: { queued: 10, accepted: 0, delivered: 0, expired: 0 } });
  assert.ok(v2.has(recs[7]!.id));
  assert.is(await v2.ingest({ ...recs[7]! }), 'duplicate');
  assert.is(v2.inboxIds({ limit: 3 }).length, 3);
  await v2.stop();
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
