/**
 * Compact seal (Lattice v2 DMs): the body sealed to one Lattice recipient with 8 bytes of overhead instead of 28.
 *
 *   sealed body = AES-256-CCM ciphertext ‖ 8-byte tag        (no nonce on the air: it comes from the stamp)
 *   key   = HKDF-SHA256(ikm = X25519(sender, recipient), salt = sender id ‖ recipient id, info = "lattice/seal/v2")
 *           — one key per direction of each pair of nodes, static (no forward secrecy, SECURITY.md)
 *   nonce = "lattice/d" (9 ASCII bytes) ‖ u32be stamp       (13 bytes, CCM with a 2-byte length field)
 *
 * The stamp is the sender's persisted, strictly increasing counter (stamp-allocator.ts), so a nonce is never used
 * twice under one key, across restarts and power cuts. The key binds sender and recipient, the nonce the stamp
 * (= sentAt), the tag the body: everything the bundle id hashes is authenticated end to end.
 *
 * Why AES-CCM: it defines short tags (M = 8) as part of the mode — the tag length enters the MAC computation — with
 * a forgery bound of about q / 2^64 for q attempts, whereas a GCM or Poly1305 tag cut to 8 bytes has no such
 * definition (GCM's short-tag forgeries get easier with message length, Ferguson 2005; Poly1305 has no truncated
 * variant in RFC 8439). Meshtastic's PKI DMs use the same mode and tag size. A LoRa body is a few dozen bytes, so
 * AES without hardware support on a Pi costs microseconds; node:crypto has it (no new dependency).
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import type { Identity } from '../identity/identity.js';
import { SealError } from './errors.js';

const INFO = Buffer.from('lattice/seal/v2');
const NONCE_PREFIX = Buffer.from('lattice/d', 'ascii');
export const COMPACT_SEAL_TAG = 8;

function key(identity: Identity, senderId: Uint8Array, recipientId: Uint8Array, peerId: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', identity.sharedSecret(peerId), Buffer.concat([senderId, recipientId]), INFO, 32));
}

function nonce(stamp: number): Buffer {
  if (!Number.isInteger(stamp) || stamp < 0 || stamp > 0xffff_ffff) throw new RangeError(`stamp ${stamp} is not a u32`);
  const n = Buffer.alloc(13);
  NONCE_PREFIX.copy(n);
  n.writeUInt32BE(stamp, 9);
  return n;
}

export function compactSeal(identity: Identity, recipientId: Uint8Array, stamp: number, plaintext: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-256-ccm', key(identity, identity.nodeId, recipientId, recipientId), nonce(stamp), { authTagLength: COMPACT_SEAL_TAG });
  const ct = c.update(plaintext);
  c.final();
  return new Uint8Array(Buffer.concat([ct, c.getAuthTag()]));
}

/** Opens a compact-sealed body from `senderId` to this identity; SealError when it is not for us or was altered. */
export function openCompactSealed(identity: Identity, senderId: Uint8Array, stamp: number, sealed: Uint8Array): Uint8Array {
  if (sealed.length < COMPACT_SEAL_TAG) throw new SealError('compact-sealed body too short');
  try {
    const d = createDecipheriv('aes-256-ccm', key(identity, senderId, identity.nodeId, senderId), nonce(stamp), { authTagLength: COMPACT_SEAL_TAG });
    d.setAuthTag(sealed.subarray(sealed.length - COMPACT_SEAL_TAG));
    const pt = d.update(sealed.subarray(0, sealed.length - COMPACT_SEAL_TAG));
    d.final();
    return new Uint8Array(pt);
  } catch (err) {
    throw new SealError('cannot open compact-sealed body (not addressed to this node, or altered)', { cause: err });
  }
}

/**
 * Opens a body this identity compact-sealed to `recipientId` (its own sent copy, for the dashboard's sent list): the
 * same sender→recipient key seen from the sender's side, the nonce from the stamp; no extra key is kept.
 */
export function openOwnCompactSealed(identity: Identity, recipientId: Uint8Array, stamp: number, sealed: Uint8Array): Uint8Array {
  if (sealed.length < COMPACT_SEAL_TAG) throw new SealError('compact-sealed body too short');
  try {
    const d = createDecipheriv('aes-256-ccm', key(identity, identity.nodeId, recipientId, recipientId), nonce(stamp), { authTagLength: COMPACT_SEAL_TAG });
    d.setAuthTag(sealed.subarray(sealed.length - COMPACT_SEAL_TAG));
    const pt = d.update(sealed.subarray(0, sealed.length - COMPACT_SEAL_TAG));
    d.final();
    return new Uint8Array(pt);
  } catch (err) {
    throw new SealError('cannot open our own compact-sealed body (not sealed by this node, or altered)', { cause: err });
  }
}
