/**
 * Test support: checks in a system-call trace (syscall-trace.ts) that every acknowledgement of a record was written
 * only after the LMDB commit holding that record had been flushed to disk.
 *
 * For each acknowledged id, in trace order:
 *   1. the first write to the store's data file whose bytes hold the id: a page of the transaction that stores it
 *      (LMDB writes whole pages, keys in them verbatim, and never rewrites a page in place before its commit);
 *   2. the first meta-page write after it (LMDB commits a transaction by writing a meta page, one of the file's
 *      first two pages, after all its data pages): the commit point;
 *   3. a flush of the data file (fdatasync, fsync, msync) that entered after the commit point and returned before
 *      the acknowledgement was written.
 * A record acknowledged without 3 would be lost by a power cut at that moment, although a SIGKILL would not lose it.
 */
import type { FlushEvent, TraceEvent, WriteEvent } from './syscall-trace.js';

export interface FlushOrderOptions {
  /** The LMDB data file, as strace names it (`<dir>/data.mdb`). */
  dataFile: string;
  /** The ids (hex) a write acknowledges, if it is an acknowledgement. */
  acknowledged(write: WriteEvent): string[];
  /** LMDB page size of the store (the meta pages are pages 0 and 1). Default 4096. */
  pageSize?: number;
}

export interface FlushOrderReport {
  /** Acknowledgements seen (the first one of each id). */
  acks: number;
  /** Commits (meta page writes) of the data file. */
  commits: number;
  /** Flushes of the data file. */
  flushes: number;
  /** One line per acknowledgement that did not wait for its flush. */
  violations: string[];
}

export function checkFlushBeforeAck(events: TraceEvent[], options: FlushOrderOptions): FlushOrderReport {
  const page = options.pageSize ?? 4096;
  const ackAt = new Map<string, WriteEvent>();
  const dataWrites: WriteEvent[] = [];
  const commits: WriteEvent[] = [];
  const flushes: FlushEvent[] = [];
  for (const e of events) {
    if (e.target === options.dataFile) {
      if (e.kind === 'flush') flushes.push(e);
      else {
        dataWrites.push(e);
        if (e.offset !== undefined && e.offset < 2 * page) commits.push(e);
      }
      continue;
    }
    if (e.kind !== 'write') continue;
    for (const id of options.acknowledged(e)) if (!ackAt.has(id)) ackAt.set(id, e);
  }
  const violations: string[] = [];
  for (const [id, ack] of ackAt) {
    const key = Buffer.from(id, 'hex');
    const stored = dataWrites.find((w) => w.bytes.includes(key));
    if (!stored) {
      violations.push(`${id}: acknowledged at trace line ${ack.line}, but no write of ${options.dataFile} holds it`);
      continue;
    }
    const commit = commits.find((c) => c.line > stored.line);
    if (!commit || commit.line > ack.line) {
      violations.push(`${id}: acknowledged at trace line ${ack.line} before its commit (page written at line ${stored.line}, ` +
        `${commit ? `meta page at line ${commit.line}` : 'no meta page write after it'})`);
      continue;
    }
    const flushed = flushes.find((f) => f.line > commit.line && f.endLine < ack.line);
    if (!flushed) {
      const next = flushes.find((f) => f.line > commit.line);
      violations.push(`${id}: acknowledged at trace line ${ack.line} before its commit (meta page at line ${commit.line}) was flushed ` +
        `(${next ? `next ${next.call} entered at line ${next.line}, returned at line ${next.endLine}` : 'no flush after it'})`);
    }
  }
  return { acks: ackAt.size, commits: commits.length, flushes: flushes.length, violations };
}
