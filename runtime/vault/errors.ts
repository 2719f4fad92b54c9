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

/**
 * The vault takes no more bundles: its byte budget (`vault.maxBytes`) is used by bundles it must keep (queued or
 * awaiting delivery; delivered and expired ones were evicted first), or the disk under it is full. What it already
 * holds is kept and still relayed. The API answers 507; a relay offering custody is refused (not acknowledged).
 */
export class StoreFullError extends Error {
  override name = 'StoreFullError';
  constructor(
    readonly reason: 'budget' | 'disk',
    readonly usedBytes: number,
    readonly budgetBytes: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(reason === 'budget'
      ? `vault full: ${usedBytes} B used of its ${budgetBytes} B budget (vault.maxBytes) by bundles still to deliver`
      : `vault full: the disk under the vault has no room left (${usedBytes} B used by the vault)`, options);
  }
}

/** A vault write failed for another reason than a full disk (I/O error); nothing acknowledged is lost. */
export class VaultWriteError extends Error {
  override name = 'VaultWriteError';
  constructor(readonly operation: string, options?: { cause?: unknown }) {
    super(`vault write failed (${operation}): ${String((options?.cause as Error | undefined)?.message ?? options?.cause)}`, options);
  }
}
