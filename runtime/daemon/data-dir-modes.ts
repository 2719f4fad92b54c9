/**
 * The data directory holds the relay's private key and, in its stores, every message it carries in clear
 * (broadcast texts, bundles): only its owner may read it. At start the directory and every directory in it become
 * 0700 and every file 0600; what the relay creates later is made that way by explicit modes (runtime/store/
 * open-store.ts, identity, ledger, spool) and by `lattice run`'s umask 077. Symbolic links are left alone (chmod
 * would follow them out of the directory).
 */
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

export interface TightenResult {
  /** Files whose mode was changed to 0600. */
  files: number;
  /** Directories (the data directory included) changed to 0700. */
  dirs: number;
  /** Entries whose mode could not be changed (owned by another user), with the error code. */
  failed: { path: string; code: string }[];
}

/** Creates `dataDir` (0700) if missing and makes everything in it owner-only. */
export async function tightenDataDir(dataDir: string): Promise<TightenResult> {
  await mkdir(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const result: TightenResult = { files: 0, dirs: 0, failed: [] };
  await visit(dataDir, result);
  return result;
}

async function visit(path: string, result: TightenResult): Promise<void> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // removed meanwhile
    throw err;
  }
  if (st.isSymbolicLink()) return;
  const isDir = st.isDirectory();
  if (!isDir && !st.isFile()) return; // sockets, pipes: nothing of ours
  const want = isDir ? DATA_DIR_MODE : DATA_FILE_MODE;
  if ((st.mode & 0o7777) !== want) {
    try {
      await chmod(path, want);
      if (isDir) result.dirs++;
      else result.files++;
    } catch (err) {
      result.failed.push({ path, code: (err as NodeJS.ErrnoException).code ?? String(err) });
    }
  }
  if (!isDir) return;
  let names: string[];
  try {
    names = await readdir(path);
  } catch (err) {
    result.failed.push({ path, code: (err as NodeJS.ErrnoException).code ?? String(err) });
    return;
  }
  for (const name of names) await visit(join(path, name), result);
}
