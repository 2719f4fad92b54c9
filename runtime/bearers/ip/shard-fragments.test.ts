/** Shard message fragmentation: layout, round trips at every size edge, in-order reassembly, the size limit. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { ShardReassembler, fragmentShardMessage } from './shard-fragments.js';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

test('layout: flags byte, last fragment marked, empty message is one empty last fragment', () => {
  assert.equal(fragmentShardMessage(new Uint8Array(0), 4).map((f) => [...f]), [[1]]);
  assert.equal(fragmentShardMessage(Uint8Array.of(9, 8, 7, 6, 5), 2).map((f) => [...f]), [[0, 9, 8], [0, 7, 6], [1, 5]]);
  assert.equal(fragmentShardMessage(Uint8Array.of(9, 8), 2).map((f) => [...f]), [[1, 9, 8]]);
});

test('round trip at fragment-size edges, several messages back to back', () => {
  const r = new ShardReassembler();
  for (const n of [0, 1, 15, 16, 17, 32, 33, 1000]) {
    const m = bytes(n);
    const frags = fragmentShardMessage(m, 16);
    assert.is(frags.length, Math.max(1, Math.ceil(n / 16)));
    const out = frags.map((f) => r.push(f));
    assert.ok(out.slice(0, -1).every((x) => x === undefined), `only the last fragment completes (${n})`);
    assert.equal([...out.at(-1)!], [...m], `size ${n}`);
    assert.is(r.pending, 0);
  }
});

test('a message over the maximum is refused on both sides; the next one still arrives', () => {
  assert.throws(() => fragmentShardMessage(bytes(101), 16, 100), (e: Error) => e.name === 'ShardMessageTooLargeError');
  const r = new ShardReassembler(100);
  // A peer that ignores the limit: its fragments are dropped up to and including the last one.
  const big = fragmentShardMessage(bytes(200), 16, 1000);
  assert.ok(big.every((f) => r.push(f) === undefined));
  assert.is(r.oversize, 1);
  assert.is(r.pending, 0);
  const ok = bytes(100);
  const out = fragmentShardMessage(ok, 16, 100).map((f) => r.push(f)).at(-1);
  assert.equal([...out!], [...ok]);
});

test('an empty fragment (no flags byte) throws RangeError', () => {
  assert.throws(() => new ShardReassembler().push(new Uint8Array(0)), RangeError);
});

test('property: any message, any fragment size, round-trips', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 700 }), (m, size) => {
      const r = new ShardReassembler();
      const out = fragmentShardMessage(m, size).map((f) => r.push(f));
      assert.equal(Buffer.from(out.at(-1)!), Buffer.from(m));
    }),
    { numRuns: 300 },
  );
});

test.run();
