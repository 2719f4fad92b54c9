/** Failure modes of the MeshCore gateway (runtime side). Protocol-level errors live in
 * firmware-protocol/meshcore/errors.ts (MeshCoreContactUnknownError, MeshCoreCommandRejectedError, ...). */
import { AbortError } from '../../../lib/errors.js';

/** A peer id that is not a MeshCore address (`mc:<hex key or prefix>` or `mc:ch:<index>`). */
export class MeshCoreAddressError extends Error {
  override readonly name = 'MeshCoreAddressError';
  constructor(readonly peer: string, readonly detail: string) {
    super(`not a MeshCore address: ${peer} (${detail})`);
  }
}

/** A device string that is neither a serial path nor host:port. */
export class MeshCoreDeviceSpecError extends Error {
  override readonly name = 'MeshCoreDeviceSpecError';
  constructor(readonly device: string, readonly detail: string) {
    super(`bad MeshCore device "${device}": ${detail}`);
  }
}

/** The gateway was stopped while a send or wait was pending. */
export class MeshCoreGatewayStoppedError extends AbortError {
  constructor(readonly bearer: string) {
    super(`MeshCore gateway ${bearer} stopped`);
  }
}
