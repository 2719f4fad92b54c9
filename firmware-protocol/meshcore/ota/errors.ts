/** Errors of the MeshCore over-the-air codec (this folder). Tests assert on `name` and `reason`. */

/** Why a received frame is not a MeshCore packet; the mesh counts drops by this reason. */
export type MalformedReason =
  | 'empty'
  | 'version'
  | 'path-mode'
  | 'path-length'
  | 'truncated'
  | 'payload-too-long'
  | 'no-payload'
  | 'payload-layout';

/** A frame or payload that does not decode as the firmware would parse it (Dispatcher::tryParsePacket). */
export class MeshCoreMalformedPacketError extends Error {
  override readonly name = 'MeshCoreMalformedPacketError';
  constructor(readonly reason: MalformedReason, detail: string) {
    super(`malformed MeshCore packet (${reason}): ${detail}`);
  }
}

/** A packet we were asked to build would not fit the firmware's limits (payload 184 B, path 64 B, 255 B on air). */
export class MeshCorePacketTooLargeError extends Error {
  override readonly name = 'MeshCorePacketTooLargeError';
  constructor(readonly what: string, readonly size: number, readonly limit: number) {
    super(`MeshCore ${what} is ${size} bytes, the limit is ${limit}`);
  }
}

/** A private key that is not a valid orlp/ed25519 64-byte expanded key (or a seed of the wrong length). */
export class MeshCoreKeyError extends Error {
  override readonly name = 'MeshCoreKeyError';
  constructor(detail: string) {
    super(`MeshCore identity key: ${detail}`);
  }
}
