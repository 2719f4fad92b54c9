/**
 * LoRa link frame: the bytes of one LoRa packet (≤ 255, SX126x FIFO / MAX_LORA_PAYLOAD_LEN).
 *
 *   byte 0   bits 7-6 version (1) · bits 5-4 type (0 data, 1 advert, 2 ack) · bit 3 unicast · bit 2 fragment ·
 *            bits 1-0 payload encoding (0 Lattice wire frame as is, 1 compact bundle)
 *   1..4     from: first 4 bytes of the sender relay's node id (its Ed25519 public key)
 *   5..8     to: first 4 bytes of the next hop's node id (unicast only)
 *   +0       unicast data or fragment: message number (u8, per sender; the link ACK names it, fragments share it)
 *   +1       fragment only: index (high nibble) · count − 1 (low nibble); at most 16 fragments
 *   rest     payload (data: wire frame, compact bundle or a fragment of either; advert: the 32-byte node id, then
 *            the 4-byte prefixes of up to 16 neighbours it hears (so they know it holds their full keys);
 *            ack: the message number of the unicast payload it acknowledges — always unicast, 10 bytes in all)
 * So a broadcast frame spends 5 bytes of header, a unicast frame 10, and a fragment one more.
 *
 * Why 4-byte prefixes are safe here: they only address the link (who may take the frame, whom we heard). The bundle
 * inside still carries the full 32-byte sender key its signature needs. A prefix collision between two neighbours
 * (2^-32 per pair) makes a relay take a frame meant for the other; the router drops duplicates by bundle id.
 * Adverts are not signed: they only make `canReach` say yes; every bundle is verified by the router anyway.
 */
import { LinkFrameDecodeError } from './errors.js';

export const LINK_VERSION = 1;
export const MAX_LORA_FRAME = 255;
export const MAX_FRAGMENTS = 16;
export const PREFIX_BYTES = 4;
/** Most neighbour prefixes one advert lists. */
export const MAX_ADVERT_NEIGHBOURS = 16;

export type LinkFrameType = 'data' | 'advert' | 'ack';
export type PayloadEncoding = 'wire' | 'compact';

export interface LinkFrame {
  type: LinkFrameType;
  from: Uint8Array;
  /** Next hop prefix for unicast, undefined for broadcast. */
  to?: Uint8Array;
  encoding: PayloadEncoding;
  /** Present on unicast data frames and on every fragment. */
  message?: number;
  fragment?: { index: number; count: number };
  payload: Uint8Array;
}

const TYPE_CODE: Record<LinkFrameType, number> = { data: 0, advert: 1, ack: 2 };
const CODE_TYPE: ReadonlyArray<LinkFrameType | undefined> = ['data', 'advert', 'ack', undefined];
const ENCODING_CODE: Record<PayloadEncoding, number> = { wire: 0, compact: 1 };

/** Header bytes of a data frame. */
export function linkHeaderLength(unicast: boolean, fragment: boolean): number {
  return 1 + PREFIX_BYTES + (unicast ? PREFIX_BYTES : 0) + (unicast || fragment ? 1 : 0) + (fragment ? 1 : 0);
}

const hasMessage = (type: LinkFrameType, unicast: boolean, fragment: boolean) => type === 'data' && (unicast || fragment);

export function encodeLinkFrame(f: LinkFrame): Uint8Array {
  const unicast = f.to !== undefined;
  const withMessage = hasMessage(f.type, unicast, f.fragment !== undefined);
  if (withMessage && f.message === undefined) throw new RangeError('unicast data and fragments need a message number');
  const header = 1 + PREFIX_BYTES + (unicast ? PREFIX_BYTES : 0) + (withMessage ? 1 : 0) + (f.fragment ? 1 : 0);
  const out = new Uint8Array(header + f.payload.length);
  if (out.length > MAX_LORA_FRAME) throw new RangeError(`link frame of ${out.length} bytes exceeds ${MAX_LORA_FRAME}`);
  if (f.from.length !== PREFIX_BYTES || (f.to && f.to.length !== PREFIX_BYTES)) throw new RangeError('prefixes are 4 bytes');
  out[0] = (LINK_VERSION << 6) | (TYPE_CODE[f.type] << 4) | (f.to ? 0x08 : 0) | (f.fragment ? 0x04 : 0) | ENCODING_CODE[f.encoding];
  out.set(f.from, 1);
  let o = 1 + PREFIX_BYTES;
  if (f.to) {
    out.set(f.to, o);
    o += PREFIX_BYTES;
  }
  if (withMessage) out[o++] = f.message! & 0xff;
  if (f.fragment) {
    const { index, count } = f.fragment;
    if (count < 2 || count > MAX_FRAGMENTS || index < 0 || index >= count) throw new RangeError(`bad fragment ${index}/${count}`);
    out[o++] = (index << 4) | (count - 1);
  }
  out.set(f.payload, o);
  return out;
}

export function decodeLinkFrame(bytes: Uint8Array): LinkFrame {
  if (bytes.length < 1 + PREFIX_BYTES) throw new LinkFrameDecodeError(`${bytes.length} bytes is shorter than a header`);
  const h = bytes[0]!;
  if (h >> 6 !== LINK_VERSION) throw new LinkFrameDecodeError(`version ${h >> 6}`);
  const typeCode = (h >> 4) & 3;
  const type = CODE_TYPE[typeCode];
  if (!type) throw new LinkFrameDecodeError(`unknown type ${typeCode}`);
  const encCode = h & 3;
  const encoding: PayloadEncoding | undefined = encCode === 0 ? 'wire' : encCode === 1 ? 'compact' : undefined;
  if (!encoding) throw new LinkFrameDecodeError(`unknown payload encoding ${encCode}`);
  const unicast = (h & 0x08) !== 0;
  const fragmented = (h & 0x04) !== 0;
  const withMessage = hasMessage(type, unicast, fragmented);
  const header = 1 + PREFIX_BYTES + (unicast ? PREFIX_BYTES : 0) + (withMessage ? 1 : 0) + (fragmented ? 1 : 0);
  if (bytes.length <= header) throw new LinkFrameDecodeError(`no payload after a ${header}-byte header`);
  const frame: LinkFrame = { type, from: bytes.slice(1, 1 + PREFIX_BYTES), encoding, payload: bytes.slice(header) };
  let o = 1 + PREFIX_BYTES;
  if (unicast) {
    frame.to = bytes.slice(o, o + PREFIX_BYTES);
    o += PREFIX_BYTES;
  }
  if (withMessage) frame.message = bytes[o++]!;
  if (fragmented) {
    const index = bytes[o]! >> 4;
    const count = (bytes[o]! & 0x0f) + 1;
    if (index >= count) throw new LinkFrameDecodeError(`fragment index ${index} of ${count}`);
    if (count < 2) throw new LinkFrameDecodeError('a fragmented frame of one fragment');
    frame.fragment = { index, count };
  }
  if (type !== 'data' && fragmented) throw new LinkFrameDecodeError(`fragmented ${type}`);
  if (type === 'advert') {
    const extra = frame.payload.length - 32;
    if (unicast || extra < 0 || extra % PREFIX_BYTES !== 0 || extra / PREFIX_BYTES > MAX_ADVERT_NEIGHBOURS) throw new LinkFrameDecodeError('bad advert');
  }
  if (type === 'ack' && (frame.payload.length !== 1 || !unicast)) throw new LinkFrameDecodeError('bad ack');
  return frame;
}

export function samePrefix(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < PREFIX_BYTES; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function prefixKey(p: Uint8Array): string {
  return Buffer.from(p.buffer, p.byteOffset, PREFIX_BYTES).toString('hex');
}
