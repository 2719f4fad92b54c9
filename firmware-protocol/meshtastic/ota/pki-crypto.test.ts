import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { generateX25519KeyPair, pkiDecrypt, pkiEncrypt, pkiNonce, pkiSharedKey, x25519PrivateKeyObject, x25519PublicKey, x25519SharedSecret } from './pki-crypto.js';

const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// firmware test/test_crypto/test_main.cpp test_DH25519 (Wycheproof x25519 vectors)
test('firmware test_DH25519: shared secrets', () => {
  const vectors = [
    ['c8a9d5a91091ad851c668b0736c1c9a02936c0d3ad62670858088047ba057475', '504a36999f489cd2fdbc08baff3d88fa00569ba986cba22548ffde80f9806829', '436a2c040cf45fea9b29a0cb81b1f41458f863d0d61b453d0a982720d6d61320'],
    ['d85d8c061a50804ac488ad774ac716c3f5ba714b2712e048491379a500211958', '63aa40c6e38346c5caf23a6df0a5e6c80889a08647e551b3563449befcfc9733', '279df67a7c4611db4708a0e8282b195e5ac0ed6f4b2f292c6fbd0acac30d1332'],
  ];
  for (const [priv, pub, shared] of vectors) assert.is(hex(x25519SharedSecret(x25519PrivateKeyObject(h(priv!)), h(pub!))!), shared);
});

test('firmware test_DH25519: a weak public key fails (Curve25519::dh2 returns false)', () => {
  const priv = x25519PrivateKeyObject(h('18630f93598637c35da623a74559cf944374a559114c7937811041fc8605564a'));
  assert.is(x25519SharedSecret(priv, h('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')), null);
  assert.is(pkiSharedKey(priv, h('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')), null);
});

test('firmware test_DH25519: the AES key is SHA-256 of the secret', () => {
  const priv = x25519PrivateKeyObject(h('10300724f3bea134eb1575245ef26ff9b8ccd59849cd98ce1a59002fe1d5986c'));
  assert.is(hex(pkiSharedKey(priv, h('f7e13a1a067d2f4e1061bf9936fde5be6b0c2494a8f809cbac7f290ef719e91c'))!), '24becd5dfed9e9289ba2e15b82b0d54f8e9aacb72f5e4248c58d8d74b451ce76');
});

test('firmware test_SHA256 vectors hold for the hash the shared key goes through', () => {
  assert.is(createHash('sha256').update(h('')).digest('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.is(createHash('sha256').update(h('d3')).digest('hex'), '28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1');
  assert.is(createHash('sha256').update(h('11af')).digest('hex'), '5ca7133fa735326081558ac312c620eeca9970d1e70a4b95533d956f072d1f98');
});

// firmware test_PKC: receiver's private key, sender 0x0929's public key, packet 0x13b2d662, 22 payload bytes
const PKC = {
  priv: 'a00330633e63522f8a4d81ec6d9d1e6617f6c8ffd3a4c698229537d44e522277',
  pub: 'db18fc50eea47f00251cb784819a3cf5fc361882597f589f0d7ff820e8064457',
  payload: '40df24abfcc30a17a3d9046726099e796a1c036a792b',
  from: 0x0929,
  id: 0x13b2d662,
};

test('firmware test_PKC: shared key starts 777b1545c9d6f9a2, nonce 62d6b213036a792b2909000000, plaintext 08011204746573744800', () => {
  const key = pkiSharedKey(x25519PrivateKeyObject(h(PKC.priv)), h(PKC.pub))!;
  assert.is(hex(key.subarray(0, 8)), '777b1545c9d6f9a2');
  assert.is(hex(pkiNonce(PKC.from, PKC.id, 0x2b796a03)), '62d6b213036a792b2909000000');
  assert.is(hex(pkiDecrypt(key, PKC.from, PKC.id, h(PKC.payload))!), '08011204746573744800');
});

test('firmware test_PKC re-encrypted with the same extraNonce gives the captured bytes', () => {
  const key = pkiSharedKey(x25519PrivateKeyObject(h(PKC.priv)), h(PKC.pub))!;
  assert.is(hex(pkiEncrypt(key, PKC.from, PKC.id, 0x2b796a03, h('08011204746573744800'))), PKC.payload);
});

test('a flipped bit anywhere fails the tag; short input is refused', () => {
  const key = pkiSharedKey(x25519PrivateKeyObject(h(PKC.priv)), h(PKC.pub))!;
  const bytes = h(PKC.payload);
  for (let i = 0; i < bytes.length - 4; i++) {
    const bad = bytes.slice();
    bad[i]! ^= 1;
    assert.is(pkiDecrypt(key, PKC.from, PKC.id, bad), null, `byte ${i}`);
  }
  assert.is(pkiDecrypt(key, PKC.from, PKC.id + 1, bytes), null, 'other packet id');
  assert.is(pkiDecrypt(key, PKC.from, PKC.id, bytes.subarray(0, 11)), null);
});

test('both sides derive the same key; public key from private matches the generated pair', () => {
  const a = generateX25519KeyPair();
  const b = generateX25519KeyPair();
  assert.is(hex(x25519PublicKey(a.privateKey)), hex(a.publicKey));
  const ab = pkiSharedKey(x25519PrivateKeyObject(a.privateKey), b.publicKey)!;
  const ba = pkiSharedKey(x25519PrivateKeyObject(b.privateKey), a.publicKey)!;
  assert.is(hex(ab), hex(ba));
  const sealed = pkiEncrypt(ab, 5, 6, 7, h('0801120161'));
  assert.is(sealed.length, 5 + 12);
  assert.is(hex(pkiDecrypt(ba, 5, 6, sealed)!), '0801120161');
});

test('keys that are not 32 bytes are MeshtasticPkiKeyError', () => {
  try {
    x25519PrivateKeyObject(new Uint8Array(31));
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'MeshtasticPkiKeyError');
  }
});

test.run();
