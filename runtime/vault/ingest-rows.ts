/**
 * The rows a new bundle gets, written inside the put-if-absent of its `bundles` row (vault-writer.ts): the row itself
 * (bundle-row.ts), its expiry entry, the inbox, sent and evictable indexes when they apply, its outbox row and state index
 * when it has targets.
 */
import { encodeBundleRow } from './bundle-row.js';
import { PHASE_LIVE } from './tombstone.js';
import type { OutboxRow } from './outbox.js';
import { nodeIdKey, timeIdKey } from './vault-keys.js';
import type { VaultTables } from './vault-tables.js';

export interface IngestRecord {
  id: Uint8Array;
  /** The encoded bundle as received. */
  bytes: Uint8Array;
  receivedAt: number;
  expiresAt: number;
  bearer?: string;
  from?: string;
  created?: boolean;
  /** Listed in the `sent` index (the dashboard's sent list). Default: `created`. */
  sent?: boolean;
  /** For this node or broadcast: listed in the inbox. */
  inbox?: boolean;
  /** Outbox targets to queue (empty or absent: no outbox row). */
  targets?: string[];
  /** Lists the bundle under this node's delivery bloom at once. The router does not use it: a bloom may retire
   * only what was handed off, so it calls addAwaiting() at the hand-off instead. */
  awaitingNode?: Uint8Array;
}

const EMPTY = Buffer.alloc(0);

/** Writes the rows; returns how many puts (the cycle's transaction sizing). */
export function writeIngestRows(db: VaultTables, rec: IngestRecord, keepUntil: number): number {
  const key = Buffer.from(rec.id.buffer, rec.id.byteOffset, rec.id.byteLength);
  let puts = 2;
  db.bundles.put(key, encodeBundleRow({
    receivedAt: rec.receivedAt, expiresAt: rec.expiresAt, created: rec.created ?? false, inbox: rec.inbox ?? false,
    ...(rec.bearer !== undefined ? { bearer: rec.bearer } : {}), ...(rec.from !== undefined ? { from: rec.from } : {}),
    bytes: rec.bytes,
  }));
  db.expiry.put(timeIdKey(keepUntil, rec.id), Buffer.of(PHASE_LIVE));
  if (!rec.targets || rec.targets.length === 0) {
    // Nothing to forward (this node's inbox, or the hop limit): no custody duty, evictable under the budget.
    db.evictable.put(timeIdKey(rec.receivedAt, rec.id), EMPTY);
    puts++;
  }
  if (rec.inbox) {
    db.inbox.put(timeIdKey(rec.receivedAt, rec.id), EMPTY);
    puts++;
  }
  if (rec.sent ?? rec.created) {
    db.sent.put(timeIdKey(rec.receivedAt, rec.id), EMPTY);
    puts++;
  }
  if (rec.targets && rec.targets.length > 0) {
    const row: OutboxRow = { targets: rec.targets.map((peer) => ({ peer, state: 'queued', at: rec.receivedAt, tries: 0 })), nextTryAt: 0 };
    db.outbox.put(key, row);
    db.st.queued.put(key, EMPTY);
    puts += 2;
  }
  if (rec.awaitingNode) {
    db.awaiting.put(nodeIdKey(rec.awaitingNode, rec.id), EMPTY);
    puts++;
  }
  return puts;
}
