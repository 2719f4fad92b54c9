/**
 * Test support: the ToRadio messages the official Python CLI (meshtastic/python:meshtastic/__main__.py, node.py,
 * mesh_interface.py) writes for its commands, built field by field as it builds them, and a byte-level client that
 * writes them to a device side the way StreamInterface does (32 wake-up bytes, then framed ToRadio) and collects the
 * FromRadio frames it gets back.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Admin, Mesh, Portnums, Telemetry } from '@meshtastic/protobufs';
import { MeshtasticStreamDecoder, STREAM_WAKE_BYTES, encodeStreamFrame } from '../../../framing/meshtastic-stream.js';
import type { ClientSink } from '../phone-api.js';

/** MeshInterface._generatePacketId: a rolling 10-bit counter under 22 random bits. */
let counter = 0x155;
export function pythonPacketId(): number {
  counter = (counter + 1) & 0x3ff;
  return ((Math.floor(Math.random() * 0x3fffff) << 10) | counter) >>> 0;
}

/** MeshInterface.sendData → _sendPacket, as a ToRadio. */
export function pythonSendData(o: {
  payload: Uint8Array; to: number; portnum: Portnums.PortNum; wantAck?: boolean; wantResponse?: boolean; channel?: number;
  hopLimit: number; pkiEncrypted?: boolean; id?: number;
}): { bytes: Uint8Array; id: number } {
  const id = o.id ?? pythonPacketId();
  const packet = create(Mesh.MeshPacketSchema, {
    to: o.to,
    channel: o.channel ?? 0,
    id,
    wantAck: o.wantAck ?? false,
    hopLimit: o.hopLimit,
    pkiEncrypted: o.pkiEncrypted ?? false,
    priority: Mesh.MeshPacket_Priority.RELIABLE,
    payloadVariant: { case: 'decoded', value: { portnum: o.portnum, payload: o.payload, wantResponse: o.wantResponse ?? false } },
  });
  return { bytes: toBinary(Mesh.ToRadioSchema, create(Mesh.ToRadioSchema, { payloadVariant: { case: 'packet', value: packet } })), id };
}

/** Node._sendAdmin: to the local node, ADMIN_APP, wantAck, wantResponse (default True), pkiEncrypted, on the
 * admin channel index (0 without a channel named "admin"). */
export function pythonAdmin(myNodeNum: number, hopLimit: number, admin: Parameters<typeof create<typeof Admin.AdminMessageSchema>>[1], wantResponse = true) {
  const payload = toBinary(Admin.AdminMessageSchema, create(Admin.AdminMessageSchema, admin));
  return pythonSendData({ payload, to: myNodeNum, portnum: Portnums.PortNum.ADMIN_APP, wantAck: true, wantResponse, hopLimit, pkiEncrypted: true });
}

export function pythonWantConfig(nonce: number): Uint8Array {
  return toBinary(Mesh.ToRadioSchema, create(Mesh.ToRadioSchema, { payloadVariant: { case: 'wantConfigId', value: nonce } }));
}

export function pythonDisconnect(): Uint8Array {
  return toBinary(Mesh.ToRadioSchema, create(Mesh.ToRadioSchema, { payloadVariant: { case: 'disconnect', value: true } }));
}

export function pythonTelemetryRequest(): Uint8Array {
  return toBinary(Telemetry.TelemetrySchema, create(Telemetry.TelemetrySchema, { variant: { case: 'deviceMetrics', value: {} } }));
}

/** A client on bytes: feeds what it writes to `deliver`, decodes what the device writes to it. */
export class ByteClient {
  readonly frames: Mesh.FromRadio[] = [];
  readonly sink: ClientSink;
  closed = false;
  private readonly dec = new MeshtasticStreamDecoder();

  constructor(name = 'python') {
    this.sink = {
      kind: 'tcp',
      name,
      write: (frame) => {
        for (const e of this.dec.push(frame)) if (e.type === 'frame') this.frames.push(fromBinary(Mesh.FromRadioSchema, e.payload));
      },
      close: () => (this.closed = true),
      end: () => (this.closed = true),
    };
  }

  /** StreamInterface.connect: wake bytes first. */
  static wake(): Uint8Array {
    return STREAM_WAKE_BYTES;
  }

  static frame(toRadio: Uint8Array): Uint8Array {
    return encodeStreamFrame(toRadio);
  }

  packets(): Mesh.MeshPacket[] {
    return this.frames.flatMap((f) => (f.payloadVariant.case === 'packet' ? [f.payloadVariant.value] : []));
  }

  answersTo(id: number): Mesh.MeshPacket[] {
    return this.packets().filter((p) => p.payloadVariant.case === 'decoded' && p.payloadVariant.value.requestId === id);
  }

  configComplete(nonce: number): boolean {
    return this.frames.some((f) => f.payloadVariant.case === 'configCompleteId' && f.payloadVariant.value === nonce);
  }
}
