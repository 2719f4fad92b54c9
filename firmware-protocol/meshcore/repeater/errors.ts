/** Errors of the MeshCore repeater (this folder). Tests assert on `name`. */

/** The repeater's persisted state could not be read or written (the repeater goes on with what it has in memory). */
export class RepeaterStoreError extends Error {
  override readonly name = 'RepeaterStoreError';
  constructor(readonly path: string, readonly operation: 'read' | 'write' | 'parse', options?: { cause?: unknown }) {
    super(`repeater store ${path}: ${operation} failed${options?.cause instanceof Error ? `: ${options.cause.message}` : ''}`, options);
  }
}

/** A prefs update outside the range the firmware's CLI accepts (the same bounds as CommonCLI's `set`). */
export class RepeaterPrefsError extends Error {
  override readonly name = 'RepeaterPrefsError';
  constructor(readonly field: string, detail: string) {
    super(`repeater prefs ${field}: ${detail}`);
  }
}
