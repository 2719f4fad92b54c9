/**
 * Errors of the MeshCore mesh (this folder): what the firmware's packet factories and send calls refuse (they return
 * NULL or log and return in src/Mesh.cpp). Tests assert on `name` and the structured fields. Frames that do not
 * parse are not errors here: they are counted (MeshCounters.dropped) and handed to MeshHandler.onMalformed.
 */

/** A create* factory was asked for a payload type it does not build (Mesh::createDatagram & co: "invalid type"). */
export class MeshCoreInvalidPayloadTypeError extends Error {
  override readonly name = 'MeshCoreInvalidPayloadTypeError';
  constructor(readonly factory: string, readonly payloadType: number) {
    super(`${factory} does not build payload type 0x${payloadType.toString(16)}`);
  }
}

/** A send call the firmware refuses: a TRACE sent by flood, a path hash size other than 1..3 (Mesh::sendFlood). */
export class MeshCoreSendRefusedError extends Error {
  override readonly name = 'MeshCoreSendRefusedError';
  constructor(readonly reason: 'trace-flood' | 'path-hash-size' | 'invalid-packet', detail: string) {
    super(`MeshCore send refused (${reason}): ${detail}`);
  }
}
