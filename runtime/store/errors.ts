/** Errors of the on-disk stores (the LMDB environments in the data directory); tests assert on `name`. */
import type { DamageKind } from './lmdb-env-check.js';

/** A store's files are damaged and the config says to refuse (`vault.onDamage: refuse`); nothing was changed. */
export class StoreDamagedError extends Error {
  override name = 'StoreDamagedError';
  constructor(
    readonly store: string,
    readonly path: string,
    readonly kind: DamageKind,
    readonly detail: string,
  ) {
    super(
      `${store} ${path} is damaged (${kind}): ${detail}; refusing to start because vault.onDamage is refuse, nothing was changed. ` +
        `Move ${path} aside to start with an empty ${store}, or set vault.onDamage: recover (LATTICE_VAULT_ON_DAMAGE=recover) to have the relay do it`,
    );
  }
}

/** A store's files exist but this process may not read or write them (wrong owner or mode, read-only filesystem). */
export class StoreAccessError extends Error {
  override name = 'StoreAccessError';
  constructor(
    readonly store: string,
    readonly path: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`${store}: cannot open ${path} for reading and writing (${code}); check its owner and mode (the relay runs as uid ${process.getuid?.() ?? '?'})`, options);
  }
}
