/**
 * Bundle id = SHA-256 over (sender, recipient, sent-at, body), computed identically by sender, relays and receiver:
 *
 *   sender (32 bytes)
 *   recipient tag: 0x00 broadcast | 0x01 + 32-byte node id | 0x02 + u16be length + UTF-8 foreign address
 *   sent-at: u64 big-endian milliseconds since the Unix epoch
 *   body: the bytes as carried (ciphertext for sealed bodies), to the end
 *
 * The tags and the length prefix make the concatenation unambiguous; hops and custody are excluded because relays
 * change them, so every copy of a bundle has the same id whatever path it took.
 */
import { createHash } from 'node:crypto';
import type { Bundle, Recipient } from './bundle.js';

export function recipientBytes(recipient: Recipient): Uint8Array {
  if (recipient === null) return Uint8Array.of(0);
  if (typeof recipient === 'string') {
    const s = Buffer.from(recipient, 'utf8');
    const out = new Uint8Array(3 + s.length);
    out[0] = 2;
    out[1] = s.length >>> 8;
    out[2] = s.length & 0xff;
    out.set(s, 3);
    return out;
  }
  const out = new Uint8Array(33);
  out[0] = 1;
  out.set(recipient, 1);
  return out;
}

export function bundleIdOf(fields: Pick<Bundle, 'sender' | 'recipient' | 'sentAt' | 'body'>): Uint8Array {
  const ts = Buffer.allocUnsafe(8);
  ts.writeBigUInt64BE(BigInt(fields.sentAt));
  return new Uint8Array(
    createHash('sha256').update(fields.sender).update(recipientBytes(fields.recipient)).update(ts).update(fields.body).digest(),
  );
}

export function bundleId(bundle: Bundle): Uint8Array {
  return bundleIdOf(bundle);
}

export function bundleIdHex(bundle: Bundle): string {
  return Buffer.from(bundleIdOf(bundle)).toString('hex');
}

export function isBundleIdHex(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
}
