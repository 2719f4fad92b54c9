/**
 * MeshCore identities (src/Identity.cpp over orlp/ed25519): the public key is an Ed25519 key; the firmware keeps the
 * 64-byte expanded private key SHA-512(seed) with the scalar clamped, never a seed. Adverts are Ed25519 signatures
 * (RFC 8032 signatures from the seed are byte-identical to orlp's from the expanded key); the DM secret is
 * ed25519_key_exchange = X25519(scalar, montgomery(peer public key)), 32 bytes, no KDF.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { MeshCoreKeyError } from './errors.js';

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

/** Identity::verify. False for a malformed key or signature. */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** A 32-byte seed → our identity. The firmware regenerates keys whose first byte is 0x00 or 0xFF (reserved hashes). */
export function identityFromSeed(seed: Uint8Array): LocalIdentity {
  if (seed.length !== 32) throw new MeshCoreKeyError(`a seed is 32 bytes, got ${seed.length}`);
  const publicKey = ed25519.getPublicKey(seed);
  const { head, prefix } = ed25519.utils.getExtendedPublicKey(seed);
  const montgomerySecret = ed25519.utils.toMontgomerySecret(seed);
  const secrets = new Map<string, Uint8Array>();
  return {
    publicKey,
    sign: (message) => ed25519.sign(message, seed),
    sharedSecret(peer) {
      const k = Buffer.from(peer).toString('hex');
      let s = secrets.get(k);
      if (!s) {
        s = x25519.getSharedSecret(montgomerySecret, ed25519.utils.toMontgomery(peer));
        if (secrets.size >= 512) secrets.delete(secrets.keys().next().value as string);
        secrets.set(k, s);
      }
      return s;
    },
    privateKey() {
      const out = new Uint8Array(64);
      out.set(head.subarray(0, 32));
      out.set(prefix, 32);
      return out;
    },
  };
}

/** True when the key's first byte may not be used (0x00 and 0xFF are reserved path hashes, MyMesh::begin). */
export function isReservedKey(publicKey: Uint8Array): boolean {
  return publicKey[0] === 0x00 || publicKey[0] === 0xff;
}
