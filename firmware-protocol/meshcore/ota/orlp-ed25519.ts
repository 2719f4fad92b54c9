/**
 * The three orlp/ed25519 operations the firmware runs on its 64-byte expanded private key (meshcore-dev/MeshCore:lib/ed25519, used by
 * src/Identity.cpp), rebuilt on @noble/curves field and scalar arithmetic so an imported key
 * (CMD_IMPORT_PRIVATE_KEY) behaves byte for byte as on a device:
 *   ed25519_derive_pub   pk = ge_scalarmult_base(prv[0..32]), NOT clamped (keypair.c);
 *   ed25519_sign         r = SHA-512(prv[32..64] ‖ M) mod L, R = rB, k = SHA-512(R ‖ pk ‖ M) mod L,
 *                        S = k·a + r mod L with a = prv[0..32] as a 256-bit integer (sign.c, sc_muladd);
 *   ed25519_key_exchange X25519(clamp(prv[0..32]), u) with u = (1 + y) / (1 − y) from the peer's Edwards y, no
 *                        point validation, 1/0 = 0 (key_exchange.c, fe_invert) — so it never fails on a hostile key.
 * Pure and synchronous; the X25519 ladder runs in node:crypto (OpenSSL clamps the scalar as orlp does).
 */
import { createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const P = Point.Fp.ORDER;

function leToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  return n;
}

function bigIntToLe(n: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

/**
 * ge_scalarmult_base(a) for any 32 bytes, as ref10 computes it: a is cut into 64 signed radix-16 digits; the top
 * digit only has table entries for |d| ≤ 8, so for a[31] ≥ 0x90 (ref10's precondition is a[31] ≤ 127) the top
 * digit adds nothing (select() leaves the neutral element).
 */
export function orlpScalarMultBase(a: Uint8Array): Uint8Array {
  const e = new Int8Array(64);
  for (let i = 0; i < 32; i++) {
    e[2 * i] = a[i] & 15;
    e[2 * i + 1] = (a[i] >> 4) & 15;
  }
  let carry = 0;
  for (let i = 0; i < 63; i++) {
    e[i] += carry;
    carry = (e[i] + 8) >> 4;
    e[i] -= carry << 4;
  }
  e[63] += carry;
  let k = leToBigInt(a.subarray(0, 32));
  if (e[63] > 8) k -= BigInt(e[63]) << 252n;
  k = mod(k, L);
  return k === 0n ? Point.ZERO.toBytes() : Point.BASE.multiply(k).toBytes();
}

/** ed25519_derive_pub (keypair.c): the public key of a 64-byte expanded key (only the first 32 bytes count). */
export function orlpDerivePublicKey(prv: Uint8Array): Uint8Array {
  return orlpScalarMultBase(prv.subarray(0, 32));
}

/** ed25519_sign (sign.c) from the expanded key and its public key. */
export function orlpSign(message: Uint8Array, publicKey: Uint8Array, prv: Uint8Array): Uint8Array {
  const r = mod(leToBigInt(createHash('sha512').update(prv.subarray(32, 64)).update(message).digest()), L);
  const R = r === 0n ? Point.ZERO.toBytes() : Point.BASE.multiply(r).toBytes();
  const k = mod(leToBigInt(createHash('sha512').update(R).update(publicKey).update(message).digest()), L);
  const s = mod(k * leToBigInt(prv.subarray(0, 32)) + r, L);
  const sig = new Uint8Array(64);
  sig.set(R);
  sig.set(bigIntToLe(s, 32), 32);
  return sig;
}

/** The Montgomery u of an Edwards public key as key_exchange.c computes it: y without bit 255, mod p, 1/0 = 0. */
export function orlpMontgomeryU(publicKey: Uint8Array): Uint8Array {
  const y = leToBigInt(publicKey.subarray(0, 32)) & ((1n << 255n) - 1n);
  const num = mod(1n + y, P);
  const den = mod(1n - y, P);
  const inv = den === 0n ? 0n : modPow(den, P - 2n, P);
  return bigIntToLe(mod(num * inv, P), 32);
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

/**
 * ed25519_key_exchange(peer public key, our expanded key): 32 bytes, no KDF. A low-order peer point gives 32 zero
 * bytes on the device; OpenSSL refuses that derivation, so we return the zeros the device would compute.
 */
export function orlpKeyExchange(peerPublicKey: Uint8Array, prv: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, prv.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, orlpMontgomeryU(peerPublicKey)]), format: 'der', type: 'spki' });
  try {
    return new Uint8Array(diffieHellman({ privateKey, publicKey }));
  } catch {
    return new Uint8Array(32);
  }
}

/** The known-good client key pair LocalIdentity::validatePrivateKey exchanges with (src/Identity.cpp). */
const TEST_CLIENT_PRV = Buffer.from(
  '7065e18fd9fabb70c1ed90dca19907de698c88b709ea146eafd93d9b830c7b60c4681193c79bbc39945ba8064104bb618f8fd7a84a0af6f57033d6e8ddcd6471',
  'hex',
);
const TEST_CLIENT_PUB = Buffer.from('1ec77175b0918ed206f9ae04ec136d6d5d4315bb26305427f645b492e9350c10', 'hex');

/**
 * LocalIdentity::validatePrivateKey: the derived public key must not start with 0x00/0xFF (reserved hashes), and an
 * ECDH with the firmware's test client must agree both ways and not be all zero (this rejects keys whose first half
 * is not a clamped scalar: derive_pub does not clamp, key_exchange does).
 */
export function orlpValidatePrivateKey(prv: Uint8Array): boolean {
  if (prv.length !== 64) return false;
  const pub = orlpDerivePublicKey(prv);
  if (pub[0] === 0x00 || pub[0] === 0xff) return false;
  const ss1 = orlpKeyExchange(TEST_CLIENT_PUB, prv);
  const ss2 = orlpKeyExchange(pub, TEST_CLIENT_PRV);
  if (Buffer.compare(Buffer.from(ss1), Buffer.from(ss2)) !== 0) return false;
  return ss1.some((b) => b !== 0);
}
