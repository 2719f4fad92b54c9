import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { generateIdentity } from '../identity/identity.js';
import { createBundle, withCustody } from './create-bundle.js';
import { decodeBundle, encodeBundle } from './bundle-codec.js';
import { bundleId } from './bundle-id.js';
import { peekBundle } from './bundle-peek.js';

const SELF = 'abcdefgh2345';
const peekBundleId = (bytes: Uint8Array) => peekBundle(bytes, SELF)?.id;
import { MAX_BODY_BYTES } from './bundle.js';

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : 'undefined');
const alice = generateIdentity();
const bob = generateIdentity();

test('the peeked id is the decoded bundle id: broadcast and node recipients, sealed, every length encoding of sent-at and body', () => {
  fc.assert(
    fc.property(
      fc.constantFrom<'broadcast' | 'node'>('broadcast', 'node'),
      fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 70_000 }), fc.constantFrom(0, 23, 24, 255, 256, 65_535, 65_536, MAX_BODY_BYTES - 28)),
      fc.oneof(fc.integer({ min: 0, max: 2 ** 32 + 5 }), fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }), fc.constantFrom(0, 23, 24, 255, 65_536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER - 2 ** 40)),
      fc.integer({ min: 0, max: 3 }),
      (to, bodyLen, sentAt, hops) => {
        const len = Math.min(bodyLen, MAX_BODY_BYTES - 28);
        let b = createBundle(alice, { recipient: to === 'node' ? bob.nodeId : null, body: new Uint8Array(len).fill(7), sentAt, lifetimeMs: 3_600_000 });
        for (let i = 0; i < hops; i++) b = withCustody(b, generateIdentity().shortId);
        const bytes = encodeBundle(b);
        assert.is(hex(peekBundleId(bytes)), hex(bundleId(decodeBundle(bytes))));
      },
    ),
    { numRuns: 150 },
  );
});

test('foreign-address recipients and other encodings are left to the full decoder (undefined)', () => {
  const b = createBundle(alice, { recipient: 'mt:ch:0', text: 'hi' });
  assert.is(peekBundleId(encodeBundle(b)), undefined);
  assert.is(peekBundleId(new Uint8Array(0)), undefined);
  assert.is(peekBundleId(Uint8Array.of(0x9f, 1)), undefined); // indefinite-length array
});

test('garbage and mutated bundles: never throws; whenever it answers, the decoder accepts the bytes with the same id', () => {
  const base = encodeBundle(createBundle(alice, { recipient: bob.nodeId, text: 'mutate me please', lifetimeMs: 60_000 }));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 6 }), fc.nat(), (junk, edits, cut) => {
      const m = Uint8Array.from(base);
      for (const [at, v] of edits) m[at % m.length] = v;
      for (const bytes of [junk, m, m.subarray(0, cut % (m.length + 1))]) {
        const peeked = peekBundleId(bytes);
        let decoded: Uint8Array | undefined;
        try {
          decoded = bundleId(decodeBundle(bytes));
        } catch {
          decoded = undefined;
        }
        // Whenever the peek answers, the full decoder accepts the bytes, with the same id.
        if (peeked) assert.is(hex(peeked), hex(decoded));
      }
    }),
    { numRuns: 400 },
  );
});

test('loop: our short id in the custody chain is reported; over-hopped, bad custody and trailing bytes are left to the decoder', () => {
  const b = createBundle(alice, { recipient: null, text: 'round and round' });
  assert.is(peekBundle(encodeBundle(withCustody(b, 'zzzzzzzzzzzz')), SELF)?.loop, false);
  assert.is(peekBundle(encodeBundle(withCustody(withCustody(b, 'zzzzzzzzzzzz'), SELF)), SELF)?.loop, true);
  assert.is(peekBundle(encodeBundle({ ...b, hops: 9, custody: Array(9).fill(SELF) }), SELF), undefined);
  assert.is(peekBundle(encodeBundle({ ...b, hops: 1, custody: ['NOT-A-SHORT!'] }), SELF), undefined);
  assert.is(peekBundle(Uint8Array.of(...encodeBundle(b), 0), SELF), undefined);
  const withOrigin = createBundle(alice, { recipient: null, text: 'from afar', origin: { id: 'mt:!a1b2c3d4', name: 'Alice ✈' } });
  assert.is(hex(peekBundle(encodeBundle(withOrigin), SELF)?.id), hex(bundleId(withOrigin)));
});

test.run();
