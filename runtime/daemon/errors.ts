/** Errors of the daemon (the composition root); tests assert on `name`. */
import type { LockHolder } from '../storage/errors.js';

/** Another live `lattice run` uses this data directory: two would both write the vault and the airtime ledger. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(readonly dataDir: string, readonly holder: LockHolder, options?: { cause?: unknown }) {
    super(
      `data directory ${dataDir} is in use by another relay: process ${holder.pid} on ${holder.hostname}, started ${holder.startedAt} ` +
        `(stop it, or give this one another --data-dir)`,
      options,
    );
  }
}
