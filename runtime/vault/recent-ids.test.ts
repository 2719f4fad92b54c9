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

test('sparse snapshot: a few ids cost a few blocks; round trip keeps every id; corrupt forms are refused', () => {
  const a = new RecentIds({ window: 1_000_000 });
  for (let i = 0; i < 20; i++) a.add(id(i));
  const snap = a.toBytes();
  assert.ok(snap.length <= 2 + 4 * 8 + 20 * (4 + 4096), `${snap.length}`);
  const b = new RecentIds({ window: 1_000_000 });
  assert.ok(b.load(snap));
  for (let i = 0; i < 20; i++) assert.ok(b.has(id(i)));
  assert.is(b.size, 20);
  // Empty set: header only.
  assert.is(new RecentIds({ window: 1_000_000 }).toBytes().length, 2 + 4 * 8);
  // Truncated, block index past the table, trailing garbage: refused, set stays empty.
  const c = new RecentIds({ window: 1_000_000 });
  assert.not.ok(c.load(snap.subarray(0, snap.length - 1)));
  const bad = Uint8Array.from(snap);
  new DataView(bad.buffer).setUint32(2 + 8, 0xffffff, true);
  assert.not.ok(c.load(bad));
  assert.not.ok(c.load(Uint8Array.of(...snap, 0)));
  assert.is(c.size, 0);
});

test('dense snapshots written by earlier versions still load', () => {
  const a = new RecentIds({ window: 1000 });
  for (let i = 0; i < 700; i++) a.add(id(i));
  // The old layout: [u8 generations, u8 active, per generation u32 count + whole table].
  const gens = (a as unknown as { gens: Array<{ count: number; table: Uint16Array }> }).gens;
  const tableBytes = gens[0]!.table.byteLength;
  const dense = new Uint8Array(2 + gens.length * (4 + tableBytes));
  dense[0] = gens.length;
  dense[1] = (a as unknown as { active: number }).active;
  let o = 2;
  for (const g of gens) {
    new DataView(dense.buffer).setUint32(o, g.count, true);
    dense.set(new Uint8Array(g.table.buffer), o + 4);
    o += 4 + tableBytes;
  }
  const b = new RecentIds({ window: 1000 });
  assert.ok(b.load(dense));
  for (let i = 0; i < 700; i++) assert.ok(b.has(id(i)));
});

test('bad options and short ids are refused', () => {
  assert.throws(() => new RecentIds({ window: 10 }), (e: Error) => e.name === 'RangeError');
  assert.throws(() => new RecentIds({ generations: 1 }), (e: Error) => e.name === 'RangeError');
  assert.throws(() => new RecentIds().has(new Uint8Array(3)), (e: Error) => e.name === 'RangeError');
});

test.run();
