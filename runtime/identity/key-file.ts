/**
 * Key files of the data directory: written once, atomically (temp file, fsync, rename, fsync of the directory) with
 * mode 0600, and tightened to 0600 when found looser (someone copied one in). A key is a node's whole identity on its
 * mesh: half a file after a power cut would mint a new node.
 */
import { chmod, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The file's text, or undefined when it does not exist (any other read error is thrown). */
export async function readKeyFile(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    const st = await stat(path);
    if ((st.mode & 0o077) !== 0) await chmod(path, 0o600);
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeKeyFile(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const d = await open(dir, 'r');
  try { await d.sync(); } finally { await d.close(); }
}
