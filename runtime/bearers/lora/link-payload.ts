/**
 * What a LoRa data frame carries: a bundle re-packed compactly (compact-bundle.ts) when that is smaller and the
 * receiver rebuilds the exact wire bytes from it, else the Lattice wire frame as it is (another version, non-canonical
 * CBOR, a frame that is not a bundle).
 *
 * Decode once, encode once. Sending: the router hands over the decoded bundle with its frame (OutFrame.bundle, of
 * which the frame's bytes are the encoding), so nothing is decoded here; the compact form is encoded once per variant
 * used (with and without our own key, lora-bearer.ts), and decoded once to check that the receiver gets the very
 * bundle back, field by field (the check that the compact codec round-trips this bundle; the cost of a mistake would
 * be a bundle the next hop cannot rebuild). A frame without its bundle is decoded here, and then the check compares
 * the rebuilt wire bytes whole, which also proves its CBOR canonical. Receiving: the compact form is decoded once and
 * encoded once into the wire bytes the vault keeps (what other bearers carry, and what `lattice trace` shows); the
 * decoded bundle goes on with them (InFrame.bundle), so the router does not decode it again.
 */
import type { OutFrame } from '../../bearer/bearer.js';
import { decodeBundle, encodeBundle } from '../../bundle/bundle-codec.js';
import type { Bundle } from '../../bundle/bundle.js';
import { decodeFrame, encodeFrame } from '../../wire/frame-codec.js';
import { decodeCompactBundle, encodeCompactBundle, type CompactContext } from './compact-bundle.js';

export interface LinkPayload {
  payload: Uint8Array;
  encoding: 'compact' | 'wire';
}

/** The bundle a frame carries, decoded once per send. */
export interface OutgoingBundle {
  bundle: Bundle;
  /** True when the router gave it with the frame (its bytes are its encoding); false when decoded here. */
  given: boolean;
}

/** The bundle of a bundle frame that this codec may re-pack; undefined to carry the frame as it is. */
export function outgoingBundle(frame: OutFrame): OutgoingBundle | undefined {
  if (frame.kind !== 'bundle') return undefined;
  if (frame.bundle) return { bundle: frame.bundle, given: true };
  try {
    const f = decodeFrame(frame.bytes);
    return f.kind === 'bundle' ? { bundle: decodeBundle(f.payload), given: false } : undefined;
  } catch {
    return undefined; // not a bundle this codec can read: carried as it is
  }
}

/**
 * The payload for one link addressee (`ctx`: addressee, transmitter = this relay, omitSender): compact when smaller
 * and it round-trips, else the wire bytes.
 */
export function linkPayload(bytes: Uint8Array, out: OutgoingBundle | undefined, ctx: CompactContext): LinkPayload {
  const wire: LinkPayload = { payload: bytes, encoding: 'wire' };
  if (!out) return wire;
  try {
    const compact = encodeCompactBundle(out.bundle, ctx);
    if (compact.length >= bytes.length) return wire;
    const rebuilt = decodeCompactBundle(compact, ctx);
    const same = out.given ? sameBundle(rebuilt, out.bundle) : Buffer.compare(encodeFrame({ kind: 'bundle', payload: encodeBundle(rebuilt) }), bytes) === 0;
    return same ? { payload: compact, encoding: 'compact' } : wire;
  } catch {
    // A field this format cannot hold (foreign fields, sizes): carried as it is.
    return wire;
  }
}

/** Receiving: the bundle a compact payload carries and the wire frame it rebuilds. Throws CompactBundleDecodeError. */
export function rebuildBundle(payload: Uint8Array, ctx: CompactContext): { bundle: Bundle; bytes: Uint8Array } {
  const bundle = decodeCompactBundle(payload, ctx);
  return { bundle, bytes: encodeFrame({ kind: 'bundle', payload: encodeBundle(bundle) }) };
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

/** Field-by-field equality of two bundles (what encodeBundle would write for each). */
export function sameBundle(a: Bundle, b: Bundle): boolean {
  const recipient = a.recipient === null || typeof a.recipient === 'string'
    ? a.recipient === b.recipient
    : b.recipient instanceof Uint8Array && sameBytes(a.recipient, b.recipient);
  return recipient && sameBytes(a.sender, b.sender) && a.sentAt === b.sentAt && a.lifetime === b.lifetime && a.sealed === b.sealed && a.compactSeal === b.compactSeal &&
    sameBytes(a.body, b.body) && a.origin?.id === b.origin?.id && a.origin?.name === b.origin?.name && (a.origin === undefined) === (b.origin === undefined) &&
    a.hops === b.hops && a.custody.length === b.custody.length && a.custody.every((c, i) => c === b.custody[i]) && sameBytes(a.signature, b.signature);
}
