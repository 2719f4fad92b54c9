/**
 * Compact on-air bundle: the same fields as runtime/bundle/bundle-codec.ts (CBOR), packed for LoRa.
 *
 *   flags u8   bit0 sealed · bits1-2 recipient (0 broadcast, 1 node id inline, 2 foreign address, 3 = the link
 *              addressee) · bit3 origin · bit4 origin name · bit5 lifetime is the 7-day default (omitted) ·
 *              bit6 sender is the link transmitter (omitted)
 *   sender     32 bytes, unless bit6: the receiver needs it to verify the signature and may never have met the
 *              sender. It is left out only on unicast when the sender itself transmits and the addressee's advert
 *              listed the sender's prefix (so it holds the full key); retries always carry it (lora-bearer.ts)
 *   recipient  32 bytes | varint length + UTF-8 | nothing (broadcast, or "you": the unicast addressee's own id)
 *   sentAt     varint ms (6 bytes today; CBOR spends 9)
 *   lifetime   varint ms, unless default
 *   origin     varint length + UTF-8 id [· varint length + UTF-8 name]
 *   hops u8    hops (high nibble) · custody count (low nibble), both ≤ MAX_HOPS = 8
 *   custody    8 bytes per entry: the 12 base32 characters of a short id are 60 bits (CBOR spends 13 bytes)
 *   signature  64 bytes
 *   body       the rest of the frame (no length needed)
 *
 * End to end: decodeCompactBundle returns a Bundle equal field by field to the one encoded, so re-encoding it with
 * encodeBundle gives the exact original bytes (signature and bundle id verify). The sender checks that round trip
 * before choosing this encoding and falls back to carrying the wire bytes as they are (see lora-bearer.ts).
 * "Recipient = addressee" is safe because only the addressee takes a unicast frame and it knows its own id.
 */
import { DEFAULT_LIFETIME_MS, MAX_BODY_BYTES, MAX_HOPS, type Bundle } from '../../bundle/bundle.js';
import { MAX_ADDRESS_BYTES } from '../../bundle/bundle-codec.js';
import { CompactBundleDecodeError } from './errors.js';
import { readVarint, varintLength, writeVarint } from './varint.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const SHORT_ID = /^[a-z2-7]{12}$/;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface CompactContext {
  /** Encoder: leave the sender out (it is the link transmitter and the addressee knows its key). Decoder: the full
   * node id of the link transmitter when known (needed for frames with bit6). */
  transmitter?: Uint8Array;
  omitSender?: boolean;
  /** The full node id of the unicast next hop (sender side) / of this relay (receiver side of a unicast frame). */
  addressee?: Uint8Array;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function packShortId(id: string, out: Uint8Array, o: number): void {
  // 12 × 5 bits = 60 bits, big-endian in 8 bytes with 4 leading zero bits.
  let hi = 0; // top 30 bits
  let lo = 0; // low 30 bits
  for (let i = 0; i < 6; i++) hi = hi * 32 + BASE32.indexOf(id[i]!);
  for (let i = 6; i < 12; i++) lo = lo * 32 + BASE32.indexOf(id[i]!);
  const v = BigInt(hi) * 2n ** 30n + BigInt(lo);
  for (let i = 7; i >= 0; i--) out[o + i] = Number((v >> BigInt(8 * (7 - i))) & 0xffn);
}

function unpackShortId(bytes: Uint8Array, o: number): string | undefined {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(bytes[o + i]!);
  if (v >> 60n !== 0n) return undefined;
  let s = '';
  for (let i = 11; i >= 0; i--) s = BASE32[Number((v >> BigInt(5 * (11 - i))) & 31n)]! + s;
  return s;
}

/** Encodes; throws RangeError when a field does not fit this format (the caller then sends the wire bytes). */
export function encodeCompactBundle(b: Bundle, ctx: CompactContext = {}): Uint8Array {
  if (b.sender.length !== 32 || b.signature.length !== 64) throw new RangeError('sender/signature size');
  if (b.compactSeal) throw new RangeError('a compact seal is carried by v2 frames or as wire bytes');
  if (b.hops > MAX_HOPS || b.custody.length > MAX_HOPS || b.hops > 15) throw new RangeError('too many hops');
  for (const c of b.custody) if (!SHORT_ID.test(c)) throw new RangeError(`custody entry ${c} is not a short id`);
  let recipientKind: number;
  let recipientBytes: Uint8Array | undefined;
  if (b.recipient === null) recipientKind = 0;
  else if (typeof b.recipient === 'string') {
    recipientKind = 2;
    recipientBytes = utf8.encode(b.recipient);
  } else if (b.recipient.length !== 32) throw new RangeError('recipient node id size');
  else if (ctx.addressee && equalBytes(b.recipient, ctx.addressee)) recipientKind = 3;
  else {
    recipientKind = 1;
    recipientBytes = b.recipient;
  }
  const defaultLifetime = b.lifetime === DEFAULT_LIFETIME_MS;
  const originId = b.origin ? utf8.encode(b.origin.id) : undefined;
  const originName = b.origin?.name !== undefined ? utf8.encode(b.origin.name) : undefined;
  const omitSender = ctx.omitSender === true && ctx.transmitter !== undefined && equalBytes(b.sender, ctx.transmitter);
  let size = 1 + (omitSender ? 0 : 32) + varintLength(b.sentAt) + 1 + 8 * b.custody.length + 64 + b.body.length;
  if (recipientKind === 1) size += 32;
  if (recipientKind === 2) size += varintLength(recipientBytes!.length) + recipientBytes!.length;
  if (!defaultLifetime) size += varintLength(b.lifetime);
  if (originId) size += varintLength(originId.length) + originId.length;
  if (originName) size += varintLength(originName.length) + originName.length;
  const out = new Uint8Array(size);
  out[0] = (b.sealed ? 1 : 0) | (recipientKind << 1) | (originId ? 8 : 0) | (originName ? 16 : 0) | (defaultLifetime ? 32 : 0) | (omitSender ? 64 : 0);
  let o = 1;
  if (!omitSender) {
    out.set(b.sender, 1);
    o = 33;
  }
  if (recipientKind === 1) {
    out.set(recipientBytes!, o);
    o += 32;
  } else if (recipientKind === 2) {
    o = writeVarint(out, o, recipientBytes!.length);
    out.set(recipientBytes!, o);
    o += recipientBytes!.length;
  }
  o = writeVarint(out, o, b.sentAt);
  if (!defaultLifetime) o = writeVarint(out, o, b.lifetime);
  for (const part of [originId, originName]) {
    if (!part) continue;
    o = writeVarint(out, o, part.length);
    out.set(part, o);
    o += part.length;
  }
  out[o++] = (b.hops << 4) | b.custody.length;
  for (const c of b.custody) {
    packShortId(c, out, o);
    o += 8;
  }
  out.set(b.signature, o);
  o += 64;
  out.set(b.body, o);
  return out;
}

export function decodeCompactBundle(bytes: Uint8Array, ctx: CompactContext = {}): Bundle {
  const fail = (why: string): never => {
    throw new CompactBundleDecodeError(why);
  };
  if (bytes.length < 1 + 1 + 1 + 64) fail(`${bytes.length} bytes is too short`);
  const flags = bytes[0]!;
  if (flags & 0x80) fail('reserved flag bit 0x80');
  const senderOmitted = (flags & 64) !== 0;
  if (!senderOmitted && bytes.length < 1 + 32 + 1 + 1 + 64) fail(`${bytes.length} bytes is too short`);
  if (senderOmitted && !ctx.transmitter) fail('sender is "the transmitter" but the transmitter is unknown');
  const sender = senderOmitted ? new Uint8Array(ctx.transmitter!) : bytes.slice(1, 33);
  const recipientKind = (flags >> 1) & 3;
  let o = senderOmitted ? 1 : 33;
  const need = (n: number) => {
    if (o + n > bytes.length) fail('truncated');
  };
  const varint = (what: string): number => {
    const r = readVarint(bytes, o) ?? fail(`bad ${what}`);
    o = r[1];
    return r[0];
  };
  // Within bundle-codec.ts's limits, so that a bundle decoded here is one its decoder would take from the rebuilt
  // wire bytes (the bearer hands the router this decoded bundle, which then skips decoding them).
  const text = (what: string, min = 0): string => {
    const len = varint(`${what} length`);
    if (len < min || len > MAX_ADDRESS_BYTES) fail(`${what} of ${len} bytes`);
    need(len);
    let s: string;
    try {
      s = fromUtf8.decode(bytes.subarray(o, o + len));
    } catch {
      return fail(`${what} is not UTF-8`);
    }
    o += len;
    return s;
  };
  let recipient: Bundle['recipient'] = null;
  if (recipientKind === 1) {
    need(32);
    recipient = bytes.slice(o, o + 32);
    o += 32;
  } else if (recipientKind === 2) recipient = text('recipient', 1);
  else if (recipientKind === 3) recipient = ctx.addressee ? new Uint8Array(ctx.addressee) : fail('recipient is "the addressee" on a frame without one');
  const sentAt = varint('sentAt');
  const lifetime = flags & 32 ? DEFAULT_LIFETIME_MS : varint('lifetime');
  let origin: Bundle['origin'];
  if (flags & 8) {
    const id = text('origin id');
    origin = flags & 16 ? { id, name: text('origin name') } : { id };
  } else if (flags & 16) fail('origin name without origin');
  need(1);
  const hops = bytes[o]! >> 4;
  const count = bytes[o]! & 0x0f;
  o++;
  if (hops > MAX_HOPS || count > MAX_HOPS) fail('too many hops');
  const custody: string[] = [];
  for (let i = 0; i < count; i++) {
    need(8);
    custody.push(unpackShortId(bytes, o) ?? fail('bad custody entry'));
    o += 8;
  }
  need(64);
  const signature = bytes.slice(o, o + 64);
  o += 64;
  if (bytes.length - o > MAX_BODY_BYTES) fail(`body over ${MAX_BODY_BYTES} bytes`);
  const b: Bundle = {
    sender,
    recipient,
    sentAt,
    lifetime,
    body: bytes.slice(o),
    sealed: (flags & 1) === 1,
    hops,
    custody,
    signature,
  };
  if (origin) b.origin = origin;
  return b;
}
