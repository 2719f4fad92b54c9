import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32 } from './crc32.js';
import { isReservedNodeNum, nodeNumFromMac, nodeNumFromPublicKey } from './node-num.js';

const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

// Erriez/ErriezCRC32 tests/CRC32UnitTest/CRC32UnitTest.ino (the library the firmware's crc32Buffer comes from)
test('crc32 matches ErriezCRC32 unit-test vectors', () => {
  const vectors: [string, number][] = [
    ['', 0], ['00', 0xd202ef8d], ['ff', 0xff000000], ['1234', 0x18999699], ['00000000', 0x2144df1c],
    ['ffffffff', 0xffffffff], ['0102030405', 0x470b99f4], ['f9bbc5981236 34a2'.replace(' ', ''), 0x5e231f81],
    ['01361ef01c8d3197a30781630f7c84ba', 0x1c531332],
  ];
  for (const [input, crc] of vectors) assert.is(crc32(h(input)), crc, input);
  assert.is(crc32(new TextEncoder().encode('hello')), 0x3610a686);
  assert.is(crc32(new TextEncoder().encode('thequickbrownfoxjumpsoverthelazydog')), 0x604a1a5f);
});

test('2.8 node number = crc32Buffer(public_key) (NodeDB::createNewIdentity)', () => {
  const pub = h('db18fc50eea47f00251cb784819a3cf5fc361882597f589f0d7ff820e8064457');
  assert.is(nodeNumFromPublicKey(pub), crc32(pub));
  assert.ok(nodeNumFromPublicKey(pub) > 0);
});

test('reserved node numbers: 0..3 and broadcast', () => {
  for (const n of [0, 1, 2, 3, 0xffffffff]) assert.ok(isReservedNodeNum(n), String(n));
  for (const n of [4, 0x1309e2a8, 0xfffffffe]) assert.not.ok(isReservedNodeNum(n), String(n));
});

test('2.7 node number = the last 4 MAC bytes (NodeDB::pickNewNodeNum)', () => {
  assert.is(nodeNumFromMac(h('24dc1309e2a8')), 0x1309e2a8);
});

test('2.7: a reserved or taken MAC number is replaced by random(NUM_RESERVED, LONG_MAX) until free', () => {
  const draws = [2, 0x1234, 0x5678]; // Arduino random(min, max): the fake ignores min/max, we check the loop
  const calls: [number, number][] = [];
  const random = (min: number, max: number) => (calls.push([min, max]), draws.shift()!);
  assert.is(nodeNumFromMac(h('aabb00000002'), () => false, random), 0x1234, '2 is reserved, so is the draw 2');
  assert.equal(calls[0], [4, 0x7fffffff]);
  assert.is(nodeNumFromMac(h('aabbffffffff'), () => false, () => 99), 99, 'broadcast');
  assert.is(nodeNumFromMac(h('aabb12345678'), (n) => n === 0x12345678, () => 77), 77, 'taken by another MAC');
});

test.run();
