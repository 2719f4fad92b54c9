/**
 * Disk-full detection shared by every store of the relay (vault, shard store, bridge queue, the API's spool files).
 *
 * A full filesystem does not always say ENOSPC: LMDB reports a short write as EIO (mdb_page_flush: "wres != wsize"
 * → EIO, which is what a tmpfs that filled mid-write gave the vault), a quota says EDQUOT, a file-size limit
 * (RLIMIT_FSIZE) EFBIG, and LMDB's own map limit MDB_MAP_FULL. EIO is also what a dying SD card says, so it counts as
 * "full" only when there really is (almost) no room left: the filesystem's free space (statfs), or the process's
 * file-size limit (systemd LimitFSIZE=, `ulimit -f`; the kernel writes up to it, then LMDB sees a short write).
 */
import { readFileSync, statSync, statfsSync } from 'node:fs';

/** LMDB's MDB_MAP_FULL: the environment's map size is reached. */
export const MDB_MAP_FULL = -30792;

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
/** Linux errno values as lmdb-js reports them (a numeric `code`): ENOSPC 28, EDQUOT 122, EFBIG 27. */
const FULL_ERRNOS = new Set([28, 122, 27, MDB_MAP_FULL]);
const EIO = 5;

/**
 * Below this much free space an EIO is taken for a full disk. LMDB writes at most 64 pages per pwritev (256 KiB
 * with 4 KiB pages) plus the overflow pages of one big value; a few MiB covers every write the relay makes.
 */
export const NEARLY_FULL_BYTES = 4 * 2 ** 20;

/** Bytes an unprivileged process can still write on the filesystem holding `path`; undefined when statfs fails. */
export function freeBytes(path: string): number | undefined {
  try {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** Size of the filesystem holding `path`; undefined when statfs fails. */
export function filesystemBytes(path: string): number | undefined {
  try {
    const s = statfsSync(path);
    return s.blocks * s.bsize;
  } catch {
    return undefined;
  }
}

/** The soft RLIMIT_FSIZE of this process in bytes (Linux /proc/self/limits); undefined when unlimited or unknown. */
export function fileSizeLimit(): number | undefined {
  try {
    const m = /^Max file size\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Where a failed write went: a directory or file on the disk, and the file that grows (LMDB's data.mdb). */
export interface WriteTarget {
  path: string;
  file?: string;
}

function nearlyFull(target: WriteTarget, free: (path: string) => number | undefined): boolean {
  const left = free(target.path);
  if (left !== undefined && left < NEARLY_FULL_BYTES) return true;
  const limit = target.file === undefined ? undefined : fileSizeLimit();
  if (limit === undefined) return false;
  try {
    return statSync(target.file!).size + NEARLY_FULL_BYTES >= limit;
  } catch {
    return false;
  }
}

function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

/**
 * True when `err` (or its `cause`) says the disk is full. `target` lets an EIO be checked against the free space and
 * the file-size limit; `free` replaces the statfs call (tests).
 */
export function isDiskFullError(err: unknown, target?: WriteTarget, free: (path: string) => number | undefined = freeBytes): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = codeOf(e);
    if (typeof code === 'string' && FULL_CODES.has(code)) return true;
    if (typeof code === 'number' && FULL_ERRNOS.has(code)) return true;
    if ((code === EIO || code === 'EIO') && target !== undefined && nearlyFull(target, free)) return true;
  }
  return false;
}
