/**
 * Bundle wire encoding: one CBOR array (cbor-x), positional so it stays small on radio links:
 *
 *   [1, sender(bstr 32), recipient(null | bstr 32 | tstr), sentAt(uint ms), lifetime(uint ms), flags(uint, bit0 sealed,
 *    bit1 compact seal), body(bstr), origin(null | [tstr id, ?tstr name]), hops(uint), custody([tstr...]),
 *    signature(bstr 64, or 0 / 4 when elided on a Lattice v2 LoRa hop: elided-signature.ts)]
 *
 * decodeBundle() checks shape and sizes only; verifyBundle() checks signature, lifetime and hop rules.
 */
import { Encoder } from 'cbor-x';
import { BundleDecodeError } from './errors.js';
import { MAX_BODY_BYTES, MAX_HOPS, type Bundle, type Recipient } from './bundle.js';
import { isShortId } from '../identity/short-id.js';
import { SIGNATURE_LENGTHS } from './elided-signature.js';

const VERSION = 1;
/** Largest encoded bundle the decoder accepts: the largest body plus generous room for the other fields. */
export const MAX_BUNDLE_BYTES = MAX_BODY_BYTES + 1024;
/** Foreign addresses and origin fields are short identifiers, never payload. */
export const MAX_ADDRESS_BYTES = 255;

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false } as ConstructorParameters<typeof Encoder>[0]);

export function encodeBundle(b: Bundle): Uint8Array {
  return cbor.encode([
    VERSION,
    b.sender,
    b.recipient,
    b.sentAt,
    b.lifetime,
    b.sealed ? (b.compactSeal ? 3 : 1) : 0,
    b.body,
    b.origin ? (b.origin.name !== undefined ? [b.origin.id, b.origin.name] : [b.origin.id]) : null,
    b.hops,
    b.custody,
    b.signature,
  ]);
}

const isBytes = (v: unknown, len?: number): v is Uint8Array =>
  v instanceof Uint8Array && (len === undefined || v.length === len);
const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const shortText = (v: unknown): v is string => typeof v === 'string' && Buffer.byteLength(v, 'utf8') <= MAX_ADDRESS_BYTES;

/** Copies into a fresh Uint8Array so a bundle never pins the (possibly large) frame buffer it came from. */
const own = (v: Uint8Array): Uint8Array => new Uint8Array(v);

export function decodeBundle(bytes: Uint8Array): Bundle {
  if (!(bytes instanceof Uint8Array)) throw new BundleDecodeError('not bytes');
  if (bytes.length > MAX_BUNDLE_BYTES) throw new BundleDecodeError(`over ${MAX_BUNDLE_BYTES} bytes`);
  let v: unknown;
  try {
    v = cbor.decode(bytes);
  } catch (err) {
    throw new BundleDecodeError('not CBOR', { cause: err });
  }
  if (!Array.isArray(v) || v.length !== 11) throw new BundleDecodeError('not an 11-element array');
  const [version, sender, recipient, sentAt, lifetime, flags, body, origin, hops, custody, signature] = v as unknown[];
  if (version !== VERSION) throw new BundleDecodeError(`unknown version ${String(version)}`);
  if (!isBytes(sender, 32)) throw new BundleDecodeError('sender is not 32 bytes');
  let to: Recipient;
  if (recipient === null) to = null;
  else if (isBytes(recipient, 32)) to = own(recipient);
  else if (shortText(recipient) && recipient.length > 0) to = recipient;
  else throw new BundleDecodeError('bad recipient');
  if (!isUint(sentAt)) throw new BundleDecodeError('bad sentAt');
  if (!isUint(lifetime)) throw new BundleDecodeError('bad lifetime');
  if (flags !== 0 && flags !== 1 && flags !== 3) throw new BundleDecodeError('bad flags');
  if (!isBytes(body)) throw new BundleDecodeError('body is not bytes');
  if (body.length > MAX_BODY_BYTES) throw new BundleDecodeError(`body over ${MAX_BODY_BYTES} bytes`);
  let org: Bundle['origin'];
  if (origin !== null) {
    if (!Array.isArray(origin) || origin.length < 1 || origin.length > 2 || !shortText(origin[0]) || (origin.length === 2 && !shortText(origin[1])))
      throw new BundleDecodeError('bad origin');
    org = origin.length === 2 ? { id: origin[0] as string, name: origin[1] as string } : { id: origin[0] as string };
  }
  if (!isUint(hops) || hops > MAX_HOPS) throw new BundleDecodeError('bad hop count');
  if (!Array.isArray(custody) || custody.length > MAX_HOPS || !custody.every(isShortId)) throw new BundleDecodeError('bad custody chain');
  if (!isBytes(signature) || !SIGNATURE_LENGTHS.includes(signature.length)) throw new BundleDecodeError('signature is not 64 bytes (nor an elided one)');
  const b: Bundle = {
    sender: own(sender),
    recipient: to,
    sentAt,
    lifetime,
    body: own(body),
    sealed: flags !== 0,
    hops,
    custody: custody as string[],
    signature: own(signature),
  };
  if (org) b.origin = org;
  if (flags === 3) b.compactSeal = true;
  return b;
}
