/**
 * Identity::verify as the firmware runs it: rweather/Crypto Ed25519::verify (platformio.ini lib_deps
 * rweather/Crypto ^0.4.0; src/Identity.cpp). It differs from RFC 8032 strict and from ZIP-215 at the edges, and a
 * repeater must accept exactly the adverts a device accepts:
 *   - points decode with y taken mod p (y ≥ p allowed) but x = 0 with the sign bit set is refused (decodePoint);
 *   - S is not range-checked: s·B is computed from bits 0..254 of S (the ladder runs t = 255 → 1), so S + L and a
 *     set bit 255 still verify;
 *   - the equation is cofactorless: s·B == R + k·A, k = SHA-512(R ‖ A ‖ M) mod L.
 * Built on @noble/curves points; never throws.
 */
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';

const Point = ed25519.Point;
type EdPoint = InstanceType<typeof Point>;
const L = Point.Fn.ORDER;

function leToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  return n;
}

/** Ed25519::decodePoint. */
function decodePoint(b: Uint8Array): EdPoint | undefined {
  let p: EdPoint;
  try {
    p = Point.fromBytes(b, true);
  } catch {
    return undefined;
  }
  if ((b[31] & 0x80) !== 0 && p.toAffine().x === 0n) return undefined;
  return p;
}

export function firmwareVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const A = decodePoint(publicKey);
  const R = decodePoint(signature.subarray(0, 32));
  if (!A || !R) return false;
  const k = leToBigInt(createHash('sha512').update(signature.subarray(0, 32)).update(publicKey).update(message).digest()) % L;
  const s = (leToBigInt(signature.subarray(32, 64)) & ((1n << 255n) - 1n)) % L;
  const sB = Point.BASE.multiplyUnsafe(s);
  const rhs = R.add(A.multiplyUnsafe(k));
  return sB.equals(rhs);
}
