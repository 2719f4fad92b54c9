import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { RecentIds } from './recent-ids.js';

const id = (n: number): Uint8Array => new Uint8Array(createHash('sha256').update(`id-${n}`).digest());

test('remembers every id of its guaranteed window (no false negatives)', () => {
  const s = new RecentIds({ window: 20_000 });
  const total = 100_000;
  for (let i = 0; i < total; i++) s.add(id(i));
  const w = s.guaranteedWindow;
  assert.ok(w >= 20_000);
  for (let i = total - w; i < total; i++) if (!s.has(id(i))) assert.unreachable(`forgot id ${i} inside the window`);
});

test('false-positive rate stays below 0.1 % and memory below 4 bytes per guaranteed id', () => {
  const s = new RecentIds({ window: 50_000 });
  for (let i = 0; i < 200_000; i++) s.add(id(i));
  let fp = 0;
  const probes = 100_000;
  for (let i = 0; i < probes; i++) if (s.has(id(1_000_000 + i))) fp++;
  assert.ok(fp / probes < 0.001, `fpr ${fp / probes}`);
  assert.ok(s.bytes / s.guaranteedWindow < 4, `${s.bytes / s.guaranteedWindow} bytes per id`);
});

test('one million ids: at most 4 MB of tables', () => {
  const s = new RecentIds({ window: 1_000_000 });
  assert.ok(s.bytes <= 4 * 1024 * 1024, `${s.bytes}`);
  assert.ok(s.guaranteedWindow >= 1_000_000);
});

test('snapshot round trip; a snapshot of another shape is refused', () => {
  const a = new RecentIds({ window: 1000 });
  for (let i = 0; i < 1500; i++) a.add(id(i));
  const b = new RecentIds({ window: 1000 });
  assert.ok(b.load(a.toBytes()));
  for (let i = 1499 - 1000; i < 1500; i++) assert.ok(b.has(id(i)));
  const c = new RecentIds({ window: 5000 });
  assert.not.ok(c.load(a.toBytes()));
  assert.not.ok(c.has(id(1)));
  assert.not.ok(b.load(new Uint8Array(3)));
});

test('bad options and short ids are refused', () => {
  assert.throws(() => new RecentIds({ window: 10 }), (e: Error) => e.name === 'RangeError');
  assert.throws(() => new RecentIds({ generations: 1 }), (e: Error) => e.name === 'RangeError');
  assert.throws(() => new RecentIds().has(new Uint8Array(3)), (e: Error) => e.name === 'RangeError');
});

test.run();
