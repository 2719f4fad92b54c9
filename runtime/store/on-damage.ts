/**
 * What a relay does when a store file in its data directory is damaged at start (config `vault.onDamage`):
 * `recover` moves the damaged files aside and starts with an empty store, `refuse` exits with
 * EXIT_STORE_DAMAGED and changes nothing. Its own module (no imports) so the config schema can name the values
 * without loading LMDB.
 */
export const ON_DAMAGE = ['recover', 'refuse'] as const;
export type OnDamage = (typeof ON_DAMAGE)[number];
