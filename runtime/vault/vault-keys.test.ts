import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prefixEnd, readU64BE, splitTimeIdKey, timeIdKey, writeU64BE } from './vault-keys.js';

test('u64 big-endian round trip and byte order = numeric order', () => {
  const values = [0, 1, 255, 2 ** 32 - 1, 2 ** 32, 1_763_824_520_000, Number.MAX_SAFE_INTEGER];
  const bufs = values.map((v) => {
    const b = Buffer.alloc(8);
    writeU64BE(b, v, 0);
    assert.is(readU64BE(b, 0), v);
    const ref = Buffer.alloc(8);
    ref.writeBigUInt64BE(BigInt(v));
    assert.equal([...b], [...ref], `same bytes as writeBigUInt64BE for ${v}`);
    return b;
  });
  for (let i = 1; i < bufs.length; i++) assert.is(Buffer.compare(bufs[i - 1]!, bufs[i]!), -1);
});

test('time|id keys split back; prefixEnd bounds a prefix', () => {
  const id = new Uint8Array(32).fill(7);
  const k = timeIdKey(123_456_789_012, id);
  assert.equal(splitTimeIdKey(k), { at: 123_456_789_012, id });
  assert.equal([...prefixEnd(Uint8Array.of(1, 2, 0xff))], [1, 3]);
  assert.equal([...prefixEnd(Uint8Array.of(0xff, 0xff))], [0xff, 0xff, 0]);
});

test.run();
