/**
 * Failed commits in lmdb-js, handled so that they can never take the process down.
 *
 * When a write transaction fails (disk full, I/O error), lmdb-js rejects every write promise of it with
 * `Error('Commit failed (see commitError for details)')` and rejects one more promise it creates internally, reachable
 * only as that error's `commitError`, with the real cause (an Error whose numeric `code` is the errno). Nobody else
 * holds that promise: unless a handler is attached to it, Node ends the process with an unhandled rejection (what
 * issue 11 saw: "Input/output error at lmdb/write.js" right after a 500). And `root.flushed` of the failed
 * transaction never settles (its flush resolvers are dropped), so a writer that awaits it after a failure hangs.
 * Worse, with event-turn batching (the default) the first write of a turn queues a "batch start" instruction whose
 * finisher, run in a setImmediate at the end of the turn, makes the transaction's own commit promise, which nobody
 * can hold: the writes' promises reject, and so does that one, unhandled. guardWrites() observes it.
 * lmdb 3.5.6, write.js: rejectCommit(), startWriting()'s error branch, `flushed`, writeInstructions()'s
 * eventTurnBatching branch.
 */
import type { RootDatabase } from 'lmdb';

/** How a write (or a whole transaction) ended: undefined when it committed, else the cause of the failure. */
export type WriteOutcome = undefined | { cause: unknown };

const WRITE_METHODS = ['put', 'remove', 'ifNoExists', 'transaction', 'clearAsync'] as const;

/**
 * Makes every write of these databases (the root included, for transaction()) safe from unhandled rejections: each
 * returned promise, and once per event turn the current transaction's commit promise, is observed, and its outcome
 * handed to `onOutcome` (the vault collects them per write cycle; other stores learn of failures from their own
 * awaits, with committed()). Call once, right after opening.
 */
export function guardWrites(root: RootDatabase, dbs: Iterable<object>, onOutcome: (outcome: Promise<WriteOutcome>) => void = () => undefined): void {
  let last: unknown;
  let turnWatched = false;
  const ok = (): WriteOutcome => undefined;
  const failed = (err: unknown): Promise<WriteOutcome> => commitCause(err).then((cause) => ({ cause }));
  const watch = (p: unknown): void => {
    if (p === last || !p || typeof (p as Promise<unknown>).then !== 'function') return;
    last = p;
    // One derived promise per write (the hot path: one per conditional write of a vault cycle).
    onOutcome((p as Promise<unknown>).then(ok, failed));
  };
  const watchTurn = (): void => {
    if (turnWatched) return;
    turnWatched = true;
    // Queued after lmdb-js's own end-of-turn task (both setImmediate, first in first out), so the commit promise
    // that task made is the current one; taken synchronously, before any write of the next turn replaces it.
    setImmediate(() => {
      turnWatched = false;
      const c = root.committed as unknown as PromiseLike<unknown>;
      watch(c.then(() => undefined, (err: unknown) => { throw err; }));
    });
  };
  for (const db of new Set(dbs)) {
    const methods = db as Record<string, unknown>;
    for (const name of WRITE_METHODS) {
      const original = methods[name];
      if (typeof original !== 'function') continue;
      const write = (original as (...args: unknown[]) => unknown).bind(db);
      methods[name] = (...args: unknown[]): unknown => {
        const p = write(...args);
        watch(p);
        watchTurn();
        return p;
      };
    }
  }
}

/** The error behind an lmdb-js "Commit failed" rejection (the errno-carrying one), or `err` itself. */
export function commitCause(err: unknown): Promise<unknown> {
  const inner = typeof err === 'object' && err !== null ? (err as { commitError?: unknown }).commitError : undefined;
  if (inner && typeof (inner as Promise<unknown>).then === 'function') {
    return (inner as Promise<unknown>).then(() => err, (cause: unknown) => cause);
  }
  return Promise.resolve(err);
}

/**
 * Handles the rejection of a write promise (and of the commit error behind it), reporting the cause to `onFail`.
 * For writes whose promise nobody awaits (`void db.put(…)` is an unhandled rejection waiting for a full disk).
 */
export function observeWrite(p: unknown, onFail?: (cause: unknown) => void): void {
  if (!p || typeof (p as Promise<unknown>).then !== 'function') return;
  (p as Promise<unknown>).then(undefined, (err: unknown) => commitCause(err).then((cause) => onFail?.(cause)));
}

/** Awaits a write, rejecting with the real cause (errno in `code`) when its transaction failed. */
export async function committed<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw await commitCause(err);
  }
}

/**
 * Resolves once the current write transaction is flushed to disk; rejects with the cause when it failed, where
 * `await root.flushed` would hang for ever.
 */
export function flushedOrFailed(root: RootDatabase): Promise<void> {
  const failed = Promise.resolve(root.committed).then(
    () => new Promise<never>(() => undefined),
    async (err: unknown) => { throw await commitCause(err); },
  );
  return Promise.race([Promise.resolve(root.flushed).then(() => undefined), failed]);
}

/** A key no store uses: removing it is a transaction that changes nothing. */
const CLOSE_PROBE_KEY = '\u0000lattice-close-probe';

/**
 * Closes an environment whose last commit may have failed: lmdb-js's close() waits for that commit's flush, which
 * never comes. An empty transaction (removing a key nobody uses writes no page, so it commits on a full disk too)
 * gives it a flush to wait for; `timeoutMs` bounds the wait should even that fail.
 */
export async function closeEnv(root: RootDatabase, timeoutMs = 5_000): Promise<void> {
  try {
    await committed(root.remove(CLOSE_PROBE_KEY));
    await flushedOrFailed(root);
  } catch {
    // Then the timeout below decides.
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([root.close(), new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
  clearTimeout(timer);
}
