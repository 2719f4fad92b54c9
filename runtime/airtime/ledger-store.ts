/**
 * LedgerStore: where the airtime ledger survives a restart. A restart must not reset the duty-cycle budget, so the
 * ledger saves every transmission before it goes on the air.
 */

/** [sub-band id, start (ms since the Unix epoch), duration ms, channel centre Hz]. The channel is kept for rules
 * counted per channel (US915 occupancy); a record without one (older files) counts on every channel. */
export type AirtimeRecord = [subBand: string, startMs: number, durationMs: number, frequencyHz?: number];

/** Where the ledger's wall clock stood against the monotonic clock when it was saved (clock-jump detection across a
 * restart within one boot, airtime-ledger.ts). */
export interface LedgerClockAnchor {
  wallMs: number;
  /** CLOCK_MONOTONIC ms (since boot; process.hrtime on Linux). */
  monoMs: number;
  /** Linux boot id: monotonic readings compare only within one boot. */
  bootId: string;
}

export interface LedgerSnapshot {
  version: 1;
  /** Transmissions still inside the rolling window when saved, oldest first. */
  records: AirtimeRecord[];
  /** Until this wall-clock time every sub-band counts as fully used (set after a corrupt ledger was found). */
  blackoutUntil?: number;
  clock?: LedgerClockAnchor;
}

export interface LedgerStore {
  /** The saved snapshot, undefined when none was saved yet; rejects with LedgerCorruptError on unreadable content. */
  load(): Promise<LedgerSnapshot | undefined>;
  /** Replaces the saved snapshot durably (the write is on stable storage when the promise resolves). */
  save(snapshot: LedgerSnapshot): Promise<void>;
  /** Releases what load() took (the file store's writer lock). */
  close?(): Promise<void> | void;
}

/** Checks an unknown value is a snapshot; returns the reason it is not, or undefined. */
export function snapshotProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const v = value as Partial<LedgerSnapshot>;
  if (v.version !== 1) return `unknown version ${String(v.version)}`;
  if (!Array.isArray(v.records)) return 'records is not an array';
  for (const r of v.records) {
    if (!Array.isArray(r) || (r.length !== 3 && r.length !== 4) || typeof r[0] !== 'string' || !Number.isFinite(r[1]) || !Number.isFinite(r[2]) || r[2] < 0 || (r.length === 4 && !Number.isFinite(r[3]))) {
      return `bad record ${JSON.stringify(r)}`;
    }
  }
  if (v.blackoutUntil !== undefined && !Number.isFinite(v.blackoutUntil)) return 'bad blackoutUntil';
  const c = v.clock;
  if (c !== undefined && (typeof c !== 'object' || c === null || !Number.isFinite(c.wallMs) || !Number.isFinite(c.monoMs) || typeof c.bootId !== 'string')) return 'bad clock anchor';
  return undefined;
}
