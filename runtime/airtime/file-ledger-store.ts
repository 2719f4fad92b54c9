/**
 * FileLedgerStore: the airtime ledger as one small JSON file in the data directory, replaced atomically
 * (write `<file>.tmp`, fsync, rename over the file, fsync the directory) so a power cut leaves either the old or the
 * new ledger, never a torn one. A file that does not parse is renamed to `<file>.corrupt-<ms>` (kept for a human)
 * and reported as LedgerCorruptError.
 *
 * One writer per file: load() (or the first save()) takes `<file>.lock` (runtime/storage/pid-lock.ts) and close()
 * releases it; a second process — or a second store in this one — gets LedgerLockedError naming the holder. Two
 * writers would each save only their own records and each grant the full budget (measured before this lock: 717.8 s
 * on air, 358.9 s recorded). A lock left by a crash or a power cut is taken over.
 */
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LedgerCorruptError, LedgerLockedError } from './errors.js';
import { LockHeldError } from '../storage/errors.js';
import { PidLock, type PidLockAcquired } from '../storage/pid-lock.js';
import { snapshotProblem, type LedgerSnapshot, type LedgerStore } from './ledger-store.js';
import { writeFileDurably } from '../../lib/fs/durable-file.js';

export class FileLedgerStore implements LedgerStore {
  private dirReady = false;
  private readonly lock: PidLock;

  constructor(readonly path: string, private readonly onStaleLock?: (stale: NonNullable<PidLockAcquired['tookOver']>) => void) {
    this.lock = new PidLock(`${path}.lock`);
  }

  async load(): Promise<LedgerSnapshot | undefined> {
    await this.takeLock();
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let value: unknown;
    let problem: string | undefined;
    try {
      value = JSON.parse(text);
      problem = snapshotProblem(value);
    } catch (err) {
      problem = `not JSON (${(err as Error).message})`;
    }
    if (problem !== undefined) {
      await rename(this.path, `${this.path}.corrupt-${Date.now()}`).catch(() => undefined);
      throw new LedgerCorruptError(this.path, problem);
    }
    return value as LedgerSnapshot;
  }

  async save(snapshot: LedgerSnapshot): Promise<void> {
    await this.takeLock();
    // Owner-only, like everything in the data directory; the rename made durable with the directory's fsync.
    await writeFileDurably(this.path, JSON.stringify(snapshot));
  }

  close(): void {
    this.lock.release();
  }

  private async takeLock(): Promise<void> {
    if (this.lock.isHeld) return;
    if (!this.dirReady) {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      this.dirReady = true;
    }
    let got: PidLockAcquired;
    try {
      got = this.lock.acquire();
    } catch (err) {
      if (err instanceof LockHeldError) throw new LedgerLockedError(this.path, err.holder, { cause: err });
      throw err;
    }
    if (got.tookOver) this.onStaleLock?.(got.tookOver);
  }
}
