/** Errors of the native MeshCore node; tests assert on `name`. */

/** The node's key file exists but is not a MeshCore seed: refusing it beats minting a new key (a new node). */
export class McIdentityError extends Error {
  override name = 'McIdentityError';
  constructor(readonly path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
  }
}

/** The node's settings cannot work (preset, region, channel placement). */
export class McConfigError extends Error {
  override name = 'McConfigError';
  constructor(readonly bearer: string, readonly reason: string) {
    super(`${bearer}: ${reason}`);
  }
}
