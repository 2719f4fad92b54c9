/**
 * Bundles over Lattice v2 frames: which bundles fit the format, encoding one for a hop (hints, custody hints, the
 * signature left out, hop MAC or group tag), and rebuilding the bundle on the other side (hop auth checked, hints
 * resolved, the recipient's AEAD tag tried, custody re-expanded), so that every relay and the receiver hash the very
 * bundle id the origin did (runtime/bundle/bundle-id.ts: sender, recipient, sentAt, body — all carried or resolved).
 */
import { DEFAULT_LIFETIME_MS, MAX_HOPS, type Bundle } from '../../../bundle/bundle.js';
import { openCompactSealed } from '../../../bundle/compact-seal.js';
import { SENDER_MAC_BYTES } from '../../../bundle/elided-signature.js';
import { msToStamp, stampToMs } from '../../../bundle/stamp.js';
import type { Identity } from '../../../identity/identity.js';
import { isShortId } from '../../../identity/short-id.js';
import { V2FrameRejectedError } from '../errors.js';
import { custodyHint, keyHint, linkHint, unresolvedShortId } from './hints.js';
import type { KeyBook } from './key-book.js';
import { GROUP_TAG_BYTES, HOP_MAC_BYTES, decodeV2Frame, encodeV2Data, hopAuthOffset, type V2Data, type V2Party } from './v2-frame.js';
import { hopKey, mac, macEquals } from './v2-keys.js';

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

const HOUR_MS = 3_600_000;
/** The lifetime field of a v2 frame: null for the 7-day default, hours when whole hours (≤ 65535), else undefined. */
function lifetimeHours(ms: number): number | null | undefined {
  if (ms === DEFAULT_LIFETIME_MS) return null;
  return ms % HOUR_MS === 0 && ms >= HOUR_MS && ms / HOUR_MS <= 0xffff ? ms / HOUR_MS : undefined;
}

/** 'dm' / 'broadcast' when a v2 frame can carry this bundle exactly, else undefined (it goes as v1). */
export function v2Kind(b: Bundle): 'dm' | 'broadcast' | undefined {
  if (msToStamp(b.sentAt) === undefined || lifetimeHours(b.lifetime) === undefined || b.origin !== undefined) return undefined;
  if (b.hops > MAX_HOPS || b.hops !== b.custody.length || !b.custody.every(isShortId)) return undefined;
  if (b.recipient === null && !b.sealed && (b.signature.length === 64 || b.signature.length === SENDER_MAC_BYTES)) return 'broadcast';
  if (b.recipient instanceof Uint8Array && b.sealed && b.compactSeal && (b.signature.length === 64 || b.signature.length === 0)) return 'dm';
  return undefined;
}

export interface V2Encode {
  identity: Identity;
  groupKey: Uint8Array;
  /** The unicast addressee's full id; undefined: link broadcast. */
  addressee?: Uint8Array;
  /** Carry origin and recipient keys in full (the addressee may not hold them). */
  inline: boolean;
  /** The origin's sender MAC for a broadcast it signed itself (sender-chain.ts); undefined when not the origin. */
  senderMac?: (stamp: number, body: Uint8Array) => Uint8Array;
}

/** The v2 frame for one hop, or undefined when this bundle cannot go as v2 from here. */
export function encodeV2Bundle(b: Bundle, e: V2Encode): Uint8Array | undefined {
  const kind = v2Kind(b);
  if (!kind) return undefined;
  const dm = kind === 'dm';
  const stamp = msToStamp(b.sentAt)!;
  let senderMac: Uint8Array | undefined;
  if (!dm) {
    if (b.signature.length === SENDER_MAC_BYTES) senderMac = b.signature;
    else if (same(b.sender, e.identity.nodeId) && e.senderMac) senderMac = e.senderMac(stamp, b.body);
    else return undefined; // a signed broadcast of another origin (it came over IP): only its signature proves it
  }
  const party = (id: Uint8Array): V2Party => (e.inline ? { key: id } : { hint: keyHint(id) });
  const f: V2Data = {
    type: 'data',
    from: linkHint(e.identity.nodeId),
    dm,
    stamp,
    ...(lifetimeHours(b.lifetime) ? { lifetimeHours: lifetimeHours(b.lifetime)! } : {}),
    custody: b.custody.map(custodyHint),
    body: b.body,
    hopAuth: new Uint8Array(e.addressee ? HOP_MAC_BYTES : GROUP_TAG_BYTES),
  };
  if (e.addressee) f.to = linkHint(e.addressee);
  // Keys inline carry ours too when we are the origin: the addressee may not have our key for the hop MAC either.
  if (!same(b.sender, e.identity.nodeId) || e.inline) f.sender = party(b.sender);
  if (dm && !(e.addressee && same(b.recipient as Uint8Array, e.addressee))) f.recipient = party(b.recipient as Uint8Array);
  if (senderMac) f.senderMac = senderMac;
  if (dm && !f.recipient && !e.addressee) return undefined;
  // "keys inline" with no key field to carry (we are the origin, the addressee is the recipient): plain hints.
  const bytes = encodeV2Data(f);
  const off = hopAuthOffset(bytes.length, e.addressee !== undefined);
  const key = e.addressee ? hopKey(e.identity, e.addressee) : e.groupKey;
  bytes.set(mac(key, bytes.subarray(0, off), e.addressee ? HOP_MAC_BYTES : GROUP_TAG_BYTES), off);
  return bytes;
}

export interface V2Decode {
  identity: Identity;
  groupKey: Uint8Array;
  book: KeyBook;
}

export interface V2Received {
  bundle: Bundle;
  /** The transmitting neighbour, when resolved (always on unicast: the hop MAC named it). */
  transmitter?: Uint8Array;
  /** Unicast: the two bytes the link ACK echoes. */
  echo?: Uint8Array;
  unicast: boolean;
}

/**
 * Rebuilds the bundle of a v2 data frame. Throws V2FrameDecodeError (malformed) or V2FrameRejectedError (bad MAC,
 * key hint not resolvable, not for us: 'unsupported'). Keys carried in full are learned into the book.
 */
export function decodeV2Bundle(bytes: Uint8Array, d: V2Decode): V2Received {
  const f = decodeV2Frame(bytes);
  if (f.type !== 'data') throw new V2FrameRejectedError('unsupported', 'not a data frame');
  const me = d.identity.nodeId;
  const unicast = f.to !== undefined;
  if (unicast && f.to !== linkHint(me)) throw new V2FrameRejectedError('unsupported', 'addressed to another link hint');
  const off = hopAuthOffset(bytes.length, unicast);
  const covered = bytes.subarray(0, off);
  let transmitter: Uint8Array | undefined;
  const candidates = d.book.byLinkHint(f.from).filter((id) => !same(id, me));
  // An origin that transmits with its key inline (first contact, a retry): that key may be the transmitter's.
  const inlineSender = f.sender && 'key' in f.sender && linkHint(f.sender.key) === f.from && !same(f.sender.key, me) ? f.sender.key : undefined;
  if (inlineSender && !candidates.some((id) => same(id, inlineSender))) candidates.push(inlineSender);
  if (unicast) {
    transmitter = candidates.find((id) => {
      try {
        return macEquals(mac(hopKey(d.identity, id), covered, HOP_MAC_BYTES), f.hopAuth);
      } catch {
        return false; // a key that is no curve point (learned from a hostile frame) shares no secret
      }
    });
    if (!transmitter) throw new V2FrameRejectedError(candidates.length ? 'bad-mac' : 'unknown-key', 'hop MAC');
  } else {
    if (!macEquals(mac(d.groupKey, covered, GROUP_TAG_BYTES), f.hopAuth)) throw new V2FrameRejectedError('bad-mac', 'group tag');
    if (candidates.length === 1) transmitter = candidates[0];
  }
  for (const p of [f.sender, f.recipient]) if (p && 'key' in p) d.book.learn(p.key);
  const stamp = f.stamp;
  const body = new Uint8Array(f.body);
  const candidatesOf = (p: V2Party | undefined, implied: Uint8Array | undefined): Uint8Array[] =>
    p === undefined ? (implied ? [implied] : []) : 'key' in p ? [p.key] : d.book.byKeyHint(p.hint);
  const unique = (p: V2Party | undefined, implied: Uint8Array | undefined, what: string): Uint8Array => {
    const ids = candidatesOf(p, implied);
    if (ids.length !== 1) throw new V2FrameRejectedError('unknown-key', `${what} resolves to ${ids.length} known keys`);
    return ids[0]!;
  };
  let sender: Uint8Array | undefined;
  let recipient: Uint8Array | null = null;
  if (f.dm) {
    // For us when R says so on a frame to us, when it carries our key, or when its hint is ours; then the AEAD tag
    // decides, over every key the sender hint may stand for (hint collisions are tried, not guessed).
    const r = f.recipient;
    const surelyUs = r === undefined || ('key' in r && same(r.key, me));
    const maybeUs = surelyUs || (r !== undefined && !('key' in r) && r.hint === keyHint(me));
    const senders = candidatesOf(f.sender, transmitter);
    if (maybeUs) {
      sender = senders.find((s) => {
        try {
          openCompactSealed(d.identity, s, stamp, body);
          return true;
        } catch {
          return false;
        }
      });
      if (sender) recipient = me;
      else if (surelyUs) throw new V2FrameRejectedError(senders.length ? 'bad-mac' : 'unknown-key', 'DM tag');
    }
    if (!sender) {
      recipient = unique(r, undefined, 'recipient');
      if (same(recipient, me)) throw new V2FrameRejectedError('bad-mac', 'DM tag');
      sender = unique(f.sender, transmitter, 'sender');
    }
  } else sender = unique(f.sender, transmitter, 'sender');
  const custody = f.custody.map((h) => {
    const known = d.book.shortIdsByHint(h);
    if (custodyHint(d.identity.shortId) === h) return d.identity.shortId;
    return known.length === 1 ? known[0]! : unresolvedShortId(h);
  });
  const bundle: Bundle = {
    sender: new Uint8Array(sender),
    recipient: recipient ? new Uint8Array(recipient) : null,
    sentAt: stampToMs(stamp),
    lifetime: f.lifetimeHours !== undefined ? f.lifetimeHours * HOUR_MS : DEFAULT_LIFETIME_MS,
    body,
    sealed: f.dm,
    hops: custody.length,
    custody,
    signature: f.dm ? new Uint8Array(0) : new Uint8Array(f.senderMac!),
  };
  if (f.dm) bundle.compactSeal = true;
  const out: V2Received = { bundle, unicast };
  if (transmitter) out.transmitter = new Uint8Array(transmitter);
  if (unicast) out.echo = f.hopAuth.slice(0, 2);
  return out;
}
