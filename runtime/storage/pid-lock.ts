/**
 * PidLock: one writer per file or directory, across processes. The lock is a small JSON file created with O_EXCL
 * holding who took it (pid, start time, host, boot id, the process's start tick); a second taker reads it and gets
 * LockHeldError naming the holder. Node has no flock(), and an flock would not name the holder anyway.
 *
 * Stale locks (the holder crashed, was SIGKILLed, or the power was cut) are detected and taken over:
 *   - a lock from another boot (Linux boot_id differs) is stale — after a power cut every lock is;
 *   - a holder pid that no longer exists (kill(pid, 0) → ESRCH) is stale;
 *   - a pid that exists but started at another tick than the holder did (/proc/<pid>/stat field 22) is a reused pid:
 *     stale. This matters on a Pi: boots are alike, so after a reboot the relay may well get its old pid back, and
 *     in a container the relay is often pid 1 every time;
 *   - an empty or unparsable lock (a power cut while it was written) is stale.
 * A lock held by this very process (another instance in it) is not stale: it is refused like any other.
 *
 * Taking over re-reads the lock and removes it only if it still says what was judged stale, then creates ours with
 * O_EXCL again; two processes racing over one stale lock therefore cannot both win unless one removes the other's
 * fresh lock between that re-read and its unlink (microseconds; a service manager starts one instance at a time).
 * Same host only: on a directory shared between hosts the pid cannot be checked, and that is not supported.
 */
import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { LockHeldError, type LockHolder } from './errors.js';

export interface PidLockAcquired {
  /** The stale holder whose lock was taken over (undefined when there was none); `pid` 0 when it was unreadable. */
  tookOver?: LockHolder;
}

export class PidLock {
  private held?: string;

  constructor(readonly path: string) {}

  get isHeld(): boolean {
    return this.held !== undefined;
  }

  /** Takes the lock or throws LockHeldError naming the live holder. Idempotent for the instance holding it. */
  acquire(): PidLockAcquired {
    if (this.held !== undefined) return {};
    const mine: LockHolder = { pid: process.pid, startedAt: new Date().toISOString(), hostname: hostname(), ...ids(process.pid) };
    const text = JSON.stringify(mine);
    let tookOver: LockHolder | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      let fd: number;
      try {
        fd = openSync(this.path, 'wx', 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const seen = readOrUndefined(this.path);
        if (seen === undefined) continue; // removed meanwhile: try again
        const holder = parseHolder(seen);
        if (holder && alive(holder)) throw new LockHeldError(this.path, holder);
        // Stale: remove it only if it still says the same (another process may have taken it over meanwhile).
        if (readOrUndefined(this.path) === seen) {
          try {
            unlinkSync(this.path);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          }
        }
        tookOver = holder ?? { pid: 0, startedAt: 'unknown (unreadable lock)', hostname: 'unknown' };
        continue;
      }
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.held = text;
      return tookOver ? { tookOver } : {};
    }
    // Five rounds of someone else creating and removing the lock under us: report whoever holds it now.
    const now = parseHolder(readOrUndefined(this.path) ?? '');
    throw new LockHeldError(this.path, now ?? { pid: 0, startedAt: 'unknown (contended)', hostname: 'unknown' });
  }

  /** Removes the lock if it is still ours. */
  release(): void {
    if (this.held === undefined) return;
    const text = this.held;
    this.held = undefined;
    if (readOrUndefined(this.path) !== text) return;
    try {
      unlinkSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** Whether the process a lock names still runs (see the file comment for the rules). */
export function alive(h: LockHolder): boolean {
  const boot = bootId();
  if (h.bootId !== undefined && boot !== undefined && h.bootId !== boot) return false;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (h.procStart !== undefined) {
    const start = procStart(h.pid);
    if (start !== undefined && start !== h.procStart) return false;
  }
  return true;
}

function ids(pid: number): Pick<LockHolder, 'bootId' | 'procStart'> {
  const boot = bootId();
  const start = procStart(pid);
  return { ...(boot !== undefined ? { bootId: boot } : {}), ...(start !== undefined ? { procStart: start } : {}) };
}

let cachedBootId: string | null | undefined;

function bootId(): string | undefined {
  if (cachedBootId === undefined) cachedBootId = readOrUndefined('/proc/sys/kernel/random/boot_id')?.trim() || null;
  return cachedBootId ?? undefined;
}

/** Field 22 (starttime) of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so the
 * fields are counted after its last ')'. */
function procStart(pid: number): string | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest[22 - 3];
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v !== 'object' || v === null || !Number.isInteger(v.pid) || (v.pid as number) <= 0) return undefined;
    return {
      pid: v.pid as number,
      startedAt: typeof v.startedAt === 'string' ? v.startedAt : 'unknown',
      hostname: typeof v.hostname === 'string' ? v.hostname : 'unknown',
      ...(typeof v.bootId === 'string' ? { bootId: v.bootId } : {}),
      ...(typeof v.procStart === 'string' ? { procStart: v.procStart } : {}),
    };
  } catch {
    return undefined;
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
