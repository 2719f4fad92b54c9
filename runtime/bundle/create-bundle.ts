/** Creating, custody-stamping and reading bundles. */
import type { Identity } from '../identity/identity.js';
import { DEFAULT_LIFETIME_MS, MAX_BODY_BYTES, MAX_HOPS, type Bundle, type Origin, type Recipient } from './bundle.js';
import { bundleIdOf } from './bundle-id.js';
import { signingBytes } from './signing-bytes.js';
import { openSealed, sealBody } from './seal.js';
import { MAX_ADDRESS_BYTES } from './bundle-codec.js';
import { SealError } from './errors.js';
import { compactSeal, openCompactSealed } from './compact-seal.js';
import { msToStamp, stampToMs } from './stamp.js';

export interface CreateBundleOptions {
  recipient: Recipient;
  /** UTF-8 text message (the v1 body format). */
  text?: string;
  /** Raw body bytes instead of text. */
  body?: Uint8Array;
  lifetimeMs?: number;
  origin?: Origin;
  /** Defaults to Date.now(). */
  sentAt?: number;
  /** Shape the bundle for Lattice v2 LoRa frames: `stamp` (the sender's next stamp, stamp-allocator.ts) sets sentAt
   * (a whole second) and is the nonce of a compact seal (compact-seal.ts) for a node recipient. The bundle is still
   * signed, for the bearers that carry signatures. Overrides `sentAt`. */
  stamp?: number;
}

export function createBundle(identity: Identity, options: CreateBundleOptions): Bundle {
  const compact = options.stamp !== undefined;
  const sentAt = compact ? stampToMs(options.stamp!) : options.sentAt ?? Date.now();
  const plain = options.body ?? new TextEncoder().encode(options.text ?? '');
  if (plain.length > MAX_BODY_BYTES) throw new RangeError(`body of ${plain.length} bytes is over the ${MAX_BODY_BYTES}-byte bundle limit`);
  const { recipient } = options;
  if (typeof recipient === 'string' && (recipient.length === 0 || Buffer.byteLength(recipient) > MAX_ADDRESS_BYTES))
    throw new RangeError('foreign recipient address must be 1-255 bytes');
  if (recipient instanceof Uint8Array && recipient.length !== 32) throw new RangeError('node id recipient must be 32 bytes');
  for (const f of [options.origin?.id, options.origin?.name])
    if (f !== undefined && Buffer.byteLength(f) > MAX_ADDRESS_BYTES) throw new RangeError('origin fields must be at most 255 bytes');
  const sealed = recipient instanceof Uint8Array;
  const body = !sealed ? plain : compact ? compactSeal(identity, recipient, options.stamp!, plain) : sealBody(identity, recipient, sentAt, plain);
  const unsigned = {
    sender: identity.nodeId,
    recipient,
    sentAt,
    lifetime: options.lifetimeMs ?? DEFAULT_LIFETIME_MS,
    body,
    sealed,
    ...(sealed && compact ? { compactSeal: true as const } : {}),
    ...(options.origin ? { origin: { ...options.origin } } : {}),
  };
  const signature = identity.sign(signingBytes(unsigned, bundleIdOf(unsigned)));
  return { ...unsigned, hops: 0, custody: [], signature };
}

/** A copy of the bundle with this relay's short id appended to the custody chain. */
export function withCustody(bundle: Bundle, shortId: string): Bundle {
  if (bundle.hops >= MAX_HOPS) throw new RangeError(`bundle already has ${bundle.hops} hops`);
  return { ...bundle, hops: bundle.hops + 1, custody: [...bundle.custody, shortId] };
}

/** The plaintext body as this identity can read it: clear bodies as they are, sealed bodies when addressed to us. */
export function openBody(identity: Identity, bundle: Bundle): Uint8Array {
  if (!bundle.sealed) return bundle.body;
  if (!(bundle.recipient instanceof Uint8Array) || Buffer.compare(bundle.recipient, identity.nodeId) !== 0)
    throw new SealError('sealed body is addressed to another node');
  if (bundle.compactSeal) {
    const stamp = msToStamp(bundle.sentAt);
    if (stamp === undefined) throw new SealError('compact-sealed body without a whole-second sentAt');
    return openCompactSealed(identity, bundle.sender, stamp, bundle.body);
  }
  return openSealed(identity, bundle.sender, bundle.sentAt, bundle.body);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
export function bodyText(body: Uint8Array): string {
  return utf8.decode(body);
}
