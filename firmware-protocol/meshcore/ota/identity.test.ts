/**
 * Identities as src/Identity.cpp over orlp/ed25519: the 64-byte expanded key (CMD_IMPORT/EXPORT_PRIVATE_KEY),
 * signatures from it, LocalIdentity::validatePrivateKey, the ECDH secret. Cross-checked against public captures
 * (jkingsman/Remote-Terminal-for-MeshCore tests/test_real_crypto.py: two real key pairs and a DM between them;
 * @michaelhart/meshcore-decoder README: a key pair) and the decoder's orlp WASM build as an independent oracle.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { Utils } from '@michaelhart/meshcore-decoder';
import { identityFromPrivateKey, identityFromSeed, verifySignature } from './identity.js';
import { orlpDerivePublicKey, orlpKeyExchange, orlpMontgomeryU, orlpSign, orlpValidatePrivateKey } from './orlp-ed25519.js';
import { ORLP_VECTORS } from './testing/orlp-vectors.js';
import { macThenDecrypt } from './cipher.js';
import { decodePacket } from './packet.js';
import { decodeTextPayload } from './text-payload.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const seed = (n: number) => new Uint8Array(createHash('sha256').update(`seed ${n}`).digest());
const isKeyError = (e: Error) => e.name === 'MeshCoreKeyError';

// tests/test_real_crypto.py (captured on a real mesh).
const C1_PUB = 'a1b2c3d3ba9f5fa8705b9845fe11cc6f01d1d49caaf4d122ac7121663c5beec7';
const C1_PRV = '1808c3512f063796e492b9fa101a7a6239f14e71f8d1d5ad086e8e228ed0a076d5ed26c82c6e64abf1954336e42cf68e4ab288a4d38e40ed0f5870fed95c1deb';
const C2_PUB = 'face123334789e2b81519afdbc39a3c9eb7ea3457ad367d3243597a484847e46';
const C2_PRV = '58ba1940e97099cbb4357c62ce9c7f4b245c94c90d722e67201b989f9feacf7b77acaddb84438514022bdb0fc3140c2501859be1772ac7b8c7e41dc0f40490a1';
const DM_PACKET = '0900faa1295471adb44a98b13ca528a4b5c4fbc29b4da3ced477519b2fbd8fd5467c31e5d58b';
// The decoder README: derive-key.
const README_PRV = '18469d6140447f77de13cd8d761e605431f52269fbff43b0925752ed9e6745435dc6a86d2568af8b70d3365db3f88234760c8ecc645ce469829bc45b65f1d5d5';
const README_PUB = '4852b69364572b52efa1b6bb3e6d0abed4f389a1cbfbb60a9bba2cce649caf0e';
// The firmware's own test client pair (LocalIdentity::validatePrivateKey).
const FW_TEST_PRV = '7065e18fd9fabb70c1ed90dca19907de698c88b709ea146eafd93d9b830c7b60c4681193c79bbc39945ba8064104bb618f8fd7a84a0af6f57033d6e8ddcd6471';
const FW_TEST_PUB = '1ec77175b0918ed206f9ae04ec136d6d5d4315bb26305427f645b492e9350c10';

test('identityFromPrivateKey derives the captured public keys', () => {
  assert.is(hex(identityFromPrivateKey(bytes(C1_PRV)).publicKey), C1_PUB);
  assert.is(hex(identityFromPrivateKey(bytes(C2_PRV)).publicKey), C2_PUB);
  assert.is(hex(identityFromPrivateKey(bytes(README_PRV)).publicKey), README_PUB);
  assert.is(hex(identityFromPrivateKey(bytes(FW_TEST_PRV)).publicKey), FW_TEST_PUB);
});

test('the captured DM decrypts with the secret of either side (ECDH symmetric, X25519 from Ed25519 keys)', () => {
  const a = identityFromPrivateKey(bytes(C1_PRV));
  const b = identityFromPrivateKey(bytes(C2_PRV));
  const s = a.sharedSecret(b.publicKey);
  assert.is(hex(s), hex(b.sharedSecret(a.publicKey)));
  const p = decodePacket(bytes(DM_PACKET));
  assert.is(p.payload[0], b.publicKey[0]); // dest hash
  assert.is(p.payload[1], a.publicKey[0]); // src hash
  const plain = macThenDecrypt(s, p.payload.subarray(2));
  assert.ok(plain);
  assert.is(decodeTextPayload(plain!)!.text, 'Hello there, Mr. Face!');
});

test('signatures from the expanded key equal the orlp WASM oracle and verify', async () => {
  for (const prvHex of [C1_PRV, C2_PRV, README_PRV]) {
    const id = identityFromPrivateKey(bytes(prvHex));
    for (const msg of [new Uint8Array(0), bytes('00'), new Uint8Array(200).fill(7)]) {
      const sig = id.sign(msg);
      const oracle = await Utils.sign(hex(msg), prvHex, hex(id.publicKey));
      assert.is(hex(sig), oracle.toLowerCase());
      assert.ok(verifySignature(id.publicKey, msg, sig));
    }
  }
});

test('identityFromSeed round-trips through its exported key: same public key, signatures, shared secrets', () => {
  for (let n = 0; n < 16; n++) {
    const a = identityFromSeed(seed(n));
    const b = identityFromPrivateKey(a.privateKey());
    const peer = identityFromSeed(seed(1000 + n));
    assert.is(hex(b.publicKey), hex(a.publicKey));
    const msg = new TextEncoder().encode(`advert ${n}`);
    assert.is(hex(b.sign(msg)), hex(a.sign(msg)), 'RFC 8032 from the seed = orlp from the expanded key');
    assert.is(hex(b.sharedSecret(peer.publicKey)), hex(a.sharedSecret(peer.publicKey)));
    assert.is(hex(peer.sharedSecret(b.publicKey)), hex(a.sharedSecret(peer.publicKey)));
    assert.is(hex(b.privateKey()), hex(a.privateKey()));
    assert.is(hex(orlpDerivePublicKey(a.privateKey())), hex(a.publicKey));
  }
});

test('the exported key is the orlp layout: SHA-512(seed) with the scalar clamped', () => {
  const s = seed(7);
  const h = createHash('sha512').update(s).digest();
  h[0] &= 248;
  h[31] &= 63;
  h[31] |= 64;
  assert.is(hex(identityFromSeed(s).privateKey()), hex(h));
});

test('validation as LocalIdentity::validatePrivateKey: wrong length, unclamped scalar, reserved prefixes refused', () => {
  assert.throws(() => identityFromPrivateKey(new Uint8Array(63)), isKeyError);
  assert.throws(() => identityFromPrivateKey(new Uint8Array(32)), isKeyError);
  assert.throws(() => identityFromPrivateKey(new Uint8Array(64)), isKeyError);
  // The jkingsman test's "wrong key": 64 × 0x01 is not a clamped scalar, derive_pub and key_exchange disagree.
  assert.throws(() => identityFromPrivateKey(new Uint8Array(64).fill(1)), isKeyError);
  const unclamped = bytes(C1_PRV);
  unclamped[0] |= 7;
  assert.throws(() => identityFromPrivateKey(unclamped), isKeyError);
  assert.is(orlpValidatePrivateKey(unclamped), false);
  // Find clamped keys whose public key starts with 0x00 / 0xFF: refused although the pair is consistent.
  let reserved = 0;
  for (let n = 0; reserved < 2 && n < 4000; n++) {
    const id = identityFromSeed(seed(n));
    if (id.publicKey[0] === 0x00 || id.publicKey[0] === 0xff) {
      assert.throws(() => identityFromPrivateKey(id.privateKey()), isKeyError);
      reserved++;
    }
  }
  assert.is(reserved, 2);
});

test('derive_pub, sign, key_exchange and validatePrivateKey equal meshcore-dev/MeshCore:lib/ed25519 (the firmware) compiled with gcc', () => {
  // Clamped and unclamped keys, top bytes past ref10's precondition, peers that are not curve points, y = 0/1/p.
  for (const v of ORLP_VECTORS) {
    const prv = bytes(v.prv);
    const pub = orlpDerivePublicKey(prv);
    assert.is(hex(pub), v.pub, `${v.name}: pub`);
    assert.is(hex(orlpSign(bytes(v.msg), pub, prv)), v.sig, `${v.name}: sig`);
    assert.is(hex(orlpKeyExchange(bytes(v.peer), prv)), v.shared, `${v.name}: shared`);
    assert.is(orlpValidatePrivateKey(prv), v.valid, `${v.name}: valid`);
    if (v.valid) assert.is(hex(identityFromPrivateKey(prv).sharedSecret(bytes(v.peer))), v.shared);
    else assert.throws(() => identityFromPrivateKey(prv), isKeyError);
  }
  assert.ok(ORLP_VECTORS.some((v) => !v.valid) && ORLP_VECTORS.some((v) => v.valid));
});

test('derive_pub agrees with the decoder WASM on random keys within its precondition (top byte ≤ 0x7f)', async () => {
  for (let n = 0; n < 12; n++) {
    const k = new Uint8Array(createHash('sha512').update(`k${n}`).digest());
    k[31] &= 0x7f;
    if (n % 2 === 0) k[0] &= 248;
    assert.is(hex(orlpDerivePublicKey(k)), (await Utils.derivePublicKey(hex(k))).toLowerCase(), `key ${n}`);
  }
});

test('the shared secret of a peer key that is not a curve point is computed, not thrown (hostile ANON_REQ)', () => {
  const a = identityFromSeed(seed(1));
  let offCurve: Uint8Array | undefined;
  for (let n = 0; !offCurve; n++) {
    const k = new Uint8Array(createHash('sha256').update(`off${n}`).digest());
    if (!decodesAsPoint(k)) offCurve = k;
  }
  const s = a.sharedSecret(offCurve);
  assert.is(s.length, 32);
  assert.is(hex(s), hex(orlpKeyExchange(offCurve, a.privateKey())));
  // y = 1 (u = 1/0 → 0 on the device): a low-order result of all zeros, as the device computes it.
  const y1 = new Uint8Array(32);
  y1[0] = 1;
  assert.is(hex(orlpMontgomeryU(y1)), '00'.repeat(32));
  assert.is(hex(a.sharedSecret(y1)), '00'.repeat(32));
});

function decodesAsPoint(k: Uint8Array): boolean {
  try {
    ed25519.Point.fromBytes(k);
    return true;
  } catch {
    return false;
  }
}

test.run();
