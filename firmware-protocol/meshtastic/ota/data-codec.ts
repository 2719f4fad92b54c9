/**
 * The `Data` protobuf as the firmware's nanopb sees it (Router.cpp pb_decode_from_bytes / pb_encode_to_bytes with
 * src/mesh/generated/meshtastic/mesh.pb.h). protobuf-es is more lenient than nanopb in two places that matter on
 * the air, so they are checked here: `payload` is a PB_BYTES_ARRAY_T(233) (longer fails to decode) and `bitfield`
 * a uint8_t (a larger varint is "integer too large"). Unknown fields are dropped, as nanopb drops them: a 2.7 node
 * that decodes and re-encodes a packet (relay, TRACEROUTE) loses them.
 */
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';

/** mesh.options `*Data.payload max_size:233` (Constants.DATA_PAYLOAD_LEN) */
export const DATA_PAYLOAD_LEN = 233;

/** The Data the firmware would decode from these bytes, or `null` where pb_decode fails. */
export function decodeData(bytes: Uint8Array): Mesh.Data | null {
  let data: Mesh.Data;
  try {
    data = fromBinary(Mesh.DataSchema, bytes, { readUnknownFields: false });
  } catch {
    return null;
  }
  if (data.payload.length > DATA_PAYLOAD_LEN) return null;
  if (data.bitfield !== undefined && data.bitfield > 0xff) return null;
  return data;
}

export function encodeData(data: Mesh.Data): Uint8Array {
  return toBinary(Mesh.DataSchema, data, { writeUnknownFields: false });
}
