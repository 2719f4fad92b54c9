import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fragment, maxPayload } from './fragmenter.js';
import { MAX_FRAGMENTS, decodeLinkFrame, encodeLinkFrame, linkHeaderLength } from './link-frame.js';
import { Reassembler, type ReassemblyFailure } from './reassembler.js';

const A = Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd);
const B = Uint8Array.of(0x01, 0x02, 0x03, 0x04);
const payload = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

test('link frame vectors: broadcast header 5 bytes, unicast 10 (with the message number), fragments +1/+2; decode inverts encode', () => {
  const bc = encodeLinkFrame({ type: 'data', from: A, encoding: 'compact', payload: Uint8Array.of(9) });
  assert.equal([...bc], [0x41, 0xaa, 0xbb, 0xcc, 0xdd, 9]);
  const uni = encodeLinkFrame({ type: 'data', from: A, to: B, encoding: 'wire', message: 7, fragment: { index: 2, count: 3 }, payload: Uint8Array.of(9, 8) });
  assert.equal([...uni], [0x4c, 0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4, 7, 0x22, 9, 8]);
  assert.equal(decodeLinkFrame(uni), { type: 'data', from: A, to: B, encoding: 'wire', message: 7, fragment: { index: 2, count: 3 }, payload: Uint8Array.of(9, 8) });
  const uni1 = encodeLinkFrame({ type: 'data', from: A, to: B, encoding: 'compact', message: 200, payload: Uint8Array.of(1) });
  assert.equal([...uni1], [0x49, 0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4, 200, 1]);
  const bcFrag = encodeLinkFrame({ type: 'data', from: A, encoding: 'compact', message: 5, fragment: { index: 0, count: 2 }, payload: Uint8Array.of(1) });
  assert.equal([...bcFrag], [0x45, 0xaa, 0xbb, 0xcc, 0xdd, 5, 0x01, 1]);
  assert.throws(() => encodeLinkFrame({ type: 'data', from: A, to: B, encoding: 'wire', payload: Uint8Array.of(1) }), RangeError);
  const adv = encodeLinkFrame({ type: 'advert', from: A, encoding: 'wire', payload: new Uint8Array(32).fill(0xaa) });
  assert.is(adv.length, 37);
  assert.is(decodeLinkFrame(adv).type, 'advert');
  const adv1 = encodeLinkFrame({ type: 'advert', from: A, encoding: 'wire', payload: Uint8Array.from([...new Uint8Array(32).fill(0xaa), 1, 2, 3, 4]) });
  assert.equal(decodeLinkFrame(adv1).payload.subarray(32), B);
  assert.throws(() => decodeLinkFrame(Uint8Array.from([...adv1, 9, 9])), (e: Error) => e.name === 'LinkFrameDecodeError');
  const ack = encodeLinkFrame({ type: 'ack', from: B, to: A, encoding: 'wire', payload: Uint8Array.of(7) });
  assert.equal([...ack], [0x68, 1, 2, 3, 4, 0xaa, 0xbb, 0xcc, 0xdd, 7]);
  assert.equal(decodeLinkFrame(ack), { type: 'ack', from: B, to: A, encoding: 'wire', payload: Uint8Array.of(7) });
});

test('hostile link frames raise LinkFrameDecodeError', () => {
  const bad = [
    [], [0x41, 1, 2, 3], [0x01, 1, 2, 3, 4, 5], [0x71, 1, 2, 3, 4, 5], [0x43, 1, 2, 3, 4, 5], [0x41, 1, 2, 3, 4],
    [0x45, 1, 2, 3, 4, 0, 0x20, 5], // index 2 of 1
    [0x45, 1, 2, 3, 4, 0, 0x00, 5], // a fragment set of one
    [0x49, 1, 2, 3, 4, 5, 6, 7, 8, 9], // unicast: message number but no payload
    [0x54, 1, 2, 3, 4, 0, 0x01, 5], // fragmented advert
    [0x50, 1, 2, 3, 4, 5], // advert without a 32-byte id
    [0x60, 1, 2, 3, 4, 5], // broadcast ack
    [0x68, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9], // ack with two bytes
    [0x70, 1, 2, 3, 4, 5], // type 3
  ];
  for (const b of bad) assert.throws(() => decodeLinkFrame(Uint8Array.from(b)), (e: Error) => e.name === 'LinkFrameDecodeError', JSON.stringify(b));
});

test('fragment: fits in one frame when it can, else equal fragments within maxFrame; too big -> undefined', () => {
  const one = fragment(payload(250), { from: A, encoding: 'compact', message: 1, maxFrame: 255 })!;
  assert.is(one.length, 1);
  assert.is(one[0]!.length, 255);
  const many = fragment(payload(600), { from: A, to: B, encoding: 'compact', message: 1, maxFrame: 100 })!;
  assert.is(many.length, Math.ceil(600 / (100 - linkHeaderLength(true, true))));
  for (const f of many) assert.ok(f.length <= 100);
  const limit = maxPayload(100, true);
  assert.is(fragment(payload(limit), { from: A, to: B, encoding: 'wire', message: 1, maxFrame: 100 })!.length, MAX_FRAGMENTS);
  assert.is(fragment(payload(limit + 1), { from: A, to: B, encoding: 'wire', message: 1, maxFrame: 100 }), undefined);
});

function setup(init: { maxPending?: number; maxAgeMs?: number } = {}) {
  let now = 1000;
  const failures: ReassemblyFailure[] = [];
  const r = new Reassembler({ ...init, now: () => now, onFailure: (why) => failures.push(why) });
  return { r, failures, advance: (ms: number) => (now += ms) };
}

test('reassembly in any order delivers the exact payload once', () => {
  const { r } = setup();
  const p = payload(700);
  const frames = fragment(p, { from: A, encoding: 'compact', message: 9, maxFrame: 120 })!.map(decodeLinkFrame);
  const order = frames.map((_, i) => i).reverse();
  let out;
  for (const i of order) {
    assert.is(out, undefined);
    out = r.push(frames[i]!);
  }
  assert.equal(out!.payload, p);
  assert.is(out!.encoding, 'compact');
  assert.is(r.size, 0);
  // A duplicate of an already delivered fragment starts a new (never completed) set, not a second delivery.
  assert.is(r.push(frames[0]!), undefined);
});

test('a lost fragment: no delivery ever, the set expires and is counted', () => {
  const { r, failures, advance } = setup({ maxAgeMs: 30_000 });
  const frames = fragment(payload(500), { from: A, encoding: 'compact', message: 3, maxFrame: 120 })!.map(decodeLinkFrame);
  for (const f of frames.slice(0, -1)) assert.is(r.push(f), undefined);
  r.push(frames[0]!); // duplicate
  assert.is(r.duplicates, 1);
  advance(30_001);
  r.sweep();
  assert.equal(failures, ['expired']);
  assert.is(r.size, 0);
  // The last fragment arriving late does not complete anything.
  assert.is(r.push(frames.at(-1)!), undefined);
});

test('bounded: more concurrent sets than maxPending evicts the oldest; same number with another count is inconsistent', () => {
  const { r, failures } = setup({ maxPending: 2 });
  for (const message of [1, 2, 3]) {
    r.push(decodeLinkFrame(fragment(payload(300), { from: A, encoding: 'wire', message, maxFrame: 120 })![0]!));
  }
  assert.is(r.size, 2);
  assert.equal(failures, ['evicted']);
  r.push(decodeLinkFrame(fragment(payload(500), { from: A, encoding: 'wire', message: 3, maxFrame: 120 })![0]!));
  assert.equal(failures, ['evicted', 'inconsistent']);
  // Another sender's message 3 is a separate set.
  const fromB = fragment(payload(300), { from: B, encoding: 'wire', message: 3, maxFrame: 120 })!.map(decodeLinkFrame);
  let out;
  for (const f of fromB) out = r.push(f);
  assert.equal(out!.payload, payload(300));
});

test.run();
