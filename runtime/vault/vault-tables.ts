/**
 * The vault's sub-databases in one LMDB environment (vault.ts lists what each holds), and the two statistics read
 * from them: entry counts (mdb_stat, O(1), so restart needs no scan and no counter can drift after a crash) and the
 * pages in use (what the byte budget measures, vault-budget.ts).
 */
import type { Database, RootDatabase } from 'lmdb';
import type { TraceEvent } from '../node/relay-node.js';
import { OUTBOX_STATES, type OutboxRow, type OutboxState } from './outbox.js';

export interface VaultTables {
  bundles: Database<Buffer, Buffer>;
  expired: Database<Buffer, Buffer>;
  expiry: Database<Buffer, Buffer>;
  inbox: Database<Buffer, Buffer>;
  sent: Database<Buffer, Buffer>;
  outbox: Database<OutboxRow, Buffer>;
  awaiting: Database<Buffer, Buffer>;
  trace: Database<TraceEvent, Buffer>;
  meta: Database<unknown, string>;
  evictable: Database<Buffer, Buffer>;
  st: Record<OutboxState, Database<Buffer, Buffer>>;
}

/** The tables a sweep or eviction step writes (all but `meta`). */
export type StepTables = Omit<VaultTables, 'meta'>;

const STAT_PROBE_KEY = Buffer.of(0);

export function openTables(root: RootDatabase): VaultTables {
  const bin = { encoding: 'binary' as const, keyEncoding: 'binary' as const };
  return {
    bundles: root.openDB<Buffer, Buffer>('bundles', bin),
    expired: root.openDB<Buffer, Buffer>('expired', bin),
    expiry: root.openDB<Buffer, Buffer>('expiry', bin),
    inbox: root.openDB<Buffer, Buffer>('inbox', bin),
    sent: root.openDB<Buffer, Buffer>('sent', bin),
    outbox: root.openDB<OutboxRow, Buffer>('outbox', { keyEncoding: 'binary' }),
    awaiting: root.openDB<Buffer, Buffer>('awaiting', bin),
    trace: root.openDB<TraceEvent, Buffer>('trace', { keyEncoding: 'binary' }),
    meta: root.openDB<unknown, string>('meta', {}),
    st: Object.fromEntries(OUTBOX_STATES.map((s) => [s, root.openDB<Buffer, Buffer>(`st-${s}`, bin)])) as Record<OutboxState, Database<Buffer, Buffer>>,
    evictable: root.openDB<Buffer, Buffer>('evictable', bin),
  };
}

/** Every table, the state indexes included (guardWrites watches them all). */
export function allTables(t: VaultTables): object[] {
  const { st, ...rest } = t;
  return [...Object.values(rest), ...Object.values(st)];
}

/** Entries of one table, from the last commit. */
export function entryCount(db: Database<unknown, Buffer>): number {
  // The native stat() reads in lmdb-js's current read transaction but, called directly, skips the JS
  // bookkeeping that renews that transaction on the next turn; every later get() then kept reading the
  // snapshot from before the next commit (a bundle "missing" right after its ingest resolved). A public read
  // first takes the read transaction the documented way, with its renewal scheduled.
  db.doesExist(STAT_PROBE_KEY);
  return (db as unknown as { db: { stat(): { entryCount: number } } }).db.stat().entryCount;
}

/** LMDB pages in use, in bytes, and the data file's size (its high-water mark), after a commit. */
export function pagesInUse(t: VaultTables): { usedBytes: number; fileBytes: number; pageSize: number } {
  const { st, meta, ...rest } = t;
  meta.doesExist('-'); // renews the read transaction (see entryCount())
  let pages = 0;
  for (const db of [meta, ...Object.values(rest), ...Object.values(st)] as Database[]) {
    const s = (db as unknown as { db: { stat(): { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number } } }).db.stat();
    pages += s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages;
  }
  const env = meta.getStats() as { pageSize: number; lastPageNumber: number; root: { treeBranchPageCount: number; treeLeafPageCount: number }; free: { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number } };
  // The main database (names of the sub-databases), the free list's own pages, the two meta pages.
  pages += env.root.treeBranchPageCount + env.root.treeLeafPageCount + env.free.treeBranchPageCount + env.free.treeLeafPageCount + env.free.overflowPages + 2;
  return { usedBytes: pages * env.pageSize, fileBytes: (env.lastPageNumber + 1) * env.pageSize, pageSize: env.pageSize };
}
