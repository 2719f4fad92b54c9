import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { proveSegment, shardHash, verifySegment, segmentLength } from './shard-hash.js';

// Independent reference: the RFC 6962-style tree written out with createHash, no shared code.
function reference(shard: Uint8Array): Buffer {
  const seg = Math.ceil(shard.length / 8);
  const h = (...parts: Uint8Array[]) => parts.reduce((x, p) => x.update(p), createHash('sha256')).digest();
  let level = Array.from({ length: 8 }, (_, i) => h(Uint8Array.of(0), shard.subarray(Math.min(i * seg, shard.length), Math.min((i + 1) * seg, shard.length))));
  while (level.length > 1) level = Array.from({ length: level.length / 2 }, (_, i) => h(Uint8Array.of(1), level[2 * i]!, level[2 * i + 1]!));
  return level[0]!;
}

test('shard address matches an independent Merkle computation, for odd sizes too', () => {
  for (const len of [0, 1, 7, 8, 9, 100, 4072, 4073]) {
    const s = randomBytes(len);
    assert.equal(Buffer.from(shardHash(s)), reference(s), `len ${len}`);
  }
  // Fixed vector: 4,072 bytes of 0x00..0xff repeating.
  const fixed = Uint8Array.from({ length: 4072 }, (_, i) => i & 255);
  assert.is(Buffer.from(shardHash(fixed)).toString('hex'), reference(fixed).toString('hex'));
});

test('segment proofs verify for every offset class and fail when anything is changed', () => {
  const s = randomBytes(4072);
  const root = shardHash(s);
  const segLen = segmentLength(4072);
  for (const offset of [0, 1, segLen - 1, segLen, 4071, 2000]) {
    const p = proveSegment(s, offset);
    assert.is(p.segment, Math.floor(offset / segLen));
    assert.ok(verifySegment(root, p));
    assert.equal(p.bytes, Uint8Array.from(s.subarray(p.segment * segLen, Math.min(4072, (p.segment + 1) * segLen))));
    const badBytes = { ...p, bytes: Uint8Array.from(p.bytes) };
    badBytes.bytes[0]! ^= 1;
    assert.not.ok(verifySegment(root, badBytes));
    assert.not.ok(verifySegment(root, { ...p, segment: (p.segment + 1) % 8 }));
    assert.not.ok(verifySegment(root, { ...p, siblings: [p.siblings[0]!, randomBytes(32), p.siblings[2]!] }));
    assert.not.ok(verifySegment(root, { ...p, siblings: p.siblings.slice(0, 2) }));
    assert.not.ok(verifySegment(root, { ...p, segment: -1 }));
  }
  assert.throws(() => proveSegment(s, 4072), RangeError);
  assert.throws(() => proveSegment(s, -1), RangeError);
});

test.run();
