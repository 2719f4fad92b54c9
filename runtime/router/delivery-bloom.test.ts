import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { BloomFilter, DeliveryBloom, BLOOM_BYTES, BLOOM_CAPACITY } from './delivery-bloom.js';
import { generateIdentity } from '../identity/identity.js';
import { createBloomMessage, decodeBloomMessage, encodeBloomMessage } from '../wire/bloom-message.js';

const id = (n: number) => new Uint8Array(createHash('sha256').update(`bundle-${n}`).digest());

test('holds the last 256 ids with no false negatives', () => {
  const b = new DeliveryBloom();
  for (let i = 0; i < 300; i++) b.add(id(i));
  assert.is(b.toBytes().length, BLOOM_BYTES);
  for (let i = 300 - BLOOM_CAPACITY; i < 300; i++) assert.ok(b.has(id(i)), `id ${i}`);
  assert.is(b.size, BLOOM_CAPACITY);
  assert.is(b.ids().length, BLOOM_CAPACITY);
  assert.equal(b.ids()[0], id(300 - BLOOM_CAPACITY));
});

test('false-positive rate under 1 % at 256 ids (deterministic sample of 100,000 non-members)', () => {
  const b = new DeliveryBloom();
  for (let i = 0; i < 256; i++) b.add(id(i));
  let fp = 0;
  const N = 100_000;
  for (let i = 1_000_000; i < 1_000_000 + N; i++) if (b.has(id(i))) fp++;
  assert.ok(fp / N < 0.01, `FPR ${(100 * fp / N).toFixed(3)} %`);
});

test('evicted ids really leave the filter', () => {
  const b = new DeliveryBloom();
  for (let i = 0; i < 256 * 4; i++) b.add(id(i));
  let stillThere = 0;
  for (let i = 0; i < 256; i++) if (b.has(id(i))) stillThere++;
  assert.ok(stillThere < 10, `${stillThere} of the first 256 ids still match`);
});

test('signed bloom message round trips; forged ones are refused', () => {
  const me = generateIdentity();
  const b = new DeliveryBloom();
  b.add(id(1));
  const msg = createBloomMessage(me, b.toBytes(), 1234);
  const back = decodeBloomMessage(encodeBloomMessage(msg));
  assert.equal(back.nodeId, me.nodeId);
  assert.ok(new BloomFilter(back.bloom).has(id(1)));
  const other = generateIdentity();
  const forged = encodeBloomMessage({ ...msg, nodeId: other.nodeId });
  assert.throws(() => decodeBloomMessage(forged), (e: Error) => e.name === 'FrameDecodeError');
  const bits = new Uint8Array(msg.bloom);
  bits[0] ^= 1;
  assert.throws(() => decodeBloomMessage(encodeBloomMessage({ ...msg, bloom: bits })), (e: Error) => e.name === 'FrameDecodeError');
  assert.throws(() => decodeBloomMessage(new Uint8Array([1, 2, 3])), (e: Error) => e.name === 'FrameDecodeError');
});

test.run();
