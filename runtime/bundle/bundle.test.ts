import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { generateIdentity } from '../identity/identity.js';
import { createBundle, withCustody, openBody, bodyText } from './create-bundle.js';
import { encodeBundle, decodeBundle } from './bundle-codec.js';
import { bundleId, bundleIdHex, bundleIdOf } from './bundle-id.js';
import { verifyBundle } from './verify-bundle.js';
import { MAX_HOPS, type Bundle } from './bundle.js';

const alice = generateIdentity();
const bob = generateIdentity();
const relays = Array.from({ length: 9 }, () => generateIdentity());

function rejects(b: Bundle, reason: string, now?: number) {
  try {
    verifyBundle(b, now === undefined ? {} : { now });
  } catch (err) {
    assert.is((err as Error).name, 'BundleRejectedError');
    assert.is((err as { reason: string }).reason, reason);
    return;
  }
  assert.unreachable(`expected rejection ${reason}`);
}

test('broadcast bundle round trips through the codec and verifies', () => {
  const b = createBundle(alice, { recipient: null, text: 'hello mesh' });
  const d = decodeBundle(encodeBundle(b));
  assert.equal(d, b);
  verifyBundle(d);
  assert.is(bodyText(openBody(bob, d)), 'hello mesh');
});

test('sealed DM: only the recipient reads it; relays route on clear fields', () => {
  const b = createBundle(alice, { recipient: bob.nodeId, text: 'secret' });
  assert.ok(b.sealed);
  assert.not.ok(Buffer.from(b.body).includes(Buffer.from('secret')));
  const d = decodeBundle(encodeBundle(b));
  verifyBundle(d);
  assert.is(bodyText(openBody(bob, d)), 'secret');
  try {
    openBody(relays[0]!, d);
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'SealError');
  }
});

test('bundle id is the same for sender, every relay and the receiver', () => {
  const b = createBundle(alice, { recipient: bob.nodeId, text: 'x' });
  const id = bundleIdHex(b);
  let hop = b;
  for (const r of relays.slice(0, 3)) {
    hop = decodeBundle(encodeBundle(withCustody(hop, r.shortId)));
    assert.is(bundleIdHex(hop), id);
    verifyBundle(hop);
  }
  assert.equal(hop.custody, relays.slice(0, 3).map((r) => r.shortId));
  // The id covers sender, recipient, sent-at and body: changing any of them changes it.
  assert.is.not(Buffer.from(bundleIdOf({ ...b, sentAt: b.sentAt + 1 })).toString('hex'), id);
  assert.is.not(Buffer.from(bundleIdOf({ ...b, recipient: null })).toString('hex'), id);
  assert.is.not(Buffer.from(bundleIdOf({ ...b, recipient: 'mt:!0000beef' })).toString('hex'), id);
  assert.is(bundleId(b).length, 32);
});

test('tampered, forged, expired, future, over-hopped and inconsistent bundles are rejected', () => {
  const b = createBundle(alice, { recipient: null, text: 'hi', lifetimeMs: 60_000 });
  rejects({ ...b, body: new TextEncoder().encode('ho') }, 'bad-signature');
  rejects({ ...b, lifetime: b.lifetime + 1 }, 'bad-signature');
  rejects({ ...b, origin: { id: 'mt:!12345678' } }, 'bad-signature');
  rejects({ ...b, sender: bob.nodeId }, 'bad-signature');
  const forged = { ...b, signature: bob.sign(new Uint8Array(10)) };
  rejects(forged, 'bad-signature');
  rejects(b, 'expired', b.sentAt + 60_000);
  const future = createBundle(alice, { recipient: null, text: 'x', sentAt: Date.now() + 3600_000 });
  rejects(future, 'from-the-future');
  let hop = b;
  for (let i = 0; i < MAX_HOPS; i++) hop = withCustody(hop, relays[i]!.shortId);
  verifyBundle(hop);
  rejects({ ...hop, hops: 9, custody: [...hop.custody, relays[8]!.shortId] }, 'too-many-hops');
  rejects({ ...b, hops: 1 }, 'custody-mismatch');
  rejects({ ...b, hops: 2, custody: [relays[0]!.shortId, relays[0]!.shortId] }, 'custody-mismatch');
});

test('foreign origin is signed and survives the codec', () => {
  const b = createBundle(alice, { recipient: 'mc:ch:0', text: 'from the other mesh', origin: { id: 'mt:!a1b2c3d4', name: 'Alice 🚀' } });
  const d = decodeBundle(encodeBundle(b));
  assert.equal(d.origin, { id: 'mt:!a1b2c3d4', name: 'Alice 🚀' });
  verifyBundle(d);
});

test('decoder: hostile inputs never crash, always BundleDecodeError', () => {
  const good = encodeBundle(createBundle(alice, { recipient: bob.nodeId, text: 'fuzz' }));
  const check = (bytes: Uint8Array) => {
    try {
      const b = decodeBundle(bytes);
      try { verifyBundle(b); } catch (err) { assert.is((err as Error).name, 'BundleRejectedError'); }
    } catch (err) {
      assert.is((err as Error).name, 'BundleDecodeError', String(err));
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => check(bytes)), { numRuns: 2000 });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (muts) => {
      const m = new Uint8Array(good);
      for (const [i, v] of muts) m[i] = v;
      check(m);
    }),
    { numRuns: 2000 },
  );
  for (let cut = 0; cut < good.length; cut += 7) check(good.subarray(0, cut));
  check(new Uint8Array(70_000));
});

test.run();
