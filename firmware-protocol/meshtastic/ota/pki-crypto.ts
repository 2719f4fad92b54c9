/**
 * PKI direct messages (firmware src/mesh/CryptoEngine.cpp encryptCurve25519 / decryptCurve25519, aes-ccm.cpp):
 * shared key = SHA-256(X25519(ourPrivate, theirPublic)), AES-256-CCM with a 13-byte nonce and an 8-byte tag,
 * no AAD. Nonce = packetId u32 LE | extraNonce u32 LE | fromNode u32 LE | 0 (initNonce writes the packet id as a
 * u64 and overwrites bytes 4-7 with extraNonce). On the air: ciphertext | tag(8) | extraNonce(4 LE).
 *
 * node:crypto does X25519 on KeyObjects, so raw 32-byte keys are wrapped in their fixed DER envelopes
 * (RFC 8410: PKCS#8 for the private key, SPKI for the public key).
 */
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { MeshtasticPkiKeyError } from './errors.js';

export const PKI_TAG_LENGTH = 8;
export const PKI_NONCE_LENGTH = 13;
/** tag + extraNonce (RadioInterface.h MESHTASTIC_PKC_OVERHEAD) */
export const PKI_OVERHEAD = 12;

const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function checkKey(what: string, key: Uint8Array): void {
  if (key.length !== 32) throw new MeshtasticPkiKeyError(what, key.length);
}

export function x25519PrivateKeyObject(privateKey: Uint8Array): KeyObject {
  checkKey('private key', privateKey);
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, privateKey]), format: 'der', type: 'pkcs8' });
}

export function x25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  checkKey('public key', publicKey);
  return createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/** CryptoEngine::regeneratePublicKey: the public key of a private key (X25519 clamps the scalar itself). */
export function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  const spki = createPublicKey(x25519PrivateKeyObject(privateKey)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_X25519_PREFIX.length));
}

/** CryptoEngine::generateKeyPair: a fresh Curve25519 pair as raw 32-byte keys. */
export function generateX25519KeyPair(): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const priv = privateKey.export({ format: 'der', type: 'pkcs8' });
  const pub = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey: new Uint8Array(priv.subarray(PKCS8_X25519_PREFIX.length)), publicKey: new Uint8Array(pub.subarray(SPKI_X25519_PREFIX.length)) };
}

/**
 * CryptoEngine::setDHPublicKey: the raw X25519 shared secret, or `null` where Curve25519::dh2 fails (a weak,
 * low-order public key gives the all-zero secret, which OpenSSL refuses too).
 */
export function x25519SharedSecret(ourPrivate: KeyObject, theirPublic: Uint8Array): Uint8Array | null {
  try {
    const secret = diffieHellman({ privateKey: ourPrivate, publicKey: x25519PublicKeyObject(theirPublic) });
    return secret.every((b) => b === 0) ? null : new Uint8Array(secret);
  } catch {
    return null;
  }
}

/** The AES-256 key of a PKI pair: SHA-256 of the X25519 secret (CryptoEngine::hash(shared_key, 32)). */
export function pkiSharedKey(ourPrivate: KeyObject, theirPublic: Uint8Array): Uint8Array | null {
  const secret = x25519SharedSecret(ourPrivate, theirPublic);
  return secret === null ? null : new Uint8Array(createHash('sha256').update(secret).digest());
}

/** CryptoEngine::initNonce(fromNode, packetNum, extraNonce), first 13 bytes. */
export function pkiNonce(fromNode: number, packetId: number, extraNonce: number): Uint8Array {
  const nonce = new Uint8Array(PKI_NONCE_LENGTH);
  const view = new DataView(nonce.buffer);
  view.setUint32(0, packetId >>> 0, true);
  view.setUint32(4, extraNonce >>> 0, true);
  view.setUint32(8, fromNode >>> 0, true);
  return nonce;
}

/** encryptCurve25519: ciphertext | tag | extraNonce. */
export function pkiEncrypt(sharedKey: Uint8Array, fromNode: number, packetId: number, extraNonce: number, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-256-ccm', sharedKey, pkiNonce(fromNode, packetId, extraNonce), { authTagLength: PKI_TAG_LENGTH });
  const ct = cipher.update(plaintext);
  cipher.final();
  const out = new Uint8Array(ct.length + PKI_OVERHEAD);
  out.set(ct, 0);
  out.set(cipher.getAuthTag(), ct.length);
  new DataView(out.buffer).setUint32(ct.length + PKI_TAG_LENGTH, extraNonce >>> 0, true);
  return out;
}

/** decryptCurve25519: the plaintext, or `null` when the payload is too short or the CCM tag does not verify. */
export function pkiDecrypt(sharedKey: Uint8Array, fromNode: number, packetId: number, bytes: Uint8Array): Uint8Array | null {
  if (bytes.length < PKI_OVERHEAD) return null;
  const ctLength = bytes.length - PKI_OVERHEAD;
  const extraNonce = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(ctLength + PKI_TAG_LENGTH, true);
  try {
    const decipher = createDecipheriv('aes-256-ccm', sharedKey, pkiNonce(fromNode, packetId, extraNonce), { authTagLength: PKI_TAG_LENGTH });
    decipher.setAuthTag(bytes.subarray(ctLength, ctLength + PKI_TAG_LENGTH));
    const pt = decipher.update(bytes.subarray(0, ctLength));
    decipher.final();
    return new Uint8Array(pt.buffer, pt.byteOffset, pt.length);
  } catch {
    return null;
  }
}
