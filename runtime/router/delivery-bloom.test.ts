import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { Encoder } from 'cbor-x';
import { BloomFilter, DeliveryBloom, BLOOM_BYTES, BLOOM_CAPACITY, BLOOM_SALT_BYTES } from './delivery-bloom.js';
import { generateIdentity } from '../identity/identity.js';
import { createBloomMessage, decodeBloomMessage, encodeBloomMessage } from '../wire/bloom-message.js';

const id = (n: number) => new Uint8Array(createHash('sha256').update(`bundle-${n}`).digest());
/** Deterministic salts: the rate measured below is the same on every run. */
const salt = (n: number) => new Uint8Array(createHash('sha256').update(`salt-${n}`).digest().subarray(0, BLOOM_SALT_BYTES));

function full(): DeliveryBloom {
  const b = new DeliveryBloom();
  for (let i = 0; i < BLOOM_CAPACITY; i++) b.add(id(i));
  return b;
}

test('holds the last 256 ids with no false negatives, under any salt', () => {
  const b = new DeliveryBloom();
  for (let i = 0; i < 300; i++) b.add(id(i));
  assert.is(b.size, BLOOM_CAPACITY);
  assert.is(b.ids().length, BLOOM_CAPACITY);
  assert.equal(b.ids()[0], id(300 - BLOOM_CAPACITY));
  for (let s = 0; s < 3; s++) {
    const f = b.filter(salt(s));
    assert.is(f.bits.length, BLOOM_BYTES);
    for (let i = 300 - BLOOM_CAPACITY; i < 300; i++) assert.ok(f.has(id(i)), `id ${i}, salt ${s}`);
  }
});

test('evicted ids really leave the filter', () => {
  const b = new DeliveryBloom();
  for (let i = 0; i < 256 * 4; i++) b.add(id(i));
  const f = b.filter(salt(0));
  let stillThere = 0;
  for (let i = 0; i < 256; i++) if (f.has(id(i))) stillThere++;
  assert.ok(stillThere < 10, `${stillThere} of the first 256 ids still match`);
});

test('salted filters: ~0.82 % false positives each, and independent trials across salts', () => {
  // 120,000 non-members against one full ring under two salts. Unsalted (v1) filters of the same ids were one
  // trial: a non-member that matched once matched every time. Salted, matching A says nothing about B.
  const ring = full();
  const a = ring.filter(salt(1));
  const b = ring.filter(salt(2));
  const N = 120_000;
  let inA = 0;
  let inB = 0;
  let inBoth = 0;
  for (let i = 1_000_000; i < 1_000_000 + N; i++) {
    const x = id(i);
    const ha = a.has(x);
    const hb = b.has(x);
    if (ha) inA++;
    if (hb) inB++;
    if (ha && hb) inBoth++;
  }
  const pA = inA / N;
  const pB = inB / N;
  // Design point (1 - e^-0.7)^7 = 0.82 %; a filter's own rate is fill^7 (fill ≈ 50 %), so each lies near it.
  for (const [name, p, f] of [['A', pA, a], ['B', pB, b]] as const) {
    assert.ok(p > 0.005 && p < 0.012, `filter ${name}: ${(100 * p).toFixed(3)} %`);
    assert.ok(Math.abs(p - f.fill() ** 7) < 0.003, `filter ${name}: measured ${p}, fill^7 ${f.fill() ** 7}`);
  }
  // Independent: P(A and B) ≈ P(A)·P(B) ≈ 7e-5, i.e. ~8 of 120,000; fully correlated it would be ~1,000.
  const expected = pA * pB * N;
  assert.ok(inBoth <= expected + 5 * Math.sqrt(expected) + 3, `${inBoth} in both, ${expected.toFixed(1)} expected if independent`);
  // A repeated salt is the same trial again: every non-member in A is in A again (why decode refuses salt == prev).
  const again = ring.filter(salt(1));
  let repeat = 0;
  for (let i = 1_000_000; i < 1_000_000 + 20_000; i++) if (a.has(id(i))) repeat += again.has(id(i)) ? 1 : 0;
  assert.ok(repeat > 100, 'the same salt repeats every false positive');
});

test('salted filter: bad sizes are RangeErrors', () => {
  assert.throws(() => new BloomFilter(new Uint8Array(8)), (e: Error) => e.name === 'RangeError');
  assert.throws(() => new BloomFilter(salt(0), new Uint8Array(10)), (e: Error) => e.name === 'RangeError');
  assert.throws(() => new BloomFilter(salt(0)).has(new Uint8Array(16)), (e: Error) => e.name === 'RangeError');
  assert.throws(() => new DeliveryBloom().add(new Uint8Array(31)), (e: Error) => e.name === 'RangeError');
});

test('signed bloom message v2 round trips (468 bytes); forged, tampered and repeated-salt ones are refused', () => {
  const me = generateIdentity();
  const ring = new DeliveryBloom();
  ring.add(id(1));
  const f = ring.filter(salt(7));
  const msg = createBloomMessage(me, { salt: f.salt, prev: salt(6), bloom: f.bits }, 1_790_000_000_000);
  const bytes = encodeBloomMessage(msg);
  assert.is(bytes.length, 468);
  const back = decodeBloomMessage(bytes);
  assert.equal(back.nodeId, me.nodeId);
  assert.equal(back.salt, salt(7));
  assert.equal(back.prev, salt(6));
  assert.ok(new BloomFilter(back.salt, back.bloom).has(id(1)));
  const isDecodeError = (e: Error) => e.name === 'FrameDecodeError';
  const other = generateIdentity();
  assert.throws(() => decodeBloomMessage(encodeBloomMessage({ ...msg, nodeId: other.nodeId })), isDecodeError);
  const bits = new Uint8Array(msg.bloom);
  bits[0] ^= 1;
  assert.throws(() => decodeBloomMessage(encodeBloomMessage({ ...msg, bloom: bits })), isDecodeError);
  assert.throws(() => decodeBloomMessage(encodeBloomMessage({ ...msg, prev: salt(5) })), isDecodeError, 'prev is signed');
  const same = createBloomMessage(me, { salt: salt(7), prev: salt(7), bloom: f.bits });
  assert.throws(() => decodeBloomMessage(encodeBloomMessage(same)), isDecodeError);
  assert.throws(() => decodeBloomMessage(new Uint8Array([1, 2, 3])), isDecodeError);
});

test('a version-1 (unsalted) bloom message is refused as BloomVersionError', () => {
  const me = generateIdentity();
  const cbor = new Encoder({ useRecords: false, tagUint8Array: false } as ConstructorParameters<typeof Encoder>[0]);
  const v1 = cbor.encode([1, me.nodeId, Date.now(), new Uint8Array(BLOOM_BYTES), new Uint8Array(64)]);
  assert.throws(() => decodeBloomMessage(v1), (e: Error & { version?: number }) => e.name === 'BloomVersionError' && e.version === 1);
});

test.run();
