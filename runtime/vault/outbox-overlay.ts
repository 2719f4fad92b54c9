/**
 * Outbox rows changed in memory and not yet written: the router's state machine changes a row (sent, delivered,
 * expired) far more often than a write cycle runs, so a change replaces the row here at once (reads see it), and the
 * next cycle writes only the latest row of each bundle, with its state index (`st-<state>`) and the `evictable`
 * index moved along. An entry leaves once the cycle that wrote that version is flushed.
 */
import { rowReceivedAt } from './bundle-row.js';
import { isOutboxRow, OUTBOX_STATES, overallState, type OutboxRow, type OutboxState } from './outbox.js';
import { hex, timeIdKey } from './vault-keys.js';
import type { VaultTables } from './vault-tables.js';

interface Entry {
  id: Uint8Array;
  row: OutboxRow;
  /** State of the row as last written to LMDB (undefined: no row there yet). */
  base: OutboxState | undefined;
  version: number;
  /** A failed cycle may or may not have written it: the next write clears every state index but its own. */
  rebase?: boolean;
}

/** What one cycle wrote: undone (kept for the next cycle) when the cycle fails, dropped when it is flushed. */
export interface OverlayWrite {
  ids: Set<string>;
  written: Array<[string, Entry, number]>;
}

const EMPTY = Buffer.alloc(0);

export class OutboxOverlay {
  private readonly entries = new Map<string, Entry>();
  private dirty = new Set<string>();
  private version = 0;

  constructor(private readonly db: VaultTables) {}

  get pending(): boolean {
    return this.dirty.size > 0;
  }

  /** The row as changed in memory. */
  get(idHex: string): OutboxRow | undefined {
    return this.entries.get(idHex)?.row;
  }

  rows(): Iterable<{ idHex: string; id: Uint8Array; row: OutboxRow }> {
    const entries = this.entries.entries();
    return (function* () {
      for (const [idHex, e] of entries) yield { idHex, id: e.id, row: e.row };
    })();
  }

  set(id: Uint8Array, row: OutboxRow): void {
    const idHex = hex(id);
    let e = this.entries.get(idHex);
    if (!e) {
      const committed = this.db.outbox.get(Buffer.from(id.buffer, id.byteOffset, id.byteLength));
      e = { id: new Uint8Array(id), row, base: isOutboxRow(committed) ? overallState(committed) : undefined, version: 0 };
      this.entries.set(idHex, e);
    }
    e.row = row;
    e.version = ++this.version;
    this.dirty.add(idHex);
  }

  /** Drops the change of a row being purged. */
  forget(id: Uint8Array): void {
    const idHex = hex(id);
    this.entries.delete(idHex);
    this.dirty.delete(idHex);
  }

  /** Takes the changed rows for the current write cycle (write() then writes them). */
  take(): OverlayWrite {
    const w: OverlayWrite = { ids: this.dirty, written: [] };
    this.dirty = new Set();
    return w;
  }

  /** Writes the rows taken (in the current write cycle's transaction); returns the puts issued. */
  write(w: OverlayWrite): number {
    let puts = 0;
    for (const idHex of w.ids) {
      const e = this.entries.get(idHex);
      if (!e) continue;
      puts += this.writeRow(e);
      w.written.push([idHex, e, e.version]);
    }
    return puts;
  }

  /** The cycle that wrote them is flushed: entries not changed since leave (reads find them in LMDB). */
  flushed(w: OverlayWrite): void {
    for (const [idHex, e, v] of w.written) if (this.entries.get(idHex) === e && e.version === v) this.entries.delete(idHex);
  }

  /** The cycle failed: its rows are written again by a later one, with every state index reset. */
  failed(w: OverlayWrite): void {
    // Which of its state index rows reached the disk is not known: the next write of the row sets them all.
    for (const [, e] of w.written) e.rebase = true;
    for (const idHex of w.ids) if (this.entries.has(idHex)) this.dirty.add(idHex);
  }

  private writeRow(e: Entry): number {
    const key = Buffer.from(e.id);
    const state = overallState(e.row);
    let puts = 1;
    if (e.rebase) {
      for (const s of OUTBOX_STATES) if (s !== state) this.db.st[s].remove(key);
      puts += OUTBOX_STATES.length - 1;
      e.base = undefined;
      e.rebase = false;
    }
    if (e.base !== state) {
      if (e.base) this.db.st[e.base].remove(key);
      this.db.st[state].put(key, EMPTY);
      puts += 2;
      if (state === 'delivered' || e.base === 'delivered') puts += this.markEvictable(key, state === 'delivered');
      e.base = state;
    }
    this.db.outbox.put(key, e.row);
    return puts;
  }

  /** A bundle delivered to every target has no custody duty left: the byte budget may evict it (vault-evict.ts). */
  private markEvictable(key: Buffer, evictable: boolean): number {
    const raw = this.db.bundles.getBinary(key);
    // A tombstone already; or not committed yet, which delivery cannot be (it follows the acknowledged ingest).
    if (!raw) return 0;
    let receivedAt: number;
    try {
      receivedAt = rowReceivedAt(raw);
    } catch {
      return 0; // unreadable: only the expiry sweep removes it
    }
    const k = timeIdKey(receivedAt, key);
    if (evictable) this.db.evictable.put(k, EMPTY);
    else this.db.evictable.remove(k);
    return 1;
  }
}
