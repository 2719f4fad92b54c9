/**
 * FileLedgerStore: the airtime ledger as one small JSON file in the data directory, replaced atomically
 * (write `<file>.tmp`, fsync, rename over the file, fsync the directory) so a power cut leaves either the old or the
 * new ledger, never a torn one. A file that does not parse is renamed to `<file>.corrupt-<ms>` (kept for a human)
 * and reported as LedgerCorruptError.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LedgerCorruptError } from './errors.js';
import { snapshotProblem, type LedgerSnapshot, type LedgerStore } from './ledger-store.js';

export class FileLedgerStore implements LedgerStore {
  private dirReady = false;

  constructor(readonly path: string) {}

  async load(): Promise<LedgerSnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let value: unknown;
    let problem: string | undefined;
    try {
      value = JSON.parse(text);
      problem = snapshotProblem(value);
    } catch (err) {
      problem = `not JSON (${(err as Error).message})`;
    }
    if (problem !== undefined) {
      await rename(this.path, `${this.path}.corrupt-${Date.now()}`).catch(() => undefined);
      throw new LedgerCorruptError(this.path, problem);
    }
    return value as LedgerSnapshot;
  }

  async save(snapshot: LedgerSnapshot): Promise<void> {
    const tmp = `${this.path}.tmp`;
    if (!this.dirReady) {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      this.dirReady = true;
    }
    // Owner-only, like everything in the data directory.
    const file = await open(tmp, 'w', 0o600);
    try {
      await file.writeFile(JSON.stringify(snapshot));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
    // fsync the directory so the rename itself is durable (ext4 without it can lose the new name on power loss).
    const dir = await open(dirname(this.path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
