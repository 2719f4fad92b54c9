/**
 * A file replaced so that a power cut leaves the old content or the new, never a torn or empty one: write a temp
 * file, fsync it, rename it over the old, fsync the directory (ext4 without the last step can lose the new name).
 * One implementation for every small state file of the data directory (keys, ledgers, counters, stores).
 */
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeFileDurably(path: string, data: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w', options.mode ?? 0o600);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
