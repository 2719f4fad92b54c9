/** Errors of the companion device side (this folder). Tests assert on `name`. */

/** The store could not read or write the device state (DataStore in the firmware). */
export class CompanionStoreError extends Error {
  override readonly name = 'CompanionStoreError';
  constructor(readonly path: string, readonly operation: 'load' | 'save' | 'format', cause: unknown) {
    super(`companion store ${path}: ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A stored state that does not have the layout this version writes (a hand-edited or foreign file). */
export class CompanionStateFormatError extends Error {
  override readonly name = 'CompanionStateFormatError';
  constructor(readonly path: string, readonly detail: string) {
    super(`companion store ${path}: ${detail}`);
  }
}

/** The TCP companion server could not listen. */
export class CompanionListenError extends Error {
  override readonly name = 'CompanionListenError';
  constructor(readonly host: string, readonly port: number, cause: unknown) {
    super(`companion server cannot listen on ${host}:${port}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A channel given in config that is neither public, a '#hashtag' nor a 16-byte key (hex or base64). */
export class CompanionChannelSpecError extends Error {
  override readonly name = 'CompanionChannelSpecError';
  constructor(readonly spec: string, readonly detail: string) {
    super(`channel ${JSON.stringify(spec)}: ${detail}`);
  }
}
