/**
 * Key files of the data directory: written once, atomically (temp file, fsync, rename, fsync of the directory) with
 * mode 0600, and tightened to 0600 when found looser (someone copied one in). A key is a node's whole identity on its
 * mesh: half a file after a power cut would mint a new node.
 */
import { chmod, readFile, stat } from 'node:fs/promises';
import { writeFileDurably } from '../../lib/fs/durable-file.js';

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
  await writeFileDurably(path, text);
}
