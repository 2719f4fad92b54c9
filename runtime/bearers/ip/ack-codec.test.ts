/** BUNDLE and ACK stream payloads (ack-codec.ts): documented layout byte for byte, round trips, and a hostile table
 * where every bad payload gives IpDecodeError('malformed'); fuzzing never throws anything else. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import type { FrameFate } from '../../bearer/bearer.js';
import { MAX_ACK_ENTRIES, acknowledges, decodeAcks, decodeBundlePayload, encodeAcks, encodeBundlePayload } from './ack-codec.js';
import { IpDecodeError } from './errors.js';

test('BUNDLE payload layout: u32 big-endian sequence number, then the Lattice frame', () => {
  assert.equal([...encodeBundlePayload(0x01020304, Uint8Array.of(0x11, 0xaa))], [1, 2, 3, 4, 0x11, 0xaa]);
  assert.equal([...encodeBundlePayload(0xffffffff, Uint8Array.of(9))], [0xff, 0xff, 0xff, 0xff, 9]);
  const d = decodeBundlePayload(Uint8Array.of(0, 0, 1, 0, 7, 8, 9));
  assert.is(d.seq, 256);
  assert.equal([...d.frame], [7, 8, 9]);
});

test('ACK payload layout: 5-byte entries, u32 sequence number and a fate code 1-5', () => {
  const fates: FrameFate[] = ['stored', 'duplicate', 'handled', 'refused', 'not-stored'];
  const acks = fates.map((fate, i) => ({ seq: 0x100 * (i + 1) + 1, fate }));
  const bytes = encodeAcks(acks);
  assert.equal([...bytes], [0, 0, 1, 1, 1, 0, 0, 2, 1, 2, 0, 0, 3, 1, 3, 0, 0, 4, 1, 4, 0, 0, 5, 1, 5]);
  assert.equal(decodeAcks(bytes), acks);
  assert.equal(fates.filter(acknowledges), ['stored', 'duplicate', 'handled']);
  assert.is(acknowledges('timeout'), false);
  assert.is(acknowledges('closed'), false);
  const full = Array.from({ length: MAX_ACK_ENTRIES }, (_, i) => ({ seq: i, fate: 'stored' as const }));
  assert.equal(decodeAcks(encodeAcks(full)), full);
});

test('encoders refuse what the wire cannot carry (RangeError)', () => {
  assert.throws(() => encodeBundlePayload(-1, Uint8Array.of(1)), RangeError);
  assert.throws(() => encodeBundlePayload(2 ** 32, Uint8Array.of(1)), RangeError);
  assert.throws(() => encodeBundlePayload(1, new Uint8Array(0)), RangeError);
  assert.throws(() => encodeAcks([]), RangeError);
  assert.throws(() => encodeAcks(Array.from({ length: MAX_ACK_ENTRIES + 1 }, () => ({ seq: 1, fate: 'stored' as const }))), RangeError);
  assert.throws(() => encodeAcks([{ seq: 1, fate: 'lost' as FrameFate }]), RangeError);
});

const hostileBundles = [new Uint8Array(0), Uint8Array.of(1), Uint8Array.of(0, 0, 0, 1)];
const hostileAcks = [
  new Uint8Array(0),
  Uint8Array.of(0, 0, 0, 1),
  Uint8Array.of(0, 0, 0, 1, 1, 0),
  Uint8Array.of(0, 0, 0, 1, 0),
  Uint8Array.of(0, 0, 0, 1, 6),
  Uint8Array.of(0, 0, 0, 1, 1, 0, 0, 0, 2, 0xff),
  new Uint8Array((MAX_ACK_ENTRIES + 1) * 5).fill(1),
];

test('hostile payloads give IpDecodeError(malformed)', () => {
  for (const p of hostileBundles) {
    assert.throws(() => decodeBundlePayload(p), (e: unknown) => e instanceof IpDecodeError && e.reason === 'malformed', `BUNDLE ${[...p]}`);
  }
  for (const p of hostileAcks) {
    assert.throws(() => decodeAcks(p), (e: unknown) => e instanceof IpDecodeError && e.reason === 'malformed', `ACK of ${p.length}`);
  }
});

test('fuzz: decoders throw nothing but IpDecodeError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (p) => {
    for (const decode of [decodeBundlePayload, decodeAcks]) {
      try {
        decode(p);
      } catch (err) {
        if (!(err instanceof IpDecodeError)) throw err;
      }
    }
  }), { numRuns: 2000 });
});

test.run();
