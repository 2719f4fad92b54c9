/**
 * LedgerStore: where the airtime ledger survives a restart. A restart must not reset the duty-cycle budget, so the
 * ledger saves every transmission before it goes on the air.
 */

/** [sub-band id, start (ms since the Unix epoch), duration ms]. */
export type AirtimeRecord = [subBand: string, startMs: number, durationMs: number];

export interface LedgerSnapshot {
  version: 1;
  /** Transmissions still inside the rolling window when saved, oldest first. */
  records: AirtimeRecord[];
  /** Until this wall-clock time every sub-band counts as fully used (set after a corrupt ledger was found). */
  blackoutUntil?: number;
}

export interface LedgerStore {
  /** The saved snapshot, undefined when none was saved yet; rejects with LedgerCorruptError on unreadable content. */
  load(): Promise<LedgerSnapshot | undefined>;
  /** Replaces the saved snapshot durably (the write is on stable storage when the promise resolves). */
  save(snapshot: LedgerSnapshot): Promise<void>;
}

/** Checks an unknown value is a snapshot; returns the reason it is not, or undefined. */
export function snapshotProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const v = value as Partial<LedgerSnapshot>;
  if (v.version !== 1) return `unknown version ${String(v.version)}`;
  if (!Array.isArray(v.records)) return 'records is not an array';
  for (const r of v.records) {
    if (!Array.isArray(r) || r.length !== 3 || typeof r[0] !== 'string' || !Number.isFinite(r[1]) || !Number.isFinite(r[2]) || r[2] < 0) {
      return `bad record ${JSON.stringify(r)}`;
    }
  }
  if (v.blackoutUntil !== undefined && !Number.isFinite(v.blackoutUntil)) return 'bad blackoutUntil';
  return undefined;
}
