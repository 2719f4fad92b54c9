/**
 * Errors of the over-the-air codec. One class per failure mode, a stable `name`, and a `reason` that is a metrics
 * label (`lattice_meshtastic_native_dropped_total{reason}`). Tests assert on `name` and `reason`, never on messages.
 */

/** Why a received LoRa frame was refused before any decryption (RadioLibInterface::handleReceiveInterrupt). */
export type OtaFrameFailure =
  /** Fewer than 16 bytes: no whole PacketHeader ("Ignore received packet too short"). */
  | 'too-short'
  /** More than 255 bytes: no SX12xx delivers that (MAX_LORA_PAYLOAD_LEN); only a bug or a hostile feed can. */
  | 'too-long'
  /** Header `from` is 0 ("Ignore received packet without sender": it could do remote admin without permission). */
  | 'no-sender';

export class MeshtasticOtaFrameError extends Error {
  override name = 'MeshtasticOtaFrameError';
  constructor(readonly reason: OtaFrameFailure, readonly length: number) {
    super(`LoRa frame of ${length} bytes refused: ${reason}`);
  }
}

/** Why a MeshPacket cannot be put on the air (RadioInterface::beginSending asserts these; we refuse instead). */
export type OtaEncodeFailure =
  /** The payload is not `encrypted`: encode it with a PacketCipher first. */
  | 'not-encrypted'
  /** `from` is 0, an uninitialised sender. */
  | 'no-sender'
  /** Header + payload > 255 bytes. */
  | 'too-long';

export class MeshtasticOtaEncodeError extends Error {
  override name = 'MeshtasticOtaEncodeError';
  constructor(readonly reason: OtaEncodeFailure, readonly packetId: number) {
    super(`cannot put packet 0x${(packetId >>> 0).toString(16).padStart(8, '0')} on the air: ${reason}`);
  }
}

/** A channel's PSK is longer than 32 bytes: the firmware cannot hold it (ChannelSettings.psk max_size 32). */
export class MeshtasticChannelKeyError extends RangeError {
  override name = 'MeshtasticChannelKeyError';
  readonly reason = 'psk-too-long';
  constructor(readonly index: number, readonly length: number) {
    super(`channel ${index}: PSK of ${length} bytes (at most 32)`);
  }
}

/** A Curve25519 key that is not 32 bytes (config.security.private_key / User.public_key are bytes[32]). */
export class MeshtasticPkiKeyError extends RangeError {
  override name = 'MeshtasticPkiKeyError';
  readonly reason = 'bad-key-length';
  constructor(readonly what: string, readonly length: number) {
    super(`${what}: Curve25519 key of ${length} bytes (want 32)`);
  }
}

/** A packet handed to `PacketCipher.encrypt` with neither `decoded` nor `encrypted` payload (Router::send answers
 * BAD_REQUEST before perhapsEncode ever sees one): a caller bug, not a radio condition. */
export class MeshtasticPacketShapeError extends TypeError {
  override name = 'MeshtasticPacketShapeError';
  readonly reason = 'no-payload';
  constructor(readonly packetId: number) {
    super(`packet 0x${(packetId >>> 0).toString(16).padStart(8, '0')} has no payload`);
  }
}
