/**
 * Every LMDB environment of the data directory (the vault, the shard store, the bridge queue, the simulator's
 * relays) opens through here: its files are checked first (lmdb-env-check.ts), because LMDB cannot be asked to
 * open a damaged file without killing the process (SIGBUS / SIGSEGV, no message, a crash loop under systemd).
 *
 * On damage, by `onDamage` (config `vault.onDamage`):
 * - `recover` (default): the environment directory is renamed to `<dir>.damaged-<time>` — kept whole, never
 *   deleted, so the bytes stay available to a human — one warning line says what was found and where it went, and
 *   LMDB creates a new, empty store;
 * - `refuse`: StoreDamagedError, nothing touched; `lattice run` exits with EXIT_STORE_DAMAGED.
 * A lock file that is not a regular file is moved aside in both modes: it holds no data.
 *
 * New files are owner-only: the directory 0700, data.mdb and lock.mdb 0600 (LMDB's permissionsMode).
 */
import { lstat, mkdir, open as openFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { open, type RootDatabase, type RootDatabaseOptionsWithPath } from 'lmdb';
import { createLogger, type Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { StoreAccessError, StoreDamagedError } from './errors.js';
import { checkLmdbEnv, LOCK_FILE, type CheckOptions, type DamageKind } from './lmdb-env-check.js';
import type { OnDamage } from './on-damage.js';

export type { OnDamage } from './on-damage.js';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export interface StoreGuard {
  /** What the store is, in the log line, errors and metrics: `vault`, `shards`, `bridge`, `sim vault`. */
  store: string;
  /** Default `recover`. */
  onDamage?: OnDamage;
  /** Registers lattice_store_damaged_total{store,kind}. */
  metrics?: Metrics;
  /** Default the `store` logger. */
  log?: Logger;
  /** Checker options (tests). */
  check?: CheckOptions;
}

/** What preparing the directory did. */
export type Prepared =
  | { outcome: 'new' | 'ok' }
  | { outcome: 'recovered'; kind: DamageKind; detail: string; movedTo: string }
  | { outcome: 'lock-replaced'; detail: string; movedTo: string };

const defaultLog = createLogger('store');

/** Checks (and on damage, recovers or refuses) the environment directory `dir`, then creates it if missing. */
export async function prepareStoreDir(dir: string, guard: StoreGuard): Promise<Prepared> {
  const log = guard.log ?? defaultLog;
  const result = await checkLmdbEnv(dir, guard.check);
  if (result.state === 'no-access') throw new StoreAccessError(describeStore(guard.store), result.path, result.code, { cause: result.cause });
  let prepared: Prepared = { outcome: result.state === 'absent' ? 'new' : 'ok' };
  if (result.state === 'damaged') {
    if ((guard.onDamage ?? 'recover') === 'refuse') throw new StoreDamagedError(describeStore(guard.store), dir, result.kind, result.detail);
    const movedTo = await moveAside(dir);
    counter(guard)?.inc({ store: guard.store, kind: result.kind });
    const what = describeStore(guard.store);
    log.warn(`${what} ${dir} is damaged (${result.kind}): ${result.detail}; moved it aside to ${movedTo} and starting with an empty ${what}`, {
      store: guard.store,
      path: dir,
      kind: result.kind,
      movedTo,
    });
    prepared = { outcome: 'recovered', kind: result.kind, detail: result.detail, movedTo };
  } else if (result.lock.state === 'bad') {
    const lockPath = join(dir, LOCK_FILE);
    const movedTo = await moveAside(lockPath);
    log.warn(`${describeStore(guard.store)} ${lockPath}: ${result.lock.detail}; moved it aside to ${movedTo} (it holds no data, LMDB makes a new one)`, {
      store: guard.store,
      path: lockPath,
      movedTo,
    });
    prepared = { outcome: 'lock-replaced', detail: result.lock.detail, movedTo };
  }
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  return prepared;
}

/** prepareStoreDir, then lmdb's open() of the directory with owner-only file modes. */
export async function openStore(options: RootDatabaseOptionsWithPath & { path: string }, guard: StoreGuard): Promise<RootDatabase> {
  await prepareStoreDir(options.path, guard);
  // permissionsMode is lmdb-js's mode for data.mdb and lock.mdb (env.cpp; missing from its typings).
  return open({ ...options, noSubdir: false, permissionsMode: FILE_MODE } as RootDatabaseOptionsWithPath);
}

/** The store's name in messages: `shards` is the shard store, `bridge` the bridge queue. */
export function describeStore(store: string): string {
  return store === 'shards' ? 'shard store' : store === 'bridge' ? 'bridge queue' : store;
}

function counter(guard: StoreGuard) {
  return guard.metrics?.counter({
    name: 'lattice_store_damaged_total',
    help: 'Damaged stores found at start and moved aside (store: vault, shards, bridge; kind: what was wrong)',
    labelNames: ['store', 'kind'] as const,
  });
}

/** Renames `path` to `<path>.damaged-<time>` (a free name) and makes the rename durable. Never deletes. */
async function moveAside(path: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let target = `${path}.damaged-${stamp}`;
  for (let i = 1; await exists(target); i++) target = `${path}.damaged-${stamp}-${i}`;
  await rename(path, target);
  const parent = await openFile(dirname(path), 'r');
  try {
    await parent.sync();
  } finally {
    await parent.close();
  }
  return target;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

