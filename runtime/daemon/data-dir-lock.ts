/**
 * One writer per data directory: `lattice run` takes `<dataDir>/lattice.lock` (runtime/storage/pid-lock.ts) before it
 * opens anything in it. LMDB lets two processes open one vault, so without this a second relay on the same directory
 * ran beside the first and both wrote the vault and the airtime ledger. A lock left by a crash, a SIGKILL or a power
 * cut is detected (dead pid, another boot, a reused pid) and taken over with one warning.
 */
import { join } from 'node:path';
import { LockHeldError, type LockHolder } from '../storage/errors.js';
import { PidLock } from '../storage/pid-lock.js';
import { DataDirInUseError } from './errors.js';

export const DATA_DIR_LOCK = 'lattice.lock';

export interface DataDirLock {
  /** The holder of a stale lock that was taken over, if any. */
  tookOver?: LockHolder;
  release(): void;
}

/** Takes the data directory (it must exist) or throws DataDirInUseError naming the relay that has it. */
export function lockDataDir(dataDir: string): DataDirLock {
  const lock = new PidLock(join(dataDir, DATA_DIR_LOCK));
  try {
    const { tookOver } = lock.acquire();
    return { ...(tookOver ? { tookOver } : {}), release: () => lock.release() };
  } catch (err) {
    if (err instanceof LockHeldError) throw new DataDirInUseError(dataDir, err.holder, { cause: err });
    throw err;
  }
}
