/**
 * Lattice v2 LoRa frame codec (pure: no keys; v2-link.ts adds the crypto). PROTOCOL.md "link version 2" is the
 * normative text; v2-frame.test.ts holds hex vectors.
 *
 *   byte 0   VV TT U S R I   VV version = 2 · TT type (0 data, 1 ack, 2 chain) · U unicast · S the origin is the transmitter
 *                            (no sender field) · R the recipient is the addressee (no recipient field; DM on unicast)
 *                            · I keys inline (32-byte sender / recipient instead of 2-byte hints)
 *   byte 1   from            link hint of the transmitter (first byte of its node id)
 *   byte 2   to              link hint of the addressee (unicast only)
 *   ack:     echo (2 B)      first two bytes of the acknowledged frame's hop MAC; an ACK is 5 bytes in all
 *   data:
 *   K        u8              hops (bits 7-4, 0..8, = custody entries) · bit 3 DM (body sealed to a node) ·
 *                            bit 2 lifetime given (else the 7-day default) · bits 1-0 zero
 *   sender   0 | 2 | 32 B    none (S) | key hint | full node id (I)
 *   recipient 0 | 2 | 32 B   DM only: none (R) | key hint | full node id (I)
 *   stamp    u32 BE          seconds since 2024-01-01 (runtime/bundle/stamp.ts): sentAt, and the DM nonce
 *   lifetime u16 BE          hours, only with K bit 2
 *   custody  2 B × hops      custody hints (hints.ts), oldest first
 *   body     …               broadcast: the text as is; DM: AES-256-CCM ciphertext ‖ 8-byte tag (compact-seal.ts)
 *   sender MAC 4 B           broadcast bundles only: the origin's delayed-key MAC (sender-chain.ts), end to end
 *   hop auth 4 | 6 B         unicast: hop MAC, HMAC-SHA256 over all bytes before it with the pairwise key of the two
 *                            neighbours, 4 B; link broadcast: group tag, HMAC-SHA256 with the group key, 6 B
 *
 *   chain:   byte 0 = 0xa0 anchor | 0xa1 key; byte 1 from; then
 *            anchor (121 B): the origin's signed chain anchor (sender-chain.ts encodeAnchor): 123 bytes in all
 *            key (24 B): origin key hint 2 · epoch u32 · interval u16 · K_interval 16: 26 bytes in all
 *            (no MAC: the anchor is signed with Ed25519, a key is checked by hashing it down to the anchor)
 *
 * A v1 frame has version bits 01 in byte 0, so one look at the top two bits tells the formats apart.
 */
import { MAX_HOPS } from '../../../bundle/bundle.js';
import { V2FrameDecodeError } from '../errors.js';

export const LINK_VERSION_2 = 2;
export const SENDER_MAC_BYTES = 4;
export const HOP_MAC_BYTES = 4;
export const GROUP_TAG_BYTES = 6;
/** The CCM tag of a DM body (64 bits: the floor for end-to-end forgery). */
export const DM_TAG_BYTES = 8;
export const ACK_BYTES = 5;

export type V2Party = { hint: number } | { key: Uint8Array };

export interface V2Data {
  type: 'data';
  from: number;
  /** Addressee link hint (unicast), undefined on link broadcast. */
  to?: number;
  dm: boolean;
  /** undefined: the origin is the transmitter (flag S). */
  sender?: V2Party;
  /** DM only; undefined: the recipient is the addressee (flag R). */
  recipient?: V2Party;
  stamp: number;
  /** Lifetime in hours when not the 7-day default. */
  lifetimeHours?: number;
  /** Custody hints, oldest first; their count is the hop count. */
  custody: number[];
  body: Uint8Array;
  /** Broadcast bundles: the origin's sender MAC (4 B). */
  senderMac?: Uint8Array;
  /** Hop MAC (unicast, 4 B) or group tag (link broadcast, 6 B). */
  hopAuth: Uint8Array;
}

export interface V2Ack {
  type: 'ack';
  from: number;
  to: number;
  echo: Uint8Array;
}

export interface V2Chain {
  type: 'chain';
  from: number;
  /** A signed anchor record (ANCHOR_BYTES), or a disclosed key. */
  anchor?: Uint8Array;
  key?: { senderHint: number; epoch: number; interval: number; key: Uint8Array };
}

export const CHAIN_ANCHOR_RECORD = 121;
export const CHAIN_KEY_FRAME = 26;

export type V2Frame = V2Data | V2Ack | V2Chain;

export function encodeV2Chain(c: V2Chain): Uint8Array {
  if (c.anchor) {
    if (c.anchor.length !== CHAIN_ANCHOR_RECORD) throw new RangeError('anchor record size');
    const out = new Uint8Array(2 + CHAIN_ANCHOR_RECORD);
    out[0] = 0xa0;
    out[1] = c.from;
    out.set(c.anchor, 2);
    return out;
  }
  const k = c.key;
  if (!k || k.key.length !== 16 || k.interval < 1 || k.interval > 0xffff || k.epoch < 0 || k.epoch > 0xffff_ffff) throw new RangeError('bad key disclosure');
  const out = Buffer.alloc(CHAIN_KEY_FRAME);
  out[0] = 0xa1;
  out[1] = c.from;
  out.writeUInt16BE(k.senderHint, 2);
  out.writeUInt32BE(k.epoch, 4);
  out.writeUInt16BE(k.interval, 8);
  out.set(k.key, 10);
  return new Uint8Array(out);
}

/** True when the bytes claim link version 2 (the top two bits of byte 0). */
export const isV2 = (bytes: Uint8Array): boolean => bytes.length > 0 && bytes[0]! >> 6 === LINK_VERSION_2;

const partLength = (p: V2Party | undefined): number => (p === undefined ? 0 : 'key' in p ? 32 : 2);

/** Bytes a data frame spends besides its body. */
export function v2Overhead(f: Omit<V2Data, 'body' | 'hopAuth' | 'senderMac' | 'type'>): number {
  const unicast = f.to !== undefined;
  return 1 + 1 + (unicast ? 1 : 0) + 1 + partLength(f.sender) + (f.dm ? partLength(f.recipient) : 0) + 4 + (f.lifetimeHours !== undefined ? 2 : 0) + 2 * f.custody.length +
    (f.dm ? 0 : SENDER_MAC_BYTES) + (unicast ? HOP_MAC_BYTES : GROUP_TAG_BYTES);
}

/** Length of the part the hop auth covers (everything before it). */
export const hopAuthOffset = (frameLength: number, unicast: boolean): number => frameLength - (unicast ? HOP_MAC_BYTES : GROUP_TAG_BYTES);

function checkParty(p: V2Party | undefined, inline: boolean, what: string): void {
  if (p === undefined) return;
  if ('key' in p) {
    if (!inline || p.key.length !== 32) throw new RangeError(`${what}: a full key needs 32 bytes and flag I`);
  } else if (inline || !Number.isInteger(p.hint) || p.hint < 0 || p.hint > 0xffff) throw new RangeError(`${what}: bad hint`);
}

/**
 * Encodes a data frame whose hop auth (and sender MAC) are given; v2-link.ts encodes once with zero-filled auth
 * fields, computes them over the bytes before them, and writes them in (`hopAuthOffset`).
 */
export function encodeV2Data(f: V2Data): Uint8Array {
  const unicast = f.to !== undefined;
  const inline = (f.sender !== undefined && 'key' in f.sender) || (f.recipient !== undefined && 'key' in f.recipient);
  checkParty(f.sender, inline, 'sender');
  checkParty(f.recipient, inline, 'recipient');
  if (!f.dm && f.recipient !== undefined) throw new RangeError('a broadcast has no recipient field');
  if (f.dm && f.recipient === undefined && !unicast) throw new RangeError('"recipient is the addressee" needs a unicast frame');
  if (f.custody.length > MAX_HOPS) throw new RangeError(`over ${MAX_HOPS} hops`);
  if (!Number.isInteger(f.stamp) || f.stamp < 0 || f.stamp > 0xffff_ffff) throw new RangeError('bad stamp');
  if (f.lifetimeHours !== undefined && (!Number.isInteger(f.lifetimeHours) || f.lifetimeHours < 1 || f.lifetimeHours > 0xffff)) throw new RangeError('bad lifetime');
  if (f.from < 0 || f.from > 255 || (unicast && (f.to! < 0 || f.to! > 255))) throw new RangeError('bad link hint');
  if (f.hopAuth.length !== (unicast ? HOP_MAC_BYTES : GROUP_TAG_BYTES)) throw new RangeError('bad hop auth length');
  if (f.dm ? f.senderMac !== undefined : f.senderMac?.length !== SENDER_MAC_BYTES) throw new RangeError('sender MAC on broadcasts only, 4 bytes');
  if (f.dm && f.body.length < DM_TAG_BYTES) throw new RangeError('DM body shorter than its tag');
  const out = new Uint8Array(v2Overhead(f) + f.body.length);
  out[0] = (LINK_VERSION_2 << 6) | (unicast ? 8 : 0) | (f.sender === undefined ? 4 : 0) | (f.dm && f.recipient === undefined ? 2 : 0) | (inline ? 1 : 0);
  let o = 1;
  out[o++] = f.from;
  if (unicast) out[o++] = f.to!;
  out[o++] = (f.custody.length << 4) | (f.dm ? 8 : 0) | (f.lifetimeHours !== undefined ? 4 : 0);
  for (const p of f.dm ? [f.sender, f.recipient] : [f.sender]) {
    if (p === undefined) continue;
    if ('key' in p) {
      out.set(p.key, o);
      o += 32;
    } else {
      out[o++] = p.hint >> 8;
      out[o++] = p.hint & 0xff;
    }
  }
  out[o++] = f.stamp >>> 24;
  out[o++] = (f.stamp >>> 16) & 0xff;
  out[o++] = (f.stamp >>> 8) & 0xff;
  out[o++] = f.stamp & 0xff;
  if (f.lifetimeHours !== undefined) {
    out[o++] = f.lifetimeHours >> 8;
    out[o++] = f.lifetimeHours & 0xff;
  }
  for (const c of f.custody) {
    if (!Number.isInteger(c) || c < 0 || c > 0xffff) throw new RangeError('bad custody hint');
    out[o++] = c >> 8;
    out[o++] = c & 0xff;
  }
  out.set(f.body, o);
  o += f.body.length;
  if (f.senderMac) {
    out.set(f.senderMac, o);
    o += SENDER_MAC_BYTES;
  }
  out.set(f.hopAuth, o);
  return out;
}

export function encodeV2Ack(a: V2Ack): Uint8Array {
  if (a.echo.length !== 2) throw new RangeError('an ACK echoes 2 bytes');
  return Uint8Array.of((LINK_VERSION_2 << 6) | (1 << 4) | 8, a.from & 0xff, a.to & 0xff, a.echo[0]!, a.echo[1]!);
}

/** Decodes a v2 frame; throws V2FrameDecodeError on anything malformed. Never reads past the end. */
export function decodeV2Frame(bytes: Uint8Array): V2Frame {
  const fail = (why: string): never => {
    throw new V2FrameDecodeError(why);
  };
  if (!(bytes instanceof Uint8Array)) fail('not bytes');
  if (bytes.length < 3) fail(`${bytes.length} bytes is shorter than a header`);
  const h = bytes[0]!;
  if (h >> 6 !== LINK_VERSION_2) fail(`version ${h >> 6}`);
  const type = (h >> 4) & 3;
  const unicast = (h & 8) !== 0;
  const senderIsFrom = (h & 4) !== 0;
  const recipientIsTo = (h & 2) !== 0;
  const inline = (h & 1) !== 0;
  if (type === 1) {
    if (bytes.length !== ACK_BYTES || !unicast || (h & 7) !== 0) fail('bad ack');
    return { type: 'ack', from: bytes[1]!, to: bytes[2]!, echo: bytes.slice(3, 5) };
  }
  if (type === 2) {
    if (h === 0xa0 && bytes.length === 2 + CHAIN_ANCHOR_RECORD) return { type: 'chain', from: bytes[1]!, anchor: bytes.slice(2) };
    if (h === 0xa1 && bytes.length === CHAIN_KEY_FRAME) {
      const interval = (bytes[8]! << 8) | bytes[9]!;
      if (interval === 0) fail('interval 0');
      return {
        type: 'chain', from: bytes[1]!,
        key: { senderHint: (bytes[2]! << 8) | bytes[3]!, epoch: ((bytes[4]! << 24) >>> 0) + (bytes[5]! << 16) + (bytes[6]! << 8) + bytes[7]!, interval, key: bytes.slice(10, 26) },
      };
    }
    fail('bad chain frame');
  }
  if (type !== 0) fail(`unknown type ${type}`);
  let o = 1;
  const from = bytes[o++]!;
  const to = unicast ? bytes[o++]! : undefined;
  if (o >= bytes.length) fail('truncated');
  const k = bytes[o++]!;
  if (k & 3) fail('reserved bits set');
  const withLifetime = (k & 4) !== 0;
  const hops = k >> 4;
  if (hops > MAX_HOPS) fail(`${hops} hops`);
  const dm = (k & 8) !== 0;
  if (recipientIsTo && (!dm || !unicast)) fail('"recipient is the addressee" outside a unicast DM');
  if (senderIsFrom && inline && (!dm || recipientIsTo)) fail('keys inline but no key field');
  const party = (): V2Party => {
    if (inline) {
      if (o + 32 > bytes.length) fail('truncated');
      const key = bytes.slice(o, o + 32);
      o += 32;
      return { key };
    }
    if (o + 2 > bytes.length) fail('truncated');
    const hint = (bytes[o]! << 8) | bytes[o + 1]!;
    o += 2;
    return { hint };
  };
  const sender = senderIsFrom ? undefined : party();
  const recipient = dm && !recipientIsTo ? party() : undefined;
  if (o + 4 + (withLifetime ? 2 : 0) + 2 * hops > bytes.length) fail('truncated');
  const stamp = ((bytes[o]! << 24) >>> 0) + (bytes[o + 1]! << 16) + (bytes[o + 2]! << 8) + bytes[o + 3]!;
  o += 4;
  let lifetimeHours: number | undefined;
  if (withLifetime) {
    lifetimeHours = (bytes[o]! << 8) | bytes[o + 1]!;
    o += 2;
    if (lifetimeHours === 0) fail('zero lifetime');
  }
  const custody: number[] = [];
  for (let i = 0; i < hops; i++, o += 2) custody.push((bytes[o]! << 8) | bytes[o + 1]!);
  const trailer = (dm ? 0 : SENDER_MAC_BYTES) + (unicast ? HOP_MAC_BYTES : GROUP_TAG_BYTES);
  const bodyEnd = bytes.length - trailer;
  if (bodyEnd < o + (dm ? DM_TAG_BYTES : 0)) fail('truncated');
  const f: V2Data = { type: 'data', from, dm, stamp, custody, body: bytes.slice(o, bodyEnd), hopAuth: bytes.slice(bytes.length - (unicast ? HOP_MAC_BYTES : GROUP_TAG_BYTES)) };
  if (to !== undefined) f.to = to;
  if (lifetimeHours !== undefined) f.lifetimeHours = lifetimeHours;
  if (sender) f.sender = sender;
  if (recipient) f.recipient = recipient;
  if (!dm) f.senderMac = bytes.slice(bodyEnd, bodyEnd + SENDER_MAC_BYTES);
  return f;
}
