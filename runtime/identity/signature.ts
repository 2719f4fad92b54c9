/**
 * Ed25519 signatures through node:crypto: 12-15x faster than @noble/curves here (docs/measurements.md §1: verify
 * 7.1 k/s vs 0.58 k/s), which matters on the ingest hot path. Raw 32-byte public keys become KeyObjects through
 * JWK (cheaper than DER) and are cached per node, since a relay hears the same few neighbours over and over.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

const CACHE_MAX = 4096;
const keyCache = new Map<string, KeyObject>();

export function publicKeyObject(nodeId: Uint8Array): KeyObject {
  const k = Buffer.from(nodeId.buffer, nodeId.byteOffset, nodeId.byteLength).toString('base64url');
  let key = keyCache.get(k);
  if (key) return key;
  key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: k }, format: 'jwk' });
  if (keyCache.size >= CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(k, key);
  return key;
}

/** True when `signature` is a valid Ed25519 signature by `nodeId` over `message`. Never throws on bad input. */
export function verifySignature(nodeId: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(nodeId instanceof Uint8Array) || nodeId.length !== 32) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  try {
    return verify(null, message, publicKeyObject(nodeId), signature);
  } catch {
    return false; // not a point on the curve, and the like
  }
}

/**
 * The message a signature covers: `domain` (a versioned context string ending in NUL) then `body`, so a signature
 * made for one kind of message (an IP advert, an MQTT presence, an envelope) never verifies as another.
 */
export function domainSeparated(domain: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(domain.length + body.length);
  out.set(domain, 0);
  out.set(body, domain.length);
  return out;
}
