/**
 * What the inbox says about who sent a message (InboxEntry.senderAuth), from the stored bundle and its trace:
 *   verified      the origin is proven: an Ed25519 signature the router checked on ingest (64 bytes), a compact-seal
 *                 DM that opened under the pairwise static key (elided signature, 0 bytes), or a v2 broadcast whose
 *                 4-byte delayed-key MAC checked once the origin disclosed the interval key
 *   pending       a v2 broadcast whose interval key is not disclosed yet (a few seconds after it was sent)
 *   failed        a v2 broadcast whose MAC did not check under the disclosed key: not sent by the origin it names
 *                 (a holder of the group key, or an altered frame)
 *   unverifiable  a v2 broadcast this relay could not check: no signed anchor of the origin yet, heard after the
 *                 key may have been public, or evicted before the disclosure; proves nothing either way
 *   unsigned      a message from a foreign mesh (Meshtastic, MeshCore) wrapped by a gateway: the signature is the
 *                 gateway relay's, the foreign sender named in `from` is not authenticated by Lattice
 * Verdicts are `sender-auth` trace events (one per copy heard); `verified` wins over `forged` (a copy with a bad MAC
 * cannot unmake the origin's own), and any definite verdict over the undecided ones.
 */
import type { Bundle } from '../bundle/bundle.js';
import type { TraceEvent } from '../node/relay-node.js';

export type SenderAuthVerdict = 'verified' | 'pending' | 'failed' | 'unverifiable' | 'unsigned';

/** The trace event name of a bearer's verdict (detail: verified | forged | too-late | no-anchor | expired). */
export const SENDER_AUTH_EVENT = 'sender-auth';

export function senderAuthOf(b: Pick<Bundle, 'origin' | 'signature'>, events: () => readonly TraceEvent[]): SenderAuthVerdict {
  if (b.origin) return 'unsigned';
  // 64 bytes: checked on ingest (a bundle whose signature fails is never stored). 0 bytes: a compact-seal DM, only
  // accepted from a v2 hop whose DM tag checked under the pairwise key, and only readable here because it did.
  if (b.signature.length !== 4) return 'verified';
  const results = events().filter((e) => e.event === SENDER_AUTH_EVENT).map((e) => e.detail);
  if (results.includes('verified')) return 'verified';
  if (results.includes('forged')) return 'failed';
  return results.length > 0 ? 'unverifiable' : 'pending';
}
