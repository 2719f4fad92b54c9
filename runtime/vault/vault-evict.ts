/**
 * Eviction under the vault's byte budget (`vault.maxBytes`), one bounded step per write cycle, in this order:
 *
 *   1. delivered: bundles with no custody duty left here (every outbox target delivered, or nothing to forward:
 *      for this node's inbox, or at the hop limit), oldest received first, from the `evictable` index
 *      (u64be receivedAt | id). They become tombstones, like expiry makes: the body goes, the header stays for
 *      `lattice trace` and, with the outbox row, keeps the id known so a late flood echo is still a duplicate.
 *   2. expired: tombstones (of expiry or of step 1) are purged with their outbox row and trace, in id order from where
 *      the last step stopped (round robin: which ones go first does not matter, they are all done with).
 *
 * Bundles still queued or accepted (awaiting a delivery bloom) are never evicted: when only they are left the vault
 * refuses new bundles instead (vault-budget.ts). What a step frees is estimated from row sizes to know when to stop;
 * the real figure is LMDB's pages in use, measured after the commit.
 */
import { decodeBundleRow, type BundleRow } from './bundle-row.js';
import { isOutboxRow, overallState, type OutboxRow } from './outbox.js';
import { entomb, unlistSent } from './tombstone.js';
import { ID_BYTES, prefixEnd, timeIdKey } from './vault-keys.js';
import type { StepTables } from './vault-tables.js';

export interface EvictContext {
  tables: StepTables;
  now: number;
  /** How long a tombstone is kept after its bundle's own expiry (the sweep purges it then). */
  retentionMs: number;
  /** Time of a stored row's live expiry entry (its own expiry, or earlier under `vault.lifetimeDays`). */
  keepUntil(row: BundleRow): number;
  /** A bundle's outbox row as the vault sees it (its in-memory changes first). */
  outbox(id: Uint8Array): OutboxRow | undefined;
  /** Forgets the in-memory changes of an outbox row being purged. */
  forget(id: Uint8Array): void;
}

export interface EvictResult {
  /** LMDB puts and removes issued (the write cycle's transaction sizing). */
  puts: number;
  /** Estimated bytes freed. */
  freed: number;
  delivered: number;
  expired: number;
  /** Where the next step's tombstone purge resumes. */
  cursor: Buffer | undefined;
}

/** B-tree and index overhead per row, on top of the row's own bytes (a rough figure; only for stopping a step). */
const ROW_OVERHEAD = 64;

const busy = (row: OutboxRow | undefined): boolean => {
  if (!row) return false;
  const s = overallState(row);
  return s === 'queued' || s === 'accepted';
};

/**
 * One step: frees about `want` bytes, touching at most `maxItems` rows per stage. `cursor` is where the last step's
 * tombstone purge stopped.
 */
export function evictStep(ctx: EvictContext, want: number, maxItems: number, cursor: Buffer | undefined): EvictResult {
  const t = ctx.tables;
  const out: EvictResult = { puts: 0, freed: 0, delivered: 0, expired: 0, cursor };
  for (const { key } of t.evictable.getRange({ limit: maxItems })) {
    if (out.freed >= want) break;
    t.evictable.remove(key);
    out.puts++;
    const id = new Uint8Array(key.subarray(8, 8 + ID_BYTES));
    const idKey = Buffer.from(id);
    const raw = t.bundles.getBinary(idKey);
    // Already a tombstone (expired meanwhile), or a target went back to queued: not this stage's to take.
    if (!raw || busy(ctx.outbox(id))) continue;
    let row: BundleRow;
    try {
      row = decodeBundleRow(raw);
    } catch {
      continue; // unreadable: the expiry sweep deals with it
    }
    t.expiry.remove(timeIdKey(ctx.keepUntil(row), id));
    const tomb = entomb(t, id, row, ctx.retentionMs);
    out.puts += 6;
    out.freed += raw.length - tomb.bytes.length;
    out.delivered++;
    // No trace row for it: eviction must not write much (lattice_vault_evictions_total counts it).
  }
  if (out.freed >= want) return out;
  // Tombstones after the cursor, then (wrapping round) those before it; reads see the last commit, so the second
  // range ends at the cursor rather than meet this step's own removals.
  const ranges = cursor ? [{ start: cursor, exclusiveStart: true }, { end: cursor }] : [{}];
  let left = maxItems;
  for (const range of ranges) {
    for (const { key, value } of t.expired.getRange({ ...range, limit: left })) {
      left--;
      out.cursor = Buffer.from(key);
      out.puts += purgeTombstone(ctx, new Uint8Array(key), key, value);
      out.freed += value.length + ROW_OVERHEAD;
      out.expired++;
      if (out.freed >= want) return out;
    }
    if (left <= 0) break;
  }
  return out;
}

function purgeTombstone(ctx: EvictContext, id: Uint8Array, key: Buffer, value: Buffer): number {
  const t = ctx.tables;
  let puts = 1;
  t.expired.remove(key);
  try {
    const row = decodeBundleRow(value, 'expired');
    t.expiry.remove(timeIdKey(row.expiresAt + ctx.retentionMs, id));
    puts++;
    puts += unlistSent(t, id, value);
  } catch {
    // No expiry time to find its entry by: the sweep meets it later and finds nothing to do.
  }
  // The index holds the state last written to LMDB, which the in-memory row may have moved past (and may have
  // been put in this cycle's transaction already, which reads do not see): remove both, as the expiry sweep does.
  const written = t.outbox.get(key);
  const current = ctx.outbox(id);
  if (isOutboxRow(written)) {
    t.st[overallState(written)].remove(key);
    t.outbox.remove(key);
    puts += 2;
  }
  if (isOutboxRow(current) && current !== written) {
    t.st[overallState(current)].remove(key);
    puts++;
  }
  ctx.forget(id);
  for (const k of t.trace.getKeys({ start: key, end: prefixEnd(key) })) {
    t.trace.remove(k);
    puts++;
  }
  return puts;
}
