/**
 * The data directory holds the relay's private key and, in its stores, every message it carries in clear
 * (broadcast texts, bundles): only its owner may read it. At start the directory becomes 0700, and everything the
 * relay keeps in it (its key, stores, spool, ledgers, the simulator's relays, damaged copies kept aside) 0700 for
 * directories and 0600 for files; what the relay creates later is made that way by explicit modes (runtime/store/
 * open-store.ts, identity, ledger, spool) and by `lattice run`'s umask 077.
 *
 * Entries that are not the relay's are left as they are: a data directory pointed at a home directory must not
 * strip the execute bits of someone's scripts, and the 0700 directory already keeps other users out of all of it.
 * Symbolic links are never followed (chmod would change what they point to, outside the directory).
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

/**
 * Names the relay gives to what it keeps at the top of the data directory: node.key (and its .tmp / .replaced
 * copies), vault, shards, shards-spool, bridge, sim, airtime*.json (LoRa duty-cycle ledgers, and their .lock), the
 * `<name>.damaged-<time>` copies of stores found damaged, lattice.lock (data-dir-lock.ts), power-state.json (the
 * power monitor's, and its .tmp / .corrupt- copies) and lora-v2-stamp (the v2 stamp mark, and its .tmp).
 */
const OWN_ENTRIES = [/^node\.key(\.|$)/, /^(vault|shards|bridge)(\.damaged-|$)/, /^shards-spool$/, /^sim$/, /^airtime[^/]*\.json/, /^lattice\.lock$/, /^power-state\.json(\.|$)/, /^lora-v2-stamp(\.|$)/];

export function isRelayEntry(name: string): boolean {
  return OWN_ENTRIES.some((re) => re.test(name));
}

/** Creates `dataDir` (0700) if missing and makes it, and everything of the relay's in it, owner-only. */
export async function tightenDataDir(dataDir: string): Promise<TightenResult> {
  await mkdir(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const result: TightenResult = { files: 0, dirs: 0, failed: [] };
  await visit(dataDir, result, (name) => isRelayEntry(name));
  return result;
}

/** Sets the mode of `path`, then (directories) of the children `descend` accepts, and of all below those. */
async function visit(path: string, result: TightenResult, descend: (name: string) => boolean = () => true): Promise<void> {
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
  for (const name of names) if (descend(name)) await visit(join(path, name), result);
}
