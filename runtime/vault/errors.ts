/** Vault errors; tests assert on `name`. */
export class VaultClosedError extends Error {
  override name = 'VaultClosedError';
  constructor(readonly operation: string) {
    super(`vault is not open (${operation})`);
  }
}

/** A stored row that does not parse: disk corruption or a newer on-disk format. The row is skipped, never fatal. */
export class VaultRowError extends Error {
  override name = 'VaultRowError';
  constructor(readonly db: string, readonly reason: string) {
    super(`unreadable ${db} row: ${reason}`);
  }
}
