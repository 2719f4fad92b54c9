/** Identity errors; tests assert on `name`. */
export class IdentityFileError extends Error {
  override name = 'IdentityFileError';
  constructor(readonly path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
  }
}
