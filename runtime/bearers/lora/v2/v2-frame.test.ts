/** Lattice v2 frame codec: hand-composed hex vectors (each byte from PROTOCOL.md), hostile inputs, and 100 000
 * fuzzed inputs (bench/v2-fuzz.bench.ts runs a million and more). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ACK_BYTES, decodeV2Frame, encodeV2Ack, encodeV2Chain, encodeV2Data, isV2, v2Overhead, type V2Data } from './v2-frame.js';
import { fuzzV2 } from './v2-frame-fuzz.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/[\s·|]/g, ''), 'hex'));
const BODY = new TextEncoder().encode('hi!');

// name, hex (fields separated for the reader), the frame it is
const VECTORS: Array<[string, string, V2Data]> = [
  ['link broadcast, origin transmits (S)', '84 · 8a · 00 · 05 8b 11 40 · 686921 · a1a2a3a4 · b1b2b3b4b5b6',
    { type: 'data', from: 0x8a, dm: false, stamp: 93_000_000, custody: [], body: BODY, senderMac: hex('a1a2a3a4'), hopAuth: hex('b1b2b3b4b5b6') }],
  ['broadcast relayed, sender hint, two custody hints', '80 · 81 · 20 · 8a88 · 05 8b 11 40 · 3458 9a6b · 686921 · a1a2a3a4 · b1b2b3b4b5b6',
    { type: 'data', from: 0x81, dm: false, sender: { hint: 0x8a88 }, stamp: 93_000_000, custody: [0x3458, 0x9a6b], body: BODY, senderMac: hex('a1a2a3a4'), hopAuth: hex('b1b2b3b4b5b6') }],
  ['unicast DM, origin to recipient (S, R)', '8e · 8a · ed · 08 · 05 8b 11 40 · 686921 0102030405060708 · c1c2c3c4',
    { type: 'data', from: 0x8a, to: 0xed, dm: true, stamp: 93_000_000, custody: [], body: hex('686921 0102030405060708'), hopAuth: hex('c1c2c3c4') }],
  ['unicast DM to a relay, recipient hint (S)', '8c · 8a · 81 · 08 · ed49 · 05 8b 11 40 · 686921 0102030405060708 · c1c2c3c4',
    { type: 'data', from: 0x8a, to: 0x81, dm: true, recipient: { hint: 0xed49 }, stamp: 93_000_000, custody: [], body: hex('686921 0102030405060708'), hopAuth: hex('c1c2c3c4') }],
  ['broadcast with a 30-day lifetime (K bit 2, u16 hours)', '84 · 8a · 04 · 05 8b 11 40 · 02d0 · 686921 · a1a2a3a4 · b1b2b3b4b5b6',
    { type: 'data', from: 0x8a, dm: false, stamp: 93_000_000, lifetimeHours: 720, custody: [], body: BODY, senderMac: hex('a1a2a3a4'), hopAuth: hex('b1b2b3b4b5b6') }],
  ['unicast DM, keys inline (I), one custody hint', `89 · 81 · 77 · 18 · ${'11'.repeat(32)} · ${'22'.repeat(32)} · ffffffff · 0001 · 0102030405060708 · c1c2c3c4`,
    { type: 'data', from: 0x81, to: 0x77, dm: true, sender: { key: new Uint8Array(32).fill(0x11) }, recipient: { key: new Uint8Array(32).fill(0x22) }, stamp: 0xffff_ffff, custody: [1], body: hex('0102030405060708'), hopAuth: hex('c1c2c3c4') }],
];

for (const [name, h, frame] of VECTORS) {
  test(`vector: ${name}`, () => {
    const bytes = hex(h);
    assert.ok(isV2(bytes));
    assert.equal(Buffer.from(encodeV2Data(frame)).toString('hex'), Buffer.from(bytes).toString('hex'));
    assert.equal(decodeV2Frame(bytes), frame);
    assert.is(v2Overhead(frame) + frame.body.length, bytes.length);
  });
}

test('vector: link ACK is 5 bytes, echoing two bytes of the hop MAC', () => {
  const bytes = encodeV2Ack({ type: 'ack', from: 0xed, to: 0x8a, echo: hex('c1c2') });
  assert.is(Buffer.from(bytes).toString('hex'), '98ed8ac1c2');
  assert.is(bytes.length, ACK_BYTES);
  assert.equal(decodeV2Frame(bytes), { type: 'ack', from: 0xed, to: 0x8a, echo: hex('c1c2') });
});

const KEY_FRAME = 'a1 · 8a · 8a88 · 00000150 · 0007 · 000102030405060708090a0b0c0d0e0f';
test('vector: chain key frame (26 B) and anchor frame (123 B)', () => {
  const key = { senderHint: 0x8a88, epoch: 0x150, interval: 7, key: hex('000102030405060708090a0b0c0d0e0f') };
  assert.is(Buffer.from(encodeV2Chain({ type: 'chain', from: 0x8a, key })).toString('hex'), Buffer.from(hex(KEY_FRAME)).toString('hex'));
  assert.equal(decodeV2Frame(hex(KEY_FRAME)), { type: 'chain', from: 0x8a, key });
  const anchor = new Uint8Array(121).fill(7);
  const a = encodeV2Chain({ type: 'chain', from: 0x8a, anchor });
  assert.is(a.length, 123);
  assert.equal(decodeV2Frame(a), { type: 'chain', from: 0x8a, anchor });
});

test('v1 frames are not v2', () => {
  assert.not.ok(isV2(hex('41 8a88e3dd')));
  assert.throws(() => decodeV2Frame(hex('41 8a88e3dd 00')), (e: Error) => e.name === 'V2FrameDecodeError');
});

const HOSTILE: Array<[string, string]> = [
  ['empty', ''],
  ['two bytes', '84 8a'],
  ['unknown type 2', 'a4 8a 00 05 8b 11 40 a1a2a3a4 b1b2b3b4b5b6'],
  ['reserved K bits', '84 8a 01 05 8b 11 40 a1a2a3a4 b1b2b3b4b5b6'],
  ['9 hops', '84 8a 90 05 8b 11 40 a1a2a3a4 b1b2b3b4b5b6'],
  ['zero lifetime', '84 8a 04 05 8b 11 40 0000 a1a2a3a4 b1b2b3b4b5b6'],
  ['R on a broadcast', '86 8a 00 05 8b 11 40 a1a2a3a4 b1b2b3b4b5b6'],
  ['I with no key field', '85 8a 00 05 8b 11 40 a1a2a3a4 b1b2b3b4b5b6'],
  ['DM body shorter than its tag', '8e 8a ed 08 05 8b 11 40 0102 c1c2c3c4'],
  ['custody past the end', '84 8a 80 05 8b 11 40 0001'],
  ['ack of 4 bytes', '98 ed 8a c1'],
  ['ack on broadcast', '90 ed 8a c1 c2'],
  ['inline key truncated', `89 81 77 18 ${'11'.repeat(20)}`],
  ['key frame of 25 bytes', KEY_FRAME.replace(/0f$/, '')],
  ['key frame for interval 0', KEY_FRAME.replace('0007', '0000')],
  ['anchor frame of 122 bytes', `a0 8a ${'07'.repeat(120)}`],
  ['chain frame with unknown kind', `a2 8a ${'07'.repeat(121)}`],
];
for (const [name, h] of HOSTILE) {
  test(`hostile: ${name} -> V2FrameDecodeError`, () => {
    assert.throws(() => decodeV2Frame(hex(h)), (e: Error) => e.name === 'V2FrameDecodeError');
  });
}

test('100 000 fuzzed inputs: no crash, only named errors', () => {
  const r = fuzzV2(100_000, [...VECTORS.map(([, h]) => hex(h)), hex(KEY_FRAME), hex(`a0 8a ${'07'.repeat(121)}`)]);
  assert.is(r.inputs, 100_000);
  assert.ok(r.decoded > 1000, `decoded ${r.decoded}`);
  assert.ok((r.rejected.V2FrameDecodeError ?? 0) > 1000);
});

test.run();
