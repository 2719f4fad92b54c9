/**
 * Checks an LMDB environment directory (`data.mdb` + `lock.mdb`) with plain reads before LMDB maps it.
 *
 * Why: LMDB trusts its file. A data file shorter than its meta says dies with SIGBUS the first time a missing page
 * is touched; a file whose page 0 is not a meta page makes mdb_env_open fail, and lmdb-js 3.5 then frees its
 * per-environment state twice (env.cpp: `delete extended_env` before `closeEnv()` reads it) and dies with SIGSEGV;
 * a lock file it cannot open does the same. None of these can be caught in JavaScript, so they are found here.
 *
 * What LMDB reads at open, and so what is checked (mdb.c of the bundled LMDB 0.9.90, see lmdb-layout.ts):
 * - page 0: P_META, MDB_MAGIC, MDB_DATA_VERSION, and its page size; then the meta of page 1 and (with overlapping
 *   sync) the half-page meta, read without further checks (mdb_env_read_header);
 * - which meta it uses: the newest by txnid, except that lmdb-js opens with MDB_PREVSNAPSHOT and so, when the newest
 *   one was committed before its data reached the disk (mm_flags has MDB_OVERLAPPINGSYNC) during an earlier boot
 *   (mm_boot_id differs: the machine went down, not just the process), it rolls back to the older, flushed one
 *   (mdb_pick_meta). That is the power-cut case the two metas exist for, and it is not damage: the meta LMDB will
 *   use is the one checked, whatever state the newer one is in.
 * - the file must hold every page that meta's trees reference. A healthy file usually extends to mm_last_pg, but
 *   may legitimately end a few pages short ("the file may be shorter if the freeDB lists the final pages": pages
 *   a transaction allocated and freed again are never written). So a file that reaches mm_last_pg only gets its
 *   roots checked, and a shorter one gets every reachable page checked (lmdb-tree-walk.ts).
 *
 * "Empty" has one meaning: LMDB writes both meta pages the moment it creates data.mdb, so a 0-byte data.mdb means
 * a store was there and its contents are gone (or a power cut hit the first seconds of a brand-new store, when it
 * held nothing). A missing directory, or an empty one, is simply a new store. A lock file that is not a regular
 * file is reported apart: it holds no data (LMDB rebuilds it when it opens the environment alone).
 *
 * What a power cut can leave, and the verdict:
 * - newest meta(s) on disk without their data pages, or a file shorter than their last page (commits are written
 *   before they are fsynced): not damage, LMDB rolls back to the flushed meta and that one is checked;
 * - a process crash (kill -9, OOM) loses nothing the kernel has: the newest meta is consistent and is checked;
 * - pages allocated and freed within the last transaction never written: not damage (the full walk finds every
 *   page in the file);
 * - a brand-new store cut within its first seconds (its meta pages not yet written back): 0 bytes, part of a page
 *   or zeros — reported as damage (empty / short / not-lmdb) though it held nothing; `recover` starts afresh,
 *   `refuse` stops, which is what that setting asks for;
 * - a torn meta write (LMDB relies on a ~120-byte pwrite inside one sector being atomic): if LMDB would use the
 *   torn meta, it is damage and is reported as such; the older meta is not salvaged.
 */
import { constants } from 'node:fs';
import { lstat, open, readdir, readFile, stat, access, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_PAGESIZE, MDB_DATA_VERSION, MDB_MAGIC, MDB_OVERLAPPINGSYNC, MIN_PAGESIZE, NUM_METAS, P_META, layout, metaReadSize, nativeWordSize, readMeta, type Layout, type Meta, type WordSize } from './lmdb-layout.js';
import { walkTrees } from './lmdb-tree-walk.js';

export const DATA_FILE = 'data.mdb';
export const LOCK_FILE = 'lock.mdb';

export type DamageKind =
  /** data.mdb is 0 bytes. */
  | 'empty'
  /** data.mdb is gone but the directory still holds the store's other files. */
  | 'missing'
  /** data.mdb (or the environment path itself) is not a regular file / directory. */
  | 'not-a-file'
  /** data.mdb is too small to hold its two meta pages. */
  | 'short'
  /** Page 0 is not an LMDB meta page: zeroed, overwritten, or not an LMDB file at all. */
  | 'not-lmdb'
  /** An LMDB file of another data format version. */
  | 'version'
  /** The meta LMDB would use does not describe a possible store. */
  | 'bad-meta'
  /** The file ends before a page the store needs. */
  | 'truncated'
  /** A page the store needs is not what its parent says it is. */
  | 'bad-page';

export type LockState = { state: 'absent' | 'ok' } | { state: 'bad'; detail: string };

export type EnvCheck =
  /** Nothing there yet: LMDB creates a new store. */
  | { state: 'absent'; lock: LockState }
  | { state: 'ok'; lock: LockState; fileBytes: number; psize: number; txnid: number; lastPg: number; entries: number; named: number; pagesRead: number; walked: boolean; rolledBack: boolean }
  | { state: 'damaged'; lock: LockState; kind: DamageKind; detail: string; fileBytes?: number };

/** The environment cannot be opened for reading and writing (a permission or filesystem problem, not damage). */
export interface AccessProblem {
  state: 'no-access';
  path: string;
  code: string;
  cause: unknown;
}

export interface CheckOptions {
  /** Word size of the LMDB build that wrote the file; default this process's. */
  word?: WordSize;
  /**
   * This boot's id as LMDB computes it (strtoll of /proc/sys/kernel/random/boot_id, base 16); default read from
   * /proc (0 when unknown, as in LMDB). Tests pass another boot's id to model a reboot.
   */
  bootId?: bigint;
  /** lmdb-js's overlappingSync (its default everywhere but Windows), which also turns on MDB_PREVSNAPSHOT. */
  overlappingSync?: boolean;
  /** LMDB_RESTORE=safe (lmdb-js's safeRestore): never keep an unflushed newest meta. */
  safeRestore?: boolean;
  /** Follow every page even when the file reaches the last page (tests, and a deliberate deep check). */
  full?: boolean;
}

export async function checkLmdbEnv(dir: string, options: CheckOptions = {}): Promise<EnvCheck | AccessProblem> {
  const dirStat = await lstatOrUndefined(dir);
  if (!dirStat) return { state: 'absent', lock: { state: 'absent' } };
  const lock = await checkLock(dir);
  if (!dirStat.isDirectory()) {
    return { state: 'damaged', lock, kind: 'not-a-file', detail: `${dir} is ${describeType(dirStat)}, not a directory` };
  }
  const dataPath = join(dir, DATA_FILE);
  const dataStat = await statOrUndefined(dataPath);
  if (!dataStat) {
    if (await lstatOrUndefined(dataPath)) return { state: 'damaged', lock, kind: 'not-a-file', detail: `${DATA_FILE} is a symbolic link to nothing` };
    const others = (await readdir(dir)).sort();
    if (others.length === 0) return { state: 'absent', lock };
    return { state: 'damaged', lock, kind: 'missing', detail: `${DATA_FILE} is missing, but the directory still holds ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}` };
  }
  if (!dataStat.isFile()) return { state: 'damaged', lock, kind: 'not-a-file', detail: `${DATA_FILE} is ${describeType(dataStat)}, not a file` };

  const denied = await canWrite(dir, dataPath, lock);
  if (denied) return denied;
  if (dataStat.size === 0) return { state: 'damaged', lock, kind: 'empty', detail: `${DATA_FILE} is empty (0 bytes)`, fileBytes: 0 };
  const fh = await open(dataPath, 'r');
  try {
    const r = await checkDataFile(fh, dataStat.size, options);
    return { ...r, lock } as EnvCheck;
  } finally {
    await fh.close();
  }
}

type DataResult = Omit<Extract<EnvCheck, { state: 'ok' }>, 'lock'> | Omit<Extract<EnvCheck, { state: 'damaged' }>, 'lock'>;

async function checkDataFile(fh: FileHandle, size: number, options: CheckOptions): Promise<DataResult> {
  const l = layout(options.word ?? nativeWordSize());
  const headerBytes = metaReadSize(l);
  const damaged = (kind: DamageKind, detail: string): DataResult => ({ state: 'damaged', kind, detail, fileBytes: size });
  if (size < headerBytes) return damaged('short', `${DATA_FILE} is ${size} bytes, too small to hold an LMDB meta page`);

  const page0 = await readAt(fh, 0, headerBytes);
  const m0 = readMeta(page0, 0, l);
  if (m0.magic !== MDB_MAGIC || !(m0.pageFlags & P_META)) {
    const zeros = page0.every((b) => b === 0);
    return damaged('not-lmdb', zeros ? 'meta page 0 is all zeros' : `page 0 is not an LMDB meta page (magic 0x${m0.magic.toString(16)}, flags 0x${m0.pageFlags.toString(16)}): not an LMDB file, or overwritten`);
  }
  if ((m0.version & 0xffff) !== MDB_DATA_VERSION) return damaged('version', `LMDB data format version ${m0.version & 0xffff}, this build reads ${MDB_DATA_VERSION}`);
  const psize = m0.psize;
  if (psize < MIN_PAGESIZE || psize > MAX_PAGESIZE || (psize & (psize - 1)) !== 0) return damaged('bad-meta', `meta page 0 gives an impossible page size ${psize}`);
  if (size < NUM_METAS * psize) return damaged('short', `${DATA_FILE} is ${size} bytes, smaller than its two ${psize}-byte meta pages`);

  const overlapping = options.overlappingSync ?? process.platform !== 'win32';
  const m1 = readMeta(await readAt(fh, psize, headerBytes), psize, l);
  const mf = overlapping ? readMeta(await readAt(fh, psize / 2, headerBytes), psize / 2, l) : undefined;
  const ctx: PickContext = {
    overlappingSync: overlapping,
    bootId: options.bootId ?? (await currentBootId()),
    safeRestore: options.safeRestore ?? process.env.LMDB_RESTORE === 'safe',
  };
  const { header, used, latest } = pickMetas(m0, m1, mf, ctx);

  // mdb_env_read_header's pick sets the page size and the map size LMDB maps; the safe meta is the tree it reads.
  for (const [m, role] of [[header, 'the meta LMDB reads first'], [used, 'the meta LMDB uses']] as const) {
    const bad = badMeta(m, psize, l);
    if (bad) return damaged('bad-meta', `${role} (${metaName(m, psize)}, txn ${m.txnid}) ${bad}`);
  }
  const filePages = Math.floor(size / psize);
  const reachesLast = filePages >= used.lastPg + 1;
  const full = options.full === true || !reachesLast;
  const walk = await walkTrees({ file: fh, fileBytes: size, psize, lastPg: used.lastPg, layout: l }, used, { full });
  if (walk.problem) {
    return damaged(walk.problem.kind, `${walk.problem.detail}; ${metaName(used, psize)} (txn ${used.txnid}) says the store has ${used.lastPg + 1} pages`);
  }
  return {
    state: 'ok',
    fileBytes: size,
    psize,
    txnid: used.txnid,
    lastPg: used.lastPg,
    entries: used.main.entries,
    named: walk.named,
    pagesRead: walk.pages,
    walked: full,
    rolledBack: used !== latest,
  };
}

/** Why a meta cannot describe a store of this file, or undefined. */
function badMeta(m: Meta, psize: number, l: Layout): string | undefined {
  if (m.psize !== psize) return `gives page size ${m.psize}, page 0 says ${psize}`;
  if (m.lastPg < NUM_METAS - 1) return `gives last page ${m.lastPg}, before the meta pages end`;
  // LMDB maps at least (mm_last_pg + 1) pages; more than the address space fails inside mdb_env_open (SIGSEGV).
  const maxMap = l.word === 8 ? 2 ** 46 : 2 ** 31;
  if ((m.lastPg + 1) * psize > maxMap) return `gives last page ${m.lastPg}, a map of ${(m.lastPg + 1) * psize} bytes`;
  for (const [name, root] of [['free-page tree', m.free.root], ['main database', m.main.root]] as const) {
    if (root !== l.invalidPgno && (root < NUM_METAS || root > m.lastPg)) return `puts the ${name} root at page ${root}, outside pages ${NUM_METAS}..${m.lastPg}`;
  }
  return undefined;
}

function metaName(m: Meta, psize: number): string {
  return m.at === 0 ? 'meta page 0' : m.at === psize ? 'meta page 1' : 'the flushed meta';
}

export interface PickContext {
  overlappingSync: boolean;
  bootId: bigint;
  safeRestore: boolean;
}

/**
 * The metas LMDB picks when it opens the environment alone (the relay's case): `header` by mdb_env_read_header
 * (page size and map size), `used` by mdb_env_pick_meta under MDB_PREVSNAPSHOT (the snapshot it rolls back to and
 * reads), and `latest`, the newest by txnid. lmdb-js sets MDB_PREVSNAPSHOT exactly when overlapping sync is on.
 */
export function pickMetas(m0: Meta, m1: Meta, mf: Meta | undefined, ctx: PickContext): { header: Meta; used: Meta; latest: Meta } {
  const pick = (a: Meta, b: Meta) => pickMeta(a, b, ctx);
  const header = mf ? pick(pick(m0, mf), m1) : pick(m0, m1);
  const used = mf ? pick(pick(m0, m1), mf) : pick(m0, m1);
  const latest = [m0, m1].reduce((a, b) => (a.txnid >= b.txnid ? a : b));
  return { header, used, latest };
}

/** mdb_pick_meta of the bundled mdb.c, for an environment opened with MDB_PREVSNAPSHOT iff overlapping sync. */
export function pickMeta(a: Meta, b: Meta, ctx: PickContext): Meta {
  const latest = a.txnid >= b.txnid ? a : b;
  if (!ctx.overlappingSync) return latest;
  if (b.txnid === 0) return a;
  const sameBoot = latest.bootId !== 0n && latest.bootId === ctx.bootId && !ctx.safeRestore;
  if (sameBoot || !(latest.flags & MDB_OVERLAPPINGSYNC)) return latest;
  return a.txnid > b.txnid ? b : a; // previous snapshot: the older one
}

let bootIdCache: bigint | undefined;

/** LMDB's boot id: strtoll(boot_id, NULL, 16), i.e. the leading hex digits of /proc/sys/kernel/random/boot_id. */
export async function currentBootId(): Promise<bigint> {
  if (bootIdCache !== undefined) return bootIdCache;
  let id = 0n;
  if (process.platform === 'linux') {
    try {
      id = parseBootId(await readFile('/proc/sys/kernel/random/boot_id', 'utf8'));
    } catch {
      id = 0n;
    }
  }
  bootIdCache = id;
  return id;
}

export function parseBootId(text: string): bigint {
  const m = /^\s*([+-]?)(?:0[xX])?([0-9a-fA-F]+)/.exec(text);
  if (!m) return 0n;
  const max = 2n ** 63n - 1n;
  let v = BigInt(`0x${m[2]}`);
  if (v > max) v = m[1] === '-' ? max + 1n : max; // strtoll saturates at LLONG_MAX / LLONG_MIN
  return m[1] === '-' ? -v : v;
}

/** The lock file holds no data; LMDB rebuilds it when it opens the environment alone. It must be a file it can open. */
async function checkLock(dir: string): Promise<LockState> {
  const path = join(dir, LOCK_FILE);
  const own = await lstatOrUndefined(path);
  if (!own) return { state: 'absent' };
  const target = await statOrUndefined(path);
  if (!target) return { state: 'bad', detail: `${LOCK_FILE} is a symbolic link to nothing` };
  if (!target.isFile()) return { state: 'bad', detail: `${LOCK_FILE} is ${describeType(target)}, not a file` };
  return { state: 'ok' };
}

/** LMDB opens data.mdb and lock.mdb read-write (and creates lock.mdb); a failure there also ends in SIGSEGV. */
async function canWrite(dir: string, dataPath: string, lock: LockState): Promise<AccessProblem | undefined> {
  const targets: [string, number][] = [[dataPath, constants.R_OK | constants.W_OK]];
  if (lock.state === 'ok') targets.push([join(dir, LOCK_FILE), constants.R_OK | constants.W_OK]);
  else targets.push([dir, constants.W_OK | constants.X_OK]);
  for (const [path, mode] of targets) {
    try {
      await access(path, mode);
    } catch (err) {
      return { state: 'no-access', path, code: (err as NodeJS.ErrnoException).code ?? 'EACCES', cause: err };
    }
  }
  return undefined;
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  // Past the end reads as zeros, which every check above treats as "not there".
  if (bytesRead < length) buf.fill(0, bytesRead);
  return buf;
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw err;
  }
}

function describeType(s: { isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFile()) return 'a file';
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isFIFO()) return 'a pipe';
  if (s.isSocket()) return 'a socket';
  return 'a device';
}
