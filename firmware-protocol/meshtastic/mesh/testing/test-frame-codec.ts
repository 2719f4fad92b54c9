/**
 * Test support: the 16-byte Meshtastic header (firmware RadioInterface.h PacketHeader), minimal and local to the mesh
 * tests so they do not depend on ota/ota-frame.ts. Production wires the real decodeOtaFrame / encodeOtaFrame.
 */
import { create } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';

export class ShortFrameError extends Error {
  override name = 'ShortFrameError';
}

export function decodeTestFrame(bytes: Uint8Array): Mesh.MeshPacket {
  if (bytes.length < 16) throw new ShortFrameError(`frame of ${bytes.length} bytes is shorter than the 16-byte header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = bytes[12]!;
  return create(Mesh.MeshPacketSchema, {
    to: v.getUint32(0, true),
    from: v.getUint32(4, true),
    id: v.getUint32(8, true),
    hopLimit: flags & 7,
    wantAck: (flags & 8) !== 0,
    viaMqtt: (flags & 16) !== 0,
    hopStart: flags >> 5,
    channel: bytes[13]!,
    nextHop: bytes[14]!,
    relayNode: bytes[15]!,
    payloadVariant: { case: 'encrypted', value: bytes.slice(16) },
  });
}

export function encodeTestFrame(p: Mesh.MeshPacket): Uint8Array {
  if (p.payloadVariant.case !== 'encrypted') throw new TypeError('only encrypted packets go on air');
  const payload = p.payloadVariant.value;
  const out = new Uint8Array(16 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, p.to >>> 0, true);
  v.setUint32(4, p.from >>> 0, true);
  v.setUint32(8, p.id >>> 0, true);
  out[12] = (p.hopLimit & 7) | (p.wantAck ? 8 : 0) | (p.viaMqtt ? 16 : 0) | ((p.hopStart & 7) << 5);
  out[13] = p.channel & 0xff;
  out[14] = p.nextHop & 0xff;
  out[15] = p.relayNode & 0xff;
  out.set(payload, 16);
  return out;
}
