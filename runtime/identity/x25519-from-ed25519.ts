/**
 * X25519 from Ed25519 keys with node:crypto: the birational map of RFC 7748 §4.1 (u = (1 + y) / (1 − y) mod p),
 * as libsodium's crypto_sign_ed25519_pk_to_curve25519 / _sk_to_curve25519, and the Diffie-Hellman in OpenSSL.
 *
 * Why not @noble/curves here: loading it costs ~7 MiB of RSS in an idle relay (bench/rss.bench.ts) for two calls per
 * new peer, and node:crypto's X25519 is an order of magnitude faster. noble stays the independent check in the tests.
 */
import { createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { InvalidPeerKeyError } from './errors.js';

const P = 2n ** 255n - 19n;
/** Edwards curve constant d = −121665 / 121666 mod p (RFC 8032 §5.1). */
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;

// DER prefixes of PKCS#8 / SPKI for X25519 (RFC 8410 §7, §10.2), followed by the 32-byte raw key.
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

function pow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = mod(b);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return r;
}

function fromLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function toLE32(n: bigint): Buffer {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/**
 * The X25519 public key (u coordinate) of an Ed25519 public key. Refuses encodings that are not points of the curve
 * (y ≥ p, or no x with x² = (y² − 1) / (d·y² + 1)) and the neutral point (y = 1), whose u is undefined.
 */
export function x25519PublicFromEd25519(edPublic: Uint8Array): Buffer {
  if (edPublic.length !== 32) throw new InvalidPeerKeyError('an Ed25519 public key is 32 bytes');
  const bytes = Uint8Array.from(edPublic);
  bytes[31]! &= 0x7f; // the top bit is the sign of x; u depends on y only
  const y = fromLE(bytes);
  if (y >= P) throw new InvalidPeerKeyError('y is not reduced mod p');
  const y2 = (y * y) % P;
  const x2 = mod((y2 - 1n) * pow(D * y2 + 1n, P - 2n));
  // Euler's criterion: x² must be a square (0 included) for the point to exist.
  if (x2 !== 0n && pow(x2, (P - 1n) / 2n) !== 1n) throw new InvalidPeerKeyError('not a point on the curve');
  if (y === 1n) throw new InvalidPeerKeyError('the neutral point has no X25519 form');
  return toLE32(mod((1n + y) * pow(1n - y, P - 2n)));
}

/** The X25519 private scalar of an Ed25519 seed: the first half of SHA-512(seed) (OpenSSL clamps it on use). */
export function x25519SecretFromEd25519Seed(seed: Uint8Array): Buffer {
  return createHash('sha512').update(seed).digest().subarray(0, 32);
}

/** X25519(secret, u) with node:crypto; an all-zero result (a low-order peer key) throws InvalidPeerKeyError. */
export function x25519Shared(secret: Uint8Array, peerU: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, secret]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, peerU]), format: 'der', type: 'spki' });
  try {
    return new Uint8Array(diffieHellman({ privateKey, publicKey }));
  } catch (err) {
    throw new InvalidPeerKeyError('X25519 gave no shared secret (low-order key)', { cause: err });
  }
}
