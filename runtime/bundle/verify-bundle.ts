/**
 * Acceptance checks every bundle passes before it is stored or forwarded: signature, lifetime, clock skew, hop and
 * custody rules. Replays are caught later by the vault (same bundle id -> duplicate) while the bundle lives, and by
 * the lifetime check after it expired.
 */
import { MAX_HOPS, type Bundle } from './bundle.js';
import { bundleIdOf } from './bundle-id.js';
import { signingBytes } from './signing-bytes.js';
import { BundleRejectedError } from './errors.js';
import { verifySignature } from '../identity/signature.js';
import { elisionWellFormed, isElided } from './elided-signature.js';

/** Bundles live at most 30 days (the shard store's default horizon); longer lifetimes are refused. */
export const MAX_LIFETIME_MS = 30 * 24 * 3600 * 1000;
/** Accepted clock skew between sender and us: solar relays boot with wrong clocks until NTP/GPS catches up. */
export const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;

export interface VerifyOptions {
  now?: number;
  /** Precomputed bundle id (saves a hash on the hot path). */
  id?: Uint8Array;
}

export function verifyBundle(b: Bundle, options: VerifyOptions = {}): void {
  checkBundleRules(b, options.now ?? Date.now());
  if (isElided(b)) {
    // A bundle that crossed a Lattice v2 LoRa hop: its relays took it on that hop's MAC (elided-signature.ts).
    if (!elisionWellFormed(b)) throw new BundleRejectedError('bad-signature', 'malformed elided signature');
    return;
  }
  const id = options.id ?? bundleIdOf(b);
  if (!verifySignature(b.sender, signingBytes(b, id), b.signature)) throw new BundleRejectedError('bad-signature');
}

/** Every check of verifyBundle() but the signature: for a bundle this relay has just signed itself. */
export function checkBundleRules(b: Bundle, now: number): void {
  if (b.hops > MAX_HOPS) throw new BundleRejectedError('too-many-hops', `${b.hops} > ${MAX_HOPS}`);
  if (b.hops !== b.custody.length) throw new BundleRejectedError('custody-mismatch', `${b.hops} hops, ${b.custody.length} custody entries`);
  if (new Set(b.custody).size !== b.custody.length) throw new BundleRejectedError('custody-mismatch', 'a relay appears twice in the custody chain');
  if (b.lifetime <= 0 || b.lifetime > MAX_LIFETIME_MS) throw new BundleRejectedError('bad-lifetime', `${b.lifetime} ms`);
  if (b.sentAt > now + MAX_CLOCK_SKEW_MS) throw new BundleRejectedError('from-the-future', `sent at ${new Date(b.sentAt).toISOString()}`);
  if (now >= b.sentAt + b.lifetime) throw new BundleRejectedError('expired');
  if (b.sealed && !(b.recipient instanceof Uint8Array)) throw new BundleRejectedError('bad-recipient', 'sealed body without a node recipient');
}
