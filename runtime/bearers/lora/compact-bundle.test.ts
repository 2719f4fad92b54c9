import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { decodeBundle, encodeBundle } from '../../bundle/bundle-codec.js';
import { createBundle, withCustody } from '../../bundle/create-bundle.js';
import { verifyBundle } from '../../bundle/verify-bundle.js';
import { generateIdentity } from '../../identity/identity.js';
import { decodeCompactBundle, encodeCompactBundle } from './compact-bundle.js';
import { readVarint, varintLength, writeVarint } from './varint.js';

const alice = generateIdentity();
const bob = generateIdentity();
const relays = [generateIdentity(), generateIdentity(), generateIdentity()];
const text32 = 'Meet at the north gate at 18:00!'; // 32 bytes

function roundTrip(b: ReturnType<typeof createBundle>, addressee?: Uint8Array): Uint8Array {
  const compact = encodeCompactBundle(b, { addressee });
  const back = decodeCompactBundle(compact, { addressee });
  // The receiver rebuilds the exact wire bytes: the signature and bundle id verify.
  assert.equal(Buffer.from(encodeBundle(back)), Buffer.from(encodeBundle(b)));
  verifyBundle(decodeBundle(encodeBundle(back)));
  return compact;
}

test('broadcast 32-byte text: exact wire bytes rebuilt, 19 bytes smaller than CBOR, custody 8 bytes per hop', () => {
  const b = createBundle(alice, { recipient: null, text: text32 });
  const c0 = roundTrip(b);
  assert.is(encodeBundle(b).length - c0.length, 19);
  assert.is(c0.length, 1 + 32 + 6 + 1 + 64 + 32);
  let hop = b;
  let prev = c0.length;
  for (const r of relays) {
    hop = withCustody(hop, r.shortId);
    const c = roundTrip(hop);
    assert.is(c.length - prev, 8);
    prev = c.length;
  }
});

test('sealed DM: recipient omitted when it is the link addressee, kept inline otherwise', () => {
  const b = createBundle(alice, { recipient: bob.nodeId, text: text32 });
  const inline = roundTrip(b);
  const toBob = roundTrip(b, bob.nodeId);
  assert.is(inline.length - toBob.length, 32);
  // A relay addressed to someone else keeps the recipient inline.
  assert.is(roundTrip(b, relays[0]!.nodeId).length, inline.length);
  // Decoding an "addressee" bundle without an addressee is an error, not a guess.
  assert.throws(() => decodeCompactBundle(toBob), (e: Error) => e.name === 'CompactBundleDecodeError');
});

test('sender = link transmitter: 32 bytes saved, rebuilt from the transmitter key, refused without it', () => {
  const b = createBundle(alice, { recipient: bob.nodeId, text: text32 });
  const full = encodeCompactBundle(b, { addressee: bob.nodeId });
  const short = encodeCompactBundle(b, { addressee: bob.nodeId, transmitter: alice.nodeId, omitSender: true });
  assert.is(full.length - short.length, 32);
  const back = decodeCompactBundle(short, { addressee: bob.nodeId, transmitter: alice.nodeId });
  assert.equal(Buffer.from(encodeBundle(back)), Buffer.from(encodeBundle(b)));
  verifyBundle(decodeBundle(encodeBundle(back)));
  assert.throws(() => decodeCompactBundle(short, { addressee: bob.nodeId }), (e: Error) => e.name === 'CompactBundleDecodeError');
  // A relay transmitting someone else's bundle never leaves the sender out.
  const relayed = encodeCompactBundle(b, { addressee: bob.nodeId, transmitter: relays[0]!.nodeId, omitSender: true });
  assert.is(relayed.length, full.length);
});

test('foreign recipient, origin with and without name, non-default lifetime', () => {
  roundTrip(createBundle(alice, { recipient: 'mt:!a1b2c3d4', text: 'hello', origin: { id: 'mc:abcd', name: 'Zoë' }, lifetimeMs: 3_600_000 }));
  roundTrip(createBundle(alice, { recipient: 'mt:ch:0', text: '', origin: { id: 'mt:!00000001' } }));
});

test('property: any bundle round-trips exactly', () => {
  fc.assert(
    fc.property(
      fc.record({
        recipient: fc.oneof(fc.constant(null), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ minLength: 1, maxLength: 40 })),
        body: fc.uint8Array({ maxLength: 300 }),
        sentAt: fc.integer({ min: 0, max: 2 ** 45 }),
        lifetime: fc.integer({ min: 1, max: 2 ** 40 }),
        hops: fc.integer({ min: 0, max: 8 }),
        origin: fc.option(fc.record({ id: fc.string({ minLength: 1, maxLength: 20 }), name: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }) }), { nil: undefined }),
        sealed: fc.boolean(),
      }),
      (r) => {
        const custody = relays.concat(relays, relays).slice(0, r.hops).map((x) => x.shortId);
        const b = {
          sender: alice.nodeId, recipient: r.recipient, sentAt: r.sentAt, lifetime: r.lifetime, body: r.body, sealed: r.sealed,
          hops: r.hops, custody, signature: new Uint8Array(64).fill(7),
          ...(r.origin ? { origin: r.origin.name === undefined ? { id: r.origin.id } : { id: r.origin.id, name: r.origin.name } } : {}),
        };
        const back = decodeCompactBundle(encodeCompactBundle(b));
        assert.equal(Buffer.from(encodeBundle(back)), Buffer.from(encodeBundle(b)));
      },
    ),
    { numRuns: 300 },
  );
});

test('hostile input: truncations and garbage raise CompactBundleDecodeError, never anything else', () => {
  const c = encodeCompactBundle(withCustody(createBundle(alice, { recipient: 'mt:!a1b2c3d4', text: text32, origin: { id: 'x', name: 'y' }, lifetimeMs: 5 }), relays[0]!.shortId));
  for (let n = 0; n < c.length - 64 - 1; n++) {
    assert.throws(() => decodeCompactBundle(c.subarray(0, n)), (e: Error) => e.name === 'CompactBundleDecodeError', `cut at ${n}`);
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeCompactBundle(bytes);
      } catch (e) {
        assert.is((e as Error).name, 'CompactBundleDecodeError');
      }
    }),
    { numRuns: 500 },
  );
});

test('encode refuses what it cannot carry exactly (the bearer then sends the wire bytes)', () => {
  const b = createBundle(alice, { recipient: null, text: 'x' });
  assert.throws(() => encodeCompactBundle({ ...b, hops: 1, custody: ['NOT-A-SHORT-ID'] }), RangeError);
});

test('decode keeps bundle-codec\'s limits (the bearer hands the decoded bundle on): long addresses, empty recipient, big body', () => {
  const b = createBundle(alice, { recipient: 'mt:ch:0', text: 'x' });
  const cases = [
    { ...b, origin: { id: 'o'.repeat(256) } },
    { ...b, origin: { id: 'mt:!a1b2c3d4', name: 'n'.repeat(300) } },
    { ...b, recipient: 'r'.repeat(256) },
    { ...b, recipient: '' },
    { ...b, body: new Uint8Array(64 * 1024 + 1) },
  ];
  for (const bad of cases) {
    // The wire codec refuses each of these on decode; so must the compact one.
    assert.throws(() => decodeBundle(encodeBundle(bad)), (e: Error) => e.name === 'BundleDecodeError');
    assert.throws(() => decodeCompactBundle(encodeCompactBundle(bad)), (e: Error) => e.name === 'CompactBundleDecodeError');
  }
  const ok = { ...b, origin: { id: 'o'.repeat(255), name: 'n'.repeat(255) }, recipient: 'r'.repeat(255) };
  assert.equal(Buffer.from(encodeBundle(decodeCompactBundle(encodeCompactBundle(ok)))), Buffer.from(encodeBundle(ok)));
});

test('varint: minimal LEB128, exact round trip to 2^53 − 1, rejects non-minimal and overlong', () => {
  for (const v of [0, 1, 127, 128, 16383, 16384, 1_763_000_000_000, Number.MAX_SAFE_INTEGER]) {
    const out = new Uint8Array(8);
    const end = writeVarint(out, 0, v);
    assert.is(end, varintLength(v));
    assert.equal(readVarint(out.subarray(0, end), 0), [v, end]);
  }
  assert.is(varintLength(1_763_000_000_000), 6);
  assert.is(readVarint(Uint8Array.of(0x80, 0x00), 0), undefined);
  assert.is(readVarint(Uint8Array.of(0x80), 0), undefined);
  assert.is(readVarint(new Uint8Array(9).fill(0xff), 0), undefined);
});

test.run();
