/**
 * What the sender signs: a domain tag, the bundle id (which already covers sender, recipient, sent-at, body), and
 * the other immutable fields. Hops and custody are appended by relays and cannot be signed by the sender.
 *
 *   "lattice/bundle/v1" | id (32) | lifetime u64be | flags u8 (bit0 sealed, bit1 origin, bit2 compact seal) |
 *   origin: u8 len + id | u8 len + name
 */
import type { Bundle } from './bundle.js';
import { bundleIdOf } from './bundle-id.js';

const DOMAIN = Buffer.from('lattice/bundle/v1', 'ascii');

export function signingBytes(b: Omit<Bundle, 'signature' | 'hops' | 'custody'>, id = bundleIdOf(b)): Uint8Array {
  const originId = Buffer.from(b.origin?.id ?? '', 'utf8').subarray(0, 255);
  const originName = Buffer.from(b.origin?.name ?? '', 'utf8').subarray(0, 255);
  const out = Buffer.allocUnsafe(DOMAIN.length + 32 + 8 + 1 + 2 + originId.length + originName.length);
  let o = DOMAIN.copy(out, 0);
  out.set(id, o);
  o += 32;
  out.writeBigUInt64BE(BigInt(b.lifetime), o);
  o += 8;
  out[o++] = (b.sealed ? 1 : 0) | (b.origin ? 2 : 0) | (b.compactSeal ? 4 : 0);
  out[o++] = originId.length;
  o += originId.copy(out, o);
  out[o++] = originName.length;
  originName.copy(out, o);
  return out;
}
