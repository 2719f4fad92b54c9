/**
 * verifySignature = rweather Ed25519::verify (the firmware's Identity::verify), at the edges where libraries
 * disagree: S ≥ L and bit 255 of S (accepted: no range check, 255-bit ladder), a mixed-order public key (refused:
 * cofactorless equation), x = 0 with the sign bit (refused by decodePoint), y ≥ p (accepted, taken mod p).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { identityFromSeed, verifySignature } from './identity.js';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const le = (n: bigint, len = 32) => {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
};
const fromLe = (b: Uint8Array) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);
const msg = new TextEncoder().encode('advert body');
const me = identityFromSeed(new Uint8Array(32).fill(3));

test('ordinary signatures verify; a changed message or key does not', () => {
  const sig = me.sign(msg);
  assert.ok(verifySignature(me.publicKey, msg, sig));
  assert.not.ok(verifySignature(me.publicKey, new Uint8Array(0), sig));
  assert.not.ok(verifySignature(identityFromSeed(new Uint8Array(32).fill(4)).publicKey, msg, sig));
  assert.not.ok(verifySignature(me.publicKey, msg, sig.subarray(0, 63)));
  assert.not.ok(verifySignature(me.publicKey.subarray(0, 31), msg, sig));
});

test('S + L and S with bit 255 set verify, as on the device (no S < L check, 255-bit scalar ladder)', () => {
  const sig = me.sign(msg);
  const s = fromLe(sig.subarray(32));
  const plusL = sig.slice();
  plusL.set(le(s + L), 32);
  assert.ok(verifySignature(me.publicKey, msg, plusL));
  const bit255 = sig.slice();
  bit255[63] |= 0x80;
  assert.ok(verifySignature(me.publicKey, msg, bit255));
});

test('a public key with an order-8 component is refused (cofactorless s·B = R + k·A)', () => {
  // A = a·B + T signs validly under the cofactored equation (RFC 8032 / ZIP-215) but not on the device.
  const T = Point.fromBytes(Uint8Array.from(Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex')));
  assert.ok(T.isSmallOrder() && !T.is0());
  const a = 0x1234567890abcdefn;
  const pk = Point.BASE.multiply(a).add(T).toBytes();
  let tested = 0;
  for (let n = 0; n < 16; n++) {
    const m = new TextEncoder().encode(`m${n}`);
    const r = (fromLe(createHash('sha512').update(m).digest()) % L) || 1n;
    const R = Point.BASE.multiply(r).toBytes();
    const k = fromLe(createHash('sha512').update(R).update(pk).update(m).digest()) % L;
    if (k % 8n === 0n) continue;
    const sig = new Uint8Array(64);
    sig.set(R);
    sig.set(le((r + k * a) % L), 32);
    assert.ok(ed25519.verify(sig, m, pk, { zip215: true }), 'cofactored verification accepts it');
    assert.not.ok(verifySignature(pk, m, sig));
    tested++;
  }
  assert.ok(tested > 8);
});

test('point encodings: x = 0 with the sign bit refused; y ≥ p taken mod p', () => {
  // The neutral element (y = 1) as key and R with s = 0 satisfies s·B = R + k·A for every message.
  const one = new Uint8Array(32);
  one[0] = 1;
  const sig = new Uint8Array(64);
  sig.set(one);
  assert.ok(verifySignature(one, msg, sig));
  const negZero = one.slice();
  negZero[31] |= 0x80;
  assert.not.ok(verifySignature(negZero, msg, sig));
  const sig2 = sig.slice();
  sig2.set(negZero);
  assert.not.ok(verifySignature(one, msg, sig2));
  // y = p + 1 ≡ 1: the same neutral element, not canonical.
  const pPlus1 = le((1n << 255n) - 19n + 1n);
  assert.ok(verifySignature(pPlus1, msg, sig));
});

test('random keys and signatures never throw', () => {
  for (let n = 0; n < 200; n++) {
    const h = createHash('sha512').update(`r${n}`).digest();
    assert.type(verifySignature(h.subarray(0, 32), msg, Buffer.concat([h, h]).subarray(0, 64)), 'boolean');
  }
});

test.run();
