import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { x25519PublicFromEd25519, x25519SecretFromEd25519Seed, x25519Shared } from './x25519-from-ed25519.js';
import { generateIdentity } from './identity.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('public and secret maps and the shared secret agree with @noble/curves (independent implementation)', () => {
  for (let i = 0; i < 40; i++) {
    const seedA = randomBytes(32);
    const seedB = randomBytes(32);
    const pubB = ed25519.getPublicKey(seedB);
    assert.is(hex(x25519PublicFromEd25519(pubB)), hex(ed25519.utils.toMontgomery(pubB)));
    const secA = x25519SecretFromEd25519Seed(seedA);
    const nobleSecA = ed25519.utils.toMontgomerySecret(seedA);
    const ours = x25519Shared(secA, x25519PublicFromEd25519(pubB));
    assert.is(hex(ours), hex(x25519.getSharedSecret(nobleSecA, ed25519.utils.toMontgomery(pubB))));
  }
});

test('both sides of a pair derive the same secret', () => {
  const a = generateIdentity();
  const b = generateIdentity();
  assert.equal(a.sharedSecret(b.nodeId), b.sharedSecret(a.nodeId));
  assert.not.equal(a.sharedSecret(b.nodeId), a.sharedSecret(generateIdentity().nodeId));
});

test('keys with no X25519 form are refused with InvalidPeerKeyError, as noble refuses them', () => {
  const isInvalid = (e: Error) => e.name === 'InvalidPeerKeyError';
  // y = 1: the neutral point.
  const neutral = new Uint8Array(32);
  neutral[0] = 1;
  assert.throws(() => x25519PublicFromEd25519(neutral), isInvalid);
  // y = p (not reduced).
  const unreduced = Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex');
  assert.throws(() => x25519PublicFromEd25519(unreduced), isInvalid);
  // y = 2 is not on the curve (x² = 3 / (4d + 1) is not a square mod p); noble agrees.
  const two = new Uint8Array(32);
  two[0] = 2;
  assert.throws(() => ed25519.Point.fromBytes(two));
  assert.throws(() => x25519PublicFromEd25519(two), isInvalid);
  assert.throws(() => x25519PublicFromEd25519(new Uint8Array(31)), isInvalid);
  // A low-order X25519 point (u = 0) gives an all-zero secret: refused.
  assert.throws(() => x25519Shared(randomBytes(32), new Uint8Array(32)), isInvalid);
});

test.run();
