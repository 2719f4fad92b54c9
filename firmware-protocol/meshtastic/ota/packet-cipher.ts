/**
 * The seam between the over-the-air codec (this folder) and the mesh router (../mesh/): packets move between them,
 * and to the device side (../device/), as the official `MeshPacket` the firmware itself passes around
 * (mesh.proto; firmware src/mesh/Router.cpp keeps `meshtastic_MeshPacket` from the radio to the phone).
 *
 * On the air a packet is the 16-byte header plus an encrypted payload (firmware src/mesh/RadioInterface.h
 * PacketHeader). `decodeOtaFrame` (ota-frame.ts) gives a MeshPacket with `payloadVariant.case === 'encrypted'` and
 * `channel` = the header's channel HASH byte, exactly as RadioLibInterface::handleReceiveInterrupt fills it; a
 * PacketCipher turns it into the decoded form (Router::perhapsDecode: `channel` becomes the channel INDEX,
 * `pkiEncrypted` and `publicKey` set for a PKI DM) and back (Router::perhapsEncode).
 */
import type { Mesh } from '@meshtastic/protobufs';

/** Why a received packet could not be decoded; each is a metrics label (`lattice_meshtastic_native_dropped_total{reason}`). */
export type DecodeFailure =
  /** No local channel has this hash, and it is not a PKI DM to us (Router::perhapsDecode "no suitable channel"). */
  | 'no-channel'
  /** A channel matched but nothing parsed as `Data` with portnum ≠ 0 (wrong key, corrupt bytes). */
  | 'undecryptable'
  /** A PKI DM to us from a node whose public key we do not have. */
  | 'pki-unknown-key'
  /** A PKI DM whose CCM tag did not verify. */
  | 'pki-bad-tag'
  /** A channel-encrypted TEXT_MESSAGE_APP addressed to us: since 2.7.14 the firmware rejects these "legacy DMs"
   * unless the owner is licensed (Router::perhapsDecode "Rejecting legacy DM"). */
  | 'legacy-dm';

/** Why a packet could not be encoded for the air (Router::perhapsEncode's refusals, meshtastic_Routing_Error). */
export type EncodeFailure =
  /** Encoded Data + header (+ PKI overhead) > 255 bytes: Routing_Error TOO_LARGE. */
  | 'too-large'
  /** A DM that must go PKI but the recipient's public key is unknown: PKI_SEND_FAIL_PUBLIC_KEY. */
  | 'pki-no-public-key'
  /** The packet names a channel index that is not configured: NO_CHANNEL. */
  | 'no-channel'
  /** PKI_FAILED: the client asked for PKI (`pkiEncrypted`) but the packet cannot go PKI, or its `publicKey`
   * differs from the one we hold for the recipient. */
  | 'pki-failed';

export type DecodeResult = { ok: true; packet: Mesh.MeshPacket } | { ok: false; reason: DecodeFailure };
export type EncodeResult = { ok: true; packet: Mesh.MeshPacket } | { ok: false; reason: EncodeFailure };

export interface PacketCipher {
  /**
   * Router::perhapsDecode: a packet received encrypted (`channel` = hash) comes back decoded (`channel` = index),
   * trying every channel whose hash matches and taking the first that parses as Data with portnum ≠ 0; a PKI DM to
   * us (`channel` 0, to = us, payload > 12 bytes) is opened with the sender's key. The input is not modified.
   */
  decrypt(packet: Mesh.MeshPacket): DecodeResult;
  /**
   * Router::perhapsEncode: a decoded packet (`channel` = index) comes back encrypted (`channel` = hash, or 0 for a
   * PKI DM). A DM to a node whose public key is known goes PKI as the firmware chooses it. The input is not modified.
   */
  encrypt(packet: Mesh.MeshPacket): EncodeResult;
}
