/**
 * The bundle id (and the loop check) straight from the encoded bytes, without decoding the bundle: the duplicate
 * check runs first on every copy a flood brings, so it reads the fields in place and hashes the four id fields
 * (sender, recipient, sent-at, body) as bundle-id.ts does, allocating nothing but the digest.
 *
 * It checks the whole bundle by decodeBundle's rules (bundle-codec.ts: CBOR array of 11, version 1, sizes, hop
 * cap, custody short ids, nothing after the array), so whenever it answers, the full decoder would have accepted the
 * bytes with the same id, and the router's verdicts (malformed, loop, duplicate) stay what they were. It answers only
 * for the common form: definite lengths, a null or 32-byte recipient, sent-at and lifetime as unsigned integers or
 * integral floats (cbor-x writes numbers above 2^32 as float64), ASCII or short origin strings. Anything else gives
 * undefined and the caller decodes in full.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { MAX_ADDRESS_BYTES, MAX_BUNDLE_BYTES } from './bundle-codec.js';
import { MAX_BODY_BYTES, MAX_HOPS } from './bundle.js';

const TAG_BROADCAST = Uint8Array.of(0);
const TAG_NODE = Uint8Array.of(1);
const ts = Buffer.alloc(8);
/** One-shot crypto.hash (Node >= 20.12) skips the Hash object: ~0.3 µs of the ~5 µs a duplicate costs. */
const oneShot = (nodeCrypto as unknown as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Buffer }).hash;
const SMALL = 1024;
const scratch = Buffer.alloc(32 + 33 + 8 + SMALL);
const f64 = new DataView(new ArrayBuffer(8));

interface Cursor {
  at: number;
}

/** Length / value argument of a CBOR head of major type `major`; undefined when it is not one. */
function head(bytes: Uint8Array, c: Cursor, major: number): number | undefined {
  if (c.at >= bytes.length) return undefined;
  const ib = bytes[c.at]!;
  if (ib >> 5 !== major) return undefined;
  const ai = ib & 0x1f;
  c.at++;
  if (ai < 24) return ai;
  const n = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : 0;
  if (n === 0 || c.at + n > bytes.length) return undefined;
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + bytes[c.at + i]!;
  c.at += n;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** A non-negative safe integer written as a CBOR uint or an integral float32/float64. */
function uintOrIntegralFloat(bytes: Uint8Array, c: Cursor): number | undefined {
  const ib = bytes[c.at];
  if (ib === 0xfb || ib === 0xfa) {
    const n = ib === 0xfb ? 8 : 4;
    if (c.at + 1 + n > bytes.length) return undefined;
    for (let i = 0; i < n; i++) f64.setUint8(i, bytes[c.at + 1 + i]!);
    const v = n === 8 ? f64.getFloat64(0) : f64.getFloat32(0);
    c.at += 1 + n;
    return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  }
  return head(bytes, c, 0);
}

function bstr(bytes: Uint8Array, c: Cursor): Uint8Array | undefined {
  const len = head(bytes, c, 2);
  if (len === undefined || c.at + len > bytes.length) return undefined;
  const out = bytes.subarray(c.at, c.at + len);
  c.at += len;
  return out;
}

/** A text string whose decoded UTF-8 length is sure to be within `max` bytes (non-ASCII only when 3x fits). */
function shortTstr(bytes: Uint8Array, c: Cursor, max: number): Uint8Array | undefined {
  const len = head(bytes, c, 3);
  if (len === undefined || c.at + len > bytes.length || len > max) return undefined;
  const out = bytes.subarray(c.at, c.at + len);
  c.at += len;
  // Invalid UTF-8 decodes to U+FFFD (3 bytes each): only then could the decoder's byte length exceed the raw one.
  if (len * 3 > max) for (let i = 0; i < len; i++) if (out[i]! >= 0x80) return undefined;
  return out;
}

/** [a-z2-7]{12}: isShortId (identity/short-id.ts) on the raw bytes. */
function isShortIdBytes(b: Uint8Array): boolean {
  if (b.length !== 12) return false;
  for (let i = 0; i < 12; i++) {
    const x = b[i]!;
    if (!((x >= 0x61 && x <= 0x7a) || (x >= 0x32 && x <= 0x37))) return false;
  }
  return true;
}

export interface PeekedBundle {
  id: Uint8Array;
  /** `self` (a short id) is in the custody chain. */
  loop: boolean;
}

/** The id of a well-formed bundle in its common form, and whether `self` already took custody of it. */
export function peekBundle(bytes: Uint8Array, self: string): PeekedBundle | undefined {
  if (bytes.length > MAX_BUNDLE_BYTES || bytes.length < 40 || bytes[0] !== 0x8b || bytes[1] !== 0x01) return undefined;
  const c: Cursor = { at: 2 };
  const sender = bstr(bytes, c);
  if (!sender || sender.length !== 32) return undefined;
  let recipient: Uint8Array | undefined;
  if (bytes[c.at] === 0xf6) c.at++;
  else {
    recipient = bstr(bytes, c);
    if (!recipient || recipient.length !== 32) return undefined;
  }
  const sentAt = uintOrIntegralFloat(bytes, c);
  if (sentAt === undefined) return undefined;
  if (uintOrIntegralFloat(bytes, c) === undefined) return undefined; // lifetime
  const flags = head(bytes, c, 0);
  if (flags !== 0 && flags !== 1) return undefined;
  const body = bstr(bytes, c);
  if (!body || body.length > MAX_BODY_BYTES) return undefined;
  if (bytes[c.at] === 0xf6) c.at++;
  else {
    const n = head(bytes, c, 4);
    if (n !== 1 && n !== 2) return undefined;
    for (let i = 0; i < n; i++) if (!shortTstr(bytes, c, MAX_ADDRESS_BYTES)) return undefined;
  }
  const hops = head(bytes, c, 0);
  if (hops === undefined || hops > MAX_HOPS) return undefined;
  const links = head(bytes, c, 4);
  if (links === undefined || links > MAX_HOPS) return undefined;
  let loop = false;
  for (let i = 0; i < links; i++) {
    const sid = shortTstr(bytes, c, 12);
    if (!sid || !isShortIdBytes(sid)) return undefined;
    if (!loop && Buffer.from(sid.buffer, sid.byteOffset, 12).toString('latin1') === self) loop = true;
  }
  const signature = bstr(bytes, c);
  if (!signature || signature.length !== 64 || c.at !== bytes.length) return undefined;
  ts.writeBigUInt64BE(BigInt(sentAt));
  if (oneShot && body.length <= SMALL) {
    scratch.set(sender, 0);
    let o = 32;
    if (recipient) {
      scratch[o++] = 1;
      scratch.set(recipient, o);
      o += 32;
    } else scratch[o++] = 0;
    scratch.set(ts, o);
    scratch.set(body, o + 8);
    return { id: new Uint8Array(oneShot('sha256', scratch.subarray(0, o + 8 + body.length), 'buffer')), loop };
  }
  const h = createHash('sha256').update(sender);
  if (recipient) h.update(TAG_NODE).update(recipient);
  else h.update(TAG_BROADCAST);
  return { id: new Uint8Array(h.update(ts).update(body).digest()), loop };
}
