/**
 * End-to-end sealing of bodies to a single Lattice recipient: X25519 (derived from both Ed25519 keys) ->
 * HKDF-SHA256 -> ChaCha20-Poly1305 (node:crypto; 1.7-11x faster than noble here, docs/measurements.md §1, and
 * without AES hardware on a Pi 4 ChaCha20 is the faster AEAD).
 *
 *   sealed body = nonce (12 random bytes) | ciphertext | tag (16)
 *   key  = HKDF-SHA256(ikm = X25519(sender, recipient), salt = sender id | recipient id, info = "lattice/seal/v1")
 *   aad  = u64be sent-at, so a body cannot be replayed under another timestamp
 *
 * Relays route on the clear header fields and never see the text.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Identity } from '../identity/identity.js';
import { SealError } from './errors.js';

const INFO = Buffer.from('lattice/seal/v1');
const NONCE = 12;
const TAG = 16;
export const SEAL_OVERHEAD = NONCE + TAG;

function key(identity: Identity, senderId: Uint8Array, recipientId: Uint8Array, peerId: Uint8Array): Buffer {
  const shared = identity.sharedSecret(peerId);
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([senderId, recipientId]), INFO, 32));
}

function aad(sentAt: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(BigInt(sentAt));
  return b;
}

export function sealBody(identity: Identity, recipientId: Uint8Array, sentAt: number, plaintext: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('chacha20-poly1305', key(identity, identity.nodeId, recipientId, recipientId), nonce, { authTagLength: TAG });
  c.setAAD(aad(sentAt), { plaintextLength: plaintext.length });
  const ct = c.update(plaintext);
  c.final();
  return new Uint8Array(Buffer.concat([nonce, ct, c.getAuthTag()]));
}

/**
 * Opens a body this identity sealed to `recipientId` (its own sent copy, for the dashboard's sent list): the key is
 * the same static-static X25519 secret seen from the sender's side, so no extra key is kept.
 */
export function openOwnSealed(identity: Identity, recipientId: Uint8Array, sentAt: number, sealed: Uint8Array): Uint8Array {
  if (sealed.length < SEAL_OVERHEAD) throw new SealError('sealed body too short');
  const nonce = sealed.subarray(0, NONCE);
  const tag = sealed.subarray(sealed.length - TAG);
  const ct = sealed.subarray(NONCE, sealed.length - TAG);
  try {
    const d = createDecipheriv('chacha20-poly1305', key(identity, identity.nodeId, recipientId, recipientId), nonce, { authTagLength: TAG });
    d.setAAD(aad(sentAt), { plaintextLength: ct.length });
    d.setAuthTag(tag);
    const pt = d.update(ct);
    d.final();
    return new Uint8Array(pt);
  } catch (err) {
    throw new SealError('cannot open our own sealed body (not sealed by this node, or altered)', { cause: err });
  }
}

/** Opens a body sealed by `senderId` to this identity. Throws SealError when it was not for us or was altered. */
export function openSealed(identity: Identity, senderId: Uint8Array, sentAt: number, sealed: Uint8Array): Uint8Array {
  if (sealed.length < SEAL_OVERHEAD) throw new SealError('sealed body too short');
  const nonce = sealed.subarray(0, NONCE);
  const tag = sealed.subarray(sealed.length - TAG);
  const ct = sealed.subarray(NONCE, sealed.length - TAG);
  try {
    const d = createDecipheriv('chacha20-poly1305', key(identity, senderId, identity.nodeId, senderId), nonce, { authTagLength: TAG });
    d.setAAD(aad(sentAt), { plaintextLength: ct.length });
    d.setAuthTag(tag);
    const pt = d.update(ct);
    d.final();
    return new Uint8Array(pt);
  } catch (err) {
    throw new SealError('cannot open sealed body (not addressed to this node, or altered)', { cause: err });
  }
}
