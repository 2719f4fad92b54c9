/**
 * MeshCore identities (src/Identity.cpp over orlp/ed25519): the public key is an Ed25519 key; the firmware keeps the
 * 64-byte expanded private key SHA-512(seed) with the scalar clamped, never a seed. Adverts are Ed25519 signatures
 * (RFC 8032 signatures from the seed are byte-identical to orlp's from the expanded key); the DM secret is
 * ed25519_key_exchange = X25519(scalar, montgomery(peer public key)), 32 bytes, no KDF. An identity imported as the
 * 64-byte key alone (CMD_IMPORT_PRIVATE_KEY) signs and exchanges with the orlp algorithms (orlp-ed25519.ts).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { MeshCoreKeyError } from './errors.js';
import { firmwareVerify } from './ed25519-verify.js';
import { orlpDerivePublicKey, orlpKeyExchange, orlpSign, orlpValidatePrivateKey } from './orlp-ed25519.js';

/** Our own key pair as the mesh uses it (LocalIdentity in the firmware). */
export interface LocalIdentity {
  readonly publicKey: Uint8Array;
  /** Ed25519 signature of `message` (LocalIdentity::sign). */
  sign(message: Uint8Array): Uint8Array;
  /** The ECDH secret shared with a peer's Ed25519 public key (LocalIdentity::calcSharedSecret), 32 bytes. */
  sharedSecret(peerPublicKey: Uint8Array): Uint8Array;
  /** The 64-byte orlp private key (CMD_EXPORT_PRIVATE_KEY). */
  privateKey(): Uint8Array;
}

/**
 * Identity::verify (rweather Ed25519::verify, see ed25519-verify.ts: cofactorless, S not range-checked). False for
 * a malformed key or signature; never throws.
 */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return firmwareVerify(publicKey, message, signature);
}

/**
 * LocalIdentity::calcSharedSecret with a bounded cache (a node talks to few peers; a flood of ANON_REQs from random
 * keys must not grow memory). Never throws: a peer key that is not a curve point still gives the device's bytes.
 */
function cachedSharedSecret(prv: Uint8Array): (peer: Uint8Array) => Uint8Array {
  const secrets = new Map<string, Uint8Array>();
  return (peer) => {
    const k = Buffer.from(peer.subarray(0, 32)).toString('hex');
    let s = secrets.get(k);
    if (!s) {
      s = orlpKeyExchange(peer, prv);
      if (secrets.size >= 512) secrets.delete(secrets.keys().next().value as string);
      secrets.set(k, s);
    }
    return s;
  };
}

/** A 32-byte seed → our identity. The firmware regenerates keys whose first byte is 0x00 or 0xFF (reserved hashes). */
export function identityFromSeed(seed: Uint8Array): LocalIdentity {
  if (seed.length !== 32) throw new MeshCoreKeyError(`a seed is 32 bytes, got ${seed.length}`);
  const publicKey = ed25519.getPublicKey(seed);
  const { head, prefix } = ed25519.utils.getExtendedPublicKey(seed);
  const prv = new Uint8Array(64);
  prv.set(head.subarray(0, 32));
  prv.set(prefix, 32);
  return {
    publicKey,
    sign: (message) => ed25519.sign(message, seed),
    sharedSecret: cachedSharedSecret(prv),
    privateKey: () => prv.slice(),
  };
}

/**
 * The 64-byte orlp expanded key (CMD_IMPORT_PRIVATE_KEY, a firmware's CMD_EXPORT_PRIVATE_KEY) → our identity,
 * validated as LocalIdentity::validatePrivateKey does (MeshCoreKeyError otherwise). The public key is derived
 * (LocalIdentity::readFrom with 64 bytes); signatures are orlp's ed25519_sign from the expanded key.
 */
export function identityFromPrivateKey(privateKey: Uint8Array): LocalIdentity {
  if (privateKey.length !== 64) throw new MeshCoreKeyError(`an expanded private key is 64 bytes, got ${privateKey.length}`);
  if (!orlpValidatePrivateKey(privateKey)) {
    throw new MeshCoreKeyError('the key pair does not check out (reserved 0x00/0xFF prefix, or not a clamped ed25519 scalar)');
  }
  const prv = privateKey.slice();
  const publicKey = orlpDerivePublicKey(prv);
  return {
    publicKey,
    sign: (message) => orlpSign(message, publicKey, prv),
    sharedSecret: cachedSharedSecret(prv),
    privateKey: () => prv.slice(),
  };
}

/** True when the key's first byte may not be used (0x00 and 0xFF are reserved path hashes, MyMesh::begin). */
export function isReservedKey(publicKey: Uint8Array): boolean {
  return publicKey[0] === 0x00 || publicKey[0] === 0xff;
}
