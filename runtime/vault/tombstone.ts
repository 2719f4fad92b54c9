/**
 * Tombstones, as both the expiry sweep (expiry-sweep.ts) and eviction under the byte budget (vault-evict.ts) make
 * them: the body goes (the space, and the text with it), the header stays in `expired` for `lattice trace` and, with
 * the outbox row, keeps the id known so a late copy is still a duplicate. The `expiry` index then holds the
 * tombstone's own entry, due when the retention after the bundle's expiry is over (the sweep purges it then).
 */
import { decodeBundle, encodeBundle } from '../bundle/bundle-codec.js';
import { decodeBundleRow, encodeBundleRow, type BundleRow } from './bundle-row.js';
import { nodeIdKey, timeIdKey } from './vault-keys.js';
import type { StepTables } from './vault-tables.js';

/** Value of an `expiry` entry: the bundle is live (it expires then) or a tombstone (it is purged then). */
export const PHASE_LIVE = 0;
export const PHASE_TOMB = 1;

/** The tombstone of a stored row: its header fields, the bundle without its body. */
export function tombstoneOf(row: BundleRow): { bytes: Buffer; recipient?: Uint8Array } {
  try {
    const b = decodeBundle(row.bytes);
    return { bytes: encodeBundleRow({ ...row, bytes: encodeBundle({ ...b, body: new Uint8Array(0) }) }), ...(b.recipient instanceof Uint8Array ? { recipient: b.recipient } : {}) };
  } catch {
    // An unreadable stored bundle still becomes a tombstone; it just has no header to show.
    return { bytes: encodeBundleRow({ ...row, bytes: new Uint8Array(0) }) };
  }
}

/**
 * Makes the stored bundle `row` a tombstone: removes its body, its inbox and awaiting rows, writes the tombstone and
 * its purge entry. The caller removes the index entry it came by (the live `expiry` or the `evictable` one) and
 * counts the writes. Returns the tombstone.
 */
export function entomb(t: StepTables, id: Uint8Array, row: BundleRow, retentionMs: number): { bytes: Buffer; recipient?: Uint8Array } {
  const idKey = Buffer.from(id);
  const tomb = tombstoneOf(row);
  t.bundles.remove(idKey);
  t.expired.put(idKey, tomb.bytes);
  t.expiry.put(timeIdKey(row.expiresAt + retentionMs, id), Buffer.of(PHASE_TOMB));
  if (row.inbox) t.inbox.remove(timeIdKey(row.receivedAt, id));
  if (tomb.recipient) t.awaiting.remove(nodeIdKey(tomb.recipient, id));
  return tomb;
}

/** Removes a purged tombstone's entry in the `sent` index (bundles created here), if it had one. */
export function unlistSent(t: StepTables, id: Uint8Array, tomb: Uint8Array | undefined): number {
  if (!tomb) return 0;
  let row: BundleRow;
  try {
    row = decodeBundleRow(tomb, 'expired');
  } catch {
    return 0; // no receivedAt to find the entry by; an unreadable row was never listed by a readable one
  }
  if (!row.created) return 0;
  t.sent.remove(timeIdKey(row.receivedAt, id));
  return 1;
}
