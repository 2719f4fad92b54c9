/**
 * Short id: the 12-character name humans read for a node (logs, status, custody chains).
 * 12 base32 characters (RFC 4648 alphabet, lowercase, no padding) over SHA-256 of the 32-byte node id: 60 bits,
 * so accidental collisions need ~2^30 nodes; custody-chain loop checks compare these.
 */
import { createHash } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
export const SHORT_ID_LENGTH = 12;
const SHORT_ID_RE = /^[a-z2-7]{12}$/;

export function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (let i = 0; i < bytes.length && out.length < chars; i++) {
    value = (value << 8) | bytes[i]!;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0 && out.length < chars) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function shortId(nodeId: Uint8Array): string {
  return base32(createHash('sha256').update(nodeId).digest(), SHORT_ID_LENGTH);
}

export function isShortId(s: unknown): s is string {
  return typeof s === 'string' && SHORT_ID_RE.test(s);
}
