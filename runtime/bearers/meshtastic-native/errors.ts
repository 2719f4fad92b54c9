/** Errors of the native Meshtastic node; tests assert on `name`. */
import { AbortError } from '../../../lib/errors.js';

/** The node's key file exists but is not an X25519 key: refusing it beats minting a new key (a new node number). */
export class NativeIdentityError extends Error {
  override name = 'NativeIdentityError';
  constructor(readonly path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
  }
}

/** The native node's settings cannot work (region, preset, channel placement). */
export class NativeConfigError extends Error {
  override name = 'NativeConfigError';
  constructor(readonly bearer: string, readonly reason: string) {
    super(`${bearer}: ${reason}`);
  }
}

/** The native node was stopped while a send was pending. */
export class NativeNodeStoppedError extends AbortError {
  constructor(readonly bearer: string) {
    super(`${bearer} stopped`);
  }
}
