/** TCP stream framing: vectors whole, in two chunks and byte by byte; resync on garbage with discards counted;
 * oversize and unknown-type headers skipped; fuzzing never throws and never loses a frame after garbage. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { STREAM_HEADER_BYTES, StreamDecoder, encodeStreamFrame, type StreamFrame } from './stream-codec.js';

const frames: StreamFrame[] = [
  { type: 'hello', payload: Uint8Array.from({ length: 48 }, (_, i) => i) },
  { type: 'data', payload: Uint8Array.of(0x11) },
  { type: 'data', payload: new Uint8Array(0) },
  { type: 'auth', payload: new Uint8Array(64).fill(0x4c) },
  { type: 'data', payload: new Uint8Array(1000).fill(0x53) },
];
const wire = Uint8Array.from(frames.flatMap((f) => [...encodeStreamFrame(f.type, f.payload)]));

function feed(decoder: StreamDecoder, chunks: Uint8Array[]): StreamFrame[] {
  return chunks.flatMap((c) => decoder.push(c));
}

test('encoding layout', () => {
  assert.equal([...encodeStreamFrame('data', Uint8Array.of(9, 8))], [0x4c, 0x53, 4, 0, 0, 0, 2, 9, 8]);
  assert.equal([...encodeStreamFrame('challenge', new Uint8Array(0))], [0x4c, 0x53, 2, 0, 0, 0, 0]);
});

test('vectors whole, in two chunks at every split point, and byte by byte', () => {
  assert.equal(feed(new StreamDecoder(2000), [wire]), frames);
  for (let cut = 0; cut <= wire.length; cut += 7) {
    const d = new StreamDecoder(2000);
    assert.equal(feed(d, [wire.subarray(0, cut), wire.subarray(cut)]), frames, `cut ${cut}`);
    assert.is(d.discardedBytes, 0);
  }
  const d = new StreamDecoder(2000);
  assert.equal(feed(d, [...wire].map((b) => Uint8Array.of(b))), frames);
  assert.is(d.pending, 0);
});

test('a frame exactly at the maximum fits the preallocated buffer; one byte more is skipped', () => {
  const d = new StreamDecoder(1000);
  assert.equal(d.push(encodeStreamFrame('data', new Uint8Array(1000).fill(1))).length, 1);
  const over = encodeStreamFrame('data', new Uint8Array(1001));
  const out = d.push(Uint8Array.of(...over, ...encodeStreamFrame('data', Uint8Array.of(5))));
  assert.equal(out, [{ type: 'data', payload: Uint8Array.of(5) }]);
  assert.ok(d.badHeaders >= 1);
  assert.ok(d.discardedBytes >= over.length);
});

test('garbage before, between and after frames is skipped and counted; unknown types resync', () => {
  const d = new StreamDecoder(2000);
  const junk = Uint8Array.of(0x00, 0xff, 0x4c, 0x00, 0x53);
  const unknownType = Uint8Array.of(0x4c, 0x53, 9, 0, 0, 0, 1, 0);
  const out = feed(d, [junk, encodeStreamFrame('data', Uint8Array.of(1)), unknownType, junk, encodeStreamFrame('data', Uint8Array.of(2)), junk]);
  assert.equal(out.map((f) => [...f.payload]), [[1], [2]]);
  assert.is(d.badHeaders, 1);
  assert.is(d.discardedBytes, junk.length * 3 + unknownType.length);
  // A lone 0x4c at the end may be the start of the next chunk's magic: it waits instead of being discarded.
  d.push(Uint8Array.of(0x00, 0x4c));
  assert.is(d.discardedBytes, junk.length * 3 + unknownType.length + 1);
  assert.is(d.pending, 1);
  assert.equal(d.push(encodeStreamFrame('data', Uint8Array.of(3)).subarray(1)).map((f) => [...f.payload]), [[3]]);
});

test('fuzz: random chunks never throw; a frame after garbage is always recovered', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (chunks) => {
      const d = new StreamDecoder(512);
      for (const c of chunks) for (const f of d.push(c)) assert.ok(f.payload.length <= 512);
      assert.ok(d.pending <= STREAM_HEADER_BYTES + 512);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 100 }), fc.nat(40), (garbage, payload, split) => {
      const d = new StreamDecoder(512);
      // Garbage can itself look like a header with a large length; a full frame's worth of filler flushes it.
      const filler = new Uint8Array(STREAM_HEADER_BYTES + 512);
      const good = encodeStreamFrame('data', payload);
      const all = Uint8Array.of(...garbage, ...filler, ...good, ...good);
      const cut = Math.min(split, all.length);
      const out = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      const matches = out.filter((f) => f.type === 'data' && Buffer.from(f.payload).equals(Buffer.from(payload)));
      assert.ok(matches.length >= 2, 'both good frames come through');
    }),
    { numRuns: 1000 },
  );
});

test.run();
