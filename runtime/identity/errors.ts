/** Identity errors; tests assert on `name`. */
export class IdentityFileError extends Error {
  override name = 'IdentityFileError';
  constructor(readonly path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
  }
}

/** A peer's node id that has no X25519 form (not a curve point, the neutral point, or a low-order key). */
export class InvalidPeerKeyError extends Error {
  override name = 'InvalidPeerKeyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`invalid peer key: ${message}`, options);
  }
}
