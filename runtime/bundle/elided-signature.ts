/**
 * Elided signatures: a Lattice v2 LoRa hop does not carry the sender's 64-byte Ed25519 signature (that is most of
 * the airtime of a short text). A bundle rebuilt from such a hop has in its `signature` field what the hop carried
 * instead, and keeps it on every later hop and bearer:
 *
 * - a compact-sealed DM: nothing (0 bytes). Its body's 8-byte AEAD tag under the pairwise static key authenticates
 *   sender, recipient, sentAt and body to the recipient, who alone can check it (openBody).
 * - a broadcast: the origin's 4-byte delayed-key sender MAC (runtime/bearers/lora/v2/sender-chain.ts), which any
 *   receiver checks once the origin discloses that interval's key.
 *
 * Relays cannot check either, so they take such a bundle on the strength of the hop that brought it: a v2 hop MAC
 * (pairwise key of the two neighbours) or group tag on LoRa, the signed handshake of an IP peer. SECURITY.md states
 * what that does and does not protect. Bundle ids do not cover the signature, so the signed copy (over IP) and the
 * elided copy (over LoRa v2) of one bundle have the same id and dedupe against each other.
 */
import type { Bundle } from './bundle.js';
import { msToStamp } from './stamp.js';
import { bundleIdOf } from './bundle-id.js';

export const SIGNATURE_BYTES = 64;
export const SENDER_MAC_BYTES = 4;
/** Signature field lengths the codec accepts: Ed25519, elided DM, elided broadcast. */
export const SIGNATURE_LENGTHS: readonly number[] = [SIGNATURE_BYTES, 0, SENDER_MAC_BYTES];

/** Whether this bundle's signature field is an elided one (not an Ed25519 signature). */
export const isElided = (b: Pick<Bundle, 'signature'>): boolean => b.signature.length !== SIGNATURE_BYTES;

/** An elided signature is only ever the shape v2 frames produce; anything else is a forgery attempt or a bug. */
export function elisionWellFormed(b: Bundle): boolean {
  if (msToStamp(b.sentAt) === undefined || b.origin !== undefined) return false;
  if (b.signature.length === 0) return b.sealed && b.compactSeal === true && b.recipient instanceof Uint8Array;
  if (b.signature.length === SENDER_MAC_BYTES) return !b.sealed && b.recipient === null;
  return false;
}

/**
 * Bytes that name this bundle for gateways that derive a foreign packet id from it (Meshtastic): the signature as
 * before, or, when it was elided (0 or 4 bytes, shared by many bundles), the bundle id. A signed and an elided copy of
 * one bundle then get different packet ids on the foreign mesh; both are the same message to its users.
 */
export function bundleTextKey(b: Bundle): Uint8Array {
  return isElided(b) ? bundleIdOf(b) : b.signature;
}
