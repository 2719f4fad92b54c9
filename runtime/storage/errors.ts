/** Errors of the storage helpers shared by every store of the relay; tests assert on `name`. */

/** What a lock file says about the process holding it (pid-lock.ts). */
export interface LockHolder {
  pid: number;
  /** ISO wall-clock time the holder took the lock. */
  startedAt: string;
  hostname: string;
  /** Linux boot id (/proc/sys/kernel/random/boot_id) when the lock was taken: a lock from another boot is stale. */
  bootId?: string;
  /** The holder's start time in clock ticks since boot (/proc/<pid>/stat field 22): tells a reused pid apart. */
  procStart?: string;
}

/** Another live process holds this lock file. */
export class LockHeldError extends Error {
  override name = 'LockHeldError';
  constructor(readonly path: string, readonly holder: LockHolder) {
    super(`${path} is held by process ${holder.pid} on ${holder.hostname} since ${holder.startedAt}`);
  }
}
