/** Failure modes of the Meshtastic gateway (runtime side). Protocol-level errors live in
 * firmware-protocol/meshtastic/errors.ts (MeshtasticMissingPublicKeyError, MeshtasticSendRejectedError, …). */
import { AbortError } from '../../../lib/errors.js';

/** A device string that is neither a serial path nor host[:port]. */
export class MeshtasticDeviceSpecError extends Error {
  override readonly name = 'MeshtasticDeviceSpecError';
  constructor(readonly device: string, readonly detail: string) {
    super(`bad Meshtastic device "${device}": ${detail}`);
  }
}

/** The gateway was stopped while a send was pending. */
export class MeshtasticGatewayStoppedError extends AbortError {
  constructor(readonly bearer: string) {
    super(`Meshtastic gateway ${bearer} stopped`);
  }
}
