/**
 * The bridge's durable queue: one LMDB environment under `<dataDir>/bridge` with a sub-database per direction
 * (seq -> entry, in order) and a `handled` set of source bundle ids.
 *
 * Its own environment rather than sub-databases of the vault: the vault's group commit, map size and sweep are
 * tuned for bundles, and a queue that is rewritten at every bridged message would share its write cycles; the
 * bridge can also be switched off and its state deleted without touching the vault. Entries are written (and
 * flushed) together with the source's `handled` mark in one transaction when the source bundle is taken, so after
 * a crash a source is either queued whole or not taken at all (and then taken again from the inbox at start).
 *
 * Durability, step by step: `add` is the one flush on a bridged text's way here, and it must come before any of its
 * parts is sent, because it fixes each part's identity (its `sentAt`, hence the new bundle's id): a part re-planned
 * after a crash would get a new `sentAt` and go out a second time. `remove`, `markHandled` and the radio snapshots
 * commit without waiting for a flush: a sent entry that comes back after a crash is sent again as the same bundle,
 * which the vault already holds (put-if-absent: a duplicate, not a second message); a lost handled mark means the
 * source is planned again, and one that was dropped is dropped again; a lost snapshot is taken at the next view.
 */
import type { Database, RootDatabase } from 'lmdb';
import { openStore, type StoreGuard } from '../store/open-store.js';
import { BridgeQueueClosedError } from './errors.js';
import { closeEnv, committed, flushedOrFailed, guardWrites } from '../storage/lmdb-commit.js';

export type QueueName = 'mt-to-mc' | 'mc-to-mt';
export const QUEUE_NAMES: readonly QueueName[] = ['mt-to-mc', 'mc-to-mt'];

export interface QueueEntry {
  /** Order within its queue. */
  seq: number;
  /** Source bundle id (64 hex). */
  source: string;
  /** Router recipient on the receiving mesh: `mc:ch:0`, `mt:!a1b2c3d4`, `mc:<hex>`... */
  target: string;
  /** The text of this part, attribution and part marker included. */
  text: string;
  /** Fixed signing time: a re-send after a crash yields the same bundle id (Ed25519 is deterministic). */
  sentAt: number;
  kind: 'broadcast' | 'dm';
  part: number;
  parts: number;
}

export type NewEntry = Omit<QueueEntry, 'seq'>;

export class BridgeQueue {
  private root?: RootDatabase;
  private readonly dbs = new Map<QueueName, Database<QueueEntry, number>>();
  private handledDb?: Database<number, string>;
  private snapshotDb?: Database<unknown, string>;
  private readonly depths = new Map<QueueName, number>();
  private readonly nextSeq = new Map<QueueName, number>();
  /** The entry a drain is sending now, per queue: never shed (it may already be on the air). */
  private readonly inFlight = new Map<QueueName, number>();

  constructor(
    private readonly path: string,
    private readonly maxEntries: number,
    /** Damaged files at start: runtime/store/open-store.ts. */
    private readonly guard: StoreGuard = { store: 'bridge' },
  ) {}

  get isOpen(): boolean {
    return this.root !== undefined;
  }

  async start(): Promise<void> {
    if (this.root) return;
    const root = await openStore({ path: this.path, maxDbs: 8, compression: false }, this.guard);
    this.root = root;
    for (const name of QUEUE_NAMES) {
      const db = root.openDB<QueueEntry, number>({ name, keyEncoding: 'ordered-binary' });
      this.dbs.set(name, db);
      let n = 0;
      let last = 0;
      for (const k of db.getKeys()) {
        n++;
        last = k as number;
      }
      this.depths.set(name, n);
      this.nextSeq.set(name, last + 1);
    }
    this.handledDb = root.openDB<number, string>({ name: 'handled' });
    this.snapshotDb = root.openDB<unknown, string>({ name: 'radio-snapshots' });
    // A full disk fails commits; their promises are observed so that it is an error the callers see, not a crash.
    guardWrites(root, [root, ...this.dbs.values(), this.handledDb, this.snapshotDb]);
  }

  async stop(): Promise<void> {
    const root = this.root;
    if (!root) return;
    this.root = undefined;
    // A last commit that failed (disk full) never flushes: close anyway, what it held was not acknowledged.
    await flushedOrFailed(root).catch(() => undefined);
    await closeEnv(root);
    this.dbs.clear();
  }

  private need(op: string): RootDatabase {
    if (!this.root) throw new BridgeQueueClosedError(op);
    return this.root;
  }

  depth(name: QueueName): number {
    return this.depths.get(name) ?? 0;
  }

  handled(source: string): boolean {
    this.need('handled');
    return this.handledDb!.get(source) !== undefined;
  }

  /**
   * Appends the entries of one source bundle (to any queues) and marks the source handled at `at`, in one durable
   * transaction that also moves the `lastTakenAt` mark (where the catch-up at start looks from, in the vault's
   * receive times) to `receivedAt`, when the source's receive time is given. Over the bound, the oldest broadcast
   * entries of that queue are shed (returned); DMs never are.
   */
  async add(source: string, at: number, entries: Array<NewEntry & { queue: QueueName }>, receivedAt?: number): Promise<{ shed: QueueEntry[]; added: QueueEntry[] }> {
    const root = this.need('add');
    const shed: QueueEntry[] = [];
    const added: QueueEntry[] = [];
    const depths = new Map(this.depths);
    await committed(root.transaction(() => {
      for (const { queue, ...e } of entries) {
        const seq = this.nextSeq.get(queue)!;
        this.nextSeq.set(queue, seq + 1);
        const entry: QueueEntry = { seq, ...e };
        this.dbs.get(queue)!.putSync(seq, entry);
        this.depths.set(queue, this.depth(queue) + 1);
        added.push(entry);
      }
      for (const queue of new Set(entries.map((e) => e.queue))) {
        const db = this.dbs.get(queue)!;
        let over = this.depth(queue) - this.maxEntries;
        if (over <= 0) continue;
        for (const { key, value } of db.getRange()) {
          if (over <= 0) break;
          if (value.kind !== 'broadcast' || this.inFlight.get(queue) === key) continue;
          db.removeSync(key);
          shed.push(value);
          over--;
          this.depths.set(queue, this.depth(queue) - 1);
        }
      }
      this.handledDb!.putSync(source, at);
      if (receivedAt !== undefined) this.handledDb!.putSync('meta:lastTakenAt', receivedAt);
    })).catch((err: unknown) => {
      // Nothing of it was written (a full disk): the source is taken again later (catch-up at the next start).
      for (const [q, n] of depths) this.depths.set(q, n);
      throw err;
    });
    await flushedOrFailed(root);
    return { shed, added: added.filter((a) => !shed.some((s) => s === a)) };
  }

  /** Marks a source handled without queueing anything (dropped, not mapped). */
  async markHandled(source: string, at: number): Promise<void> {
    this.need('markHandled');
    await committed(this.handledDb!.put(source, at));
  }

  /** Marks the entry a drain is sending (undefined: none). */
  setInFlight(name: QueueName, seq: number | undefined): void {
    if (seq === undefined) this.inFlight.delete(name);
    else this.inFlight.set(name, seq);
  }

  /** Oldest entry of a queue. */
  head(name: QueueName): QueueEntry | undefined {
    this.need('head');
    for (const { value } of this.dbs.get(name)!.getRange({ limit: 1 })) return value;
    return undefined;
  }

  entries(name: QueueName, limit = 100): QueueEntry[] {
    this.need('entries');
    return [...this.dbs.get(name)!.getRange({ limit })].map((r) => r.value);
  }

  /** Removes a sent entry: committed once resolved (head() no longer returns it), flushed with a later write. */
  async remove(name: QueueName, seq: number): Promise<void> {
    this.need('remove');
    const db = this.dbs.get(name)!;
    if (db.get(seq) === undefined) return;
    await committed(db.remove(seq));
    this.depths.set(name, Math.max(0, this.depth(name) - 1));
  }

  /** Forgets handled marks older than `before` (they only guard the start-up catch-up window). */
  async pruneHandled(before: number): Promise<number> {
    this.need('pruneHandled');
    let n = 0;
    await this.root!.transaction(() => {
      for (const { key, value } of this.handledDb!.getRange()) {
        if (value < before) {
          this.handledDb!.removeSync(key);
          n++;
        }
      }
    });
    return n;
  }

  getMeta(key: string): number | undefined {
    this.need('getMeta');
    return this.handledDb!.get(`meta:${key}`);
  }

  async setMeta(key: string, value: number): Promise<void> {
    this.need('setMeta');
    await this.handledDb!.put(`meta:${key}`, value);
  }

  /** The last snapshot of a radio seen up (channel table, contacts), kept across restarts. */
  getSnapshot<T>(key: string): T | undefined {
    this.need('getSnapshot');
    return this.snapshotDb!.get(key) as T | undefined;
  }

  async setSnapshot(key: string, value: unknown): Promise<void> {
    this.need('setSnapshot');
    await this.snapshotDb!.put(key, value);
  }
}
