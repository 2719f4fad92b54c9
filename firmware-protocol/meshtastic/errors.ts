/** Errors of the Meshtastic client protocol layer. Tests assert on `name`; fields carry the details. */
import { AbortError } from '../../lib/errors.js';

export class MeshtasticHandshakeTimeoutError extends Error {
  override name = 'MeshtasticHandshakeTimeoutError';
  constructor(readonly link: string, readonly nonce: number, readonly timeoutMs: number, readonly received: number) {
    super(`${link}: no config_complete_id ${nonce} within ${timeoutMs} ms after want_config_id (${received} config frames received)`);
  }
}

export class MeshtasticLinkLostError extends Error {
  override name = 'MeshtasticLinkLostError';
  constructor(readonly link: string, options?: { cause?: unknown }) {
    super(`${link}: link to the radio closed`, options);
  }
}

export class MeshtasticNotReadyError extends Error {
  override name = 'MeshtasticNotReadyError';
  constructor(readonly link: string, readonly state: string) {
    super(`${link}: session is ${state}, not ready to send`);
  }
}

/** A DM needs the recipient's Curve25519 public key: since firmware 2.7.19 the radio refuses legacy DMs
 * (Router.cpp perhapsEncode: PKI_SEND_FAIL_PUBLIC_KEY) and since 2.7.14 receivers drop them. */
export class MeshtasticMissingPublicKeyError extends Error {
  override name = 'MeshtasticMissingPublicKeyError';
  constructor(readonly nodeId: string) {
    super(`cannot send a direct message to ${nodeId}: its public key is unknown (no NodeInfo with a public_key heard yet); the firmware refuses DMs without PKI`);
  }
}

export class MeshtasticPayloadTooLargeError extends RangeError {
  override name = 'MeshtasticPayloadTooLargeError';
  constructor(readonly length: number, readonly max: number) {
    super(`payload of ${length} bytes exceeds ${max} bytes (LoRa frame 255 = 16 header + Data; PKI adds 12)`);
  }
}

/** The radio answered QueueStatus with res != 0 or a Routing error for a packet we handed it. */
export class MeshtasticSendRejectedError extends Error {
  override name = 'MeshtasticSendRejectedError';
  constructor(readonly packetId: number, readonly code: number, readonly reason: string) {
    super(`radio rejected packet 0x${packetId.toString(16).padStart(8, '0')}: ${reason} (${code})`);
  }
}

export class MeshtasticTimeoutError extends Error {
  override name = 'MeshtasticTimeoutError';
  constructor(readonly waitedFor: string, readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms waiting for ${waitedFor}`);
  }
}

export class MeshtasticAbortError extends AbortError {
  constructor(readonly waitedFor: string, options?: { cause?: unknown }) {
    super(`aborted while waiting for ${waitedFor}`, options);
  }
}

export class MeshtasticBadAddressError extends TypeError {
  override name = 'MeshtasticBadAddressError';
  constructor(readonly address: string) {
    super(`not a Meshtastic address: ${JSON.stringify(address)} (want mt:!xxxxxxxx or mt:ch:<0..7>)`);
  }
}

export class MeshtasticDecodeError extends Error {
  override name = 'MeshtasticDecodeError';
  constructor(readonly what: string, readonly length: number, options?: { cause?: unknown }) {
    super(`cannot decode ${what} protobuf of ${length} bytes`, options);
  }
}
