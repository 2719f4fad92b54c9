/**
 * ToRadio / FromRadio / MeshPacket helpers over the official schemas from @meshtastic/protobufs (protobuf-es v2:
 * create / toBinary / fromBinary). Field numbers and semantics: protobufs meshtastic/mesh.proto; the size limits
 * come from the firmware (RadioInterface.h MAX_LORA_PAYLOAD_LEN 255, MESHTASTIC_HEADER_LENGTH 16,
 * MESHTASTIC_PKC_OVERHEAD 12; Router.cpp perhapsEncode refuses larger packets with TOO_LARGE).
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { MeshtasticDecodeError } from './errors.js';
import { NODENUM_BROADCAST } from './node-id.js';

export type ToRadio = Mesh.ToRadio;
export type FromRadio = Mesh.FromRadio;
export type MeshPacket = Mesh.MeshPacket;
export { Mesh, Portnums };

export const MAX_LORA_PAYLOAD_LEN = 255;
export const MESHTASTIC_HEADER_LENGTH = 16;
export const MESHTASTIC_PKC_OVERHEAD = 12;
/** firmware src/mesh/Default.h HOP_RELIABLE / config.lora.hop_limit default */
export const DEFAULT_HOP_LIMIT = 3;
/** firmware src/mesh/MeshTypes.h HOP_MAX */
export const HOP_MAX = 7;
/** Special want_config_id nonces (PhoneAPI.h): config only / node DB only. Avoided when picking a random nonce. */
export const SPECIAL_NONCE_ONLY_CONFIG = 69420;
export const SPECIAL_NONCE_ONLY_NODES = 69421;

export function encodeToRadio(init: Parameters<typeof create<typeof Mesh.ToRadioSchema>>[1]): Uint8Array {
  return toBinary(Mesh.ToRadioSchema, create(Mesh.ToRadioSchema, init));
}

export function encodeFromRadio(init: Parameters<typeof create<typeof Mesh.FromRadioSchema>>[1]): Uint8Array {
  return toBinary(Mesh.FromRadioSchema, create(Mesh.FromRadioSchema, init));
}

export function decodeFromRadio(bytes: Uint8Array): FromRadio {
  try {
    return fromBinary(Mesh.FromRadioSchema, bytes);
  } catch (err) {
    throw new MeshtasticDecodeError('FromRadio', bytes.length, { cause: err });
  }
}

export function decodeToRadio(bytes: Uint8Array): ToRadio {
  try {
    return fromBinary(Mesh.ToRadioSchema, bytes);
  } catch (err) {
    throw new MeshtasticDecodeError('ToRadio', bytes.length, { cause: err });
  }
}

export function wantConfigToRadio(nonce: number): Uint8Array {
  return encodeToRadio({ payloadVariant: { case: 'wantConfigId', value: nonce >>> 0 } });
}

/** Heartbeat nonce 0 is a keepalive the firmware answers with a QueueStatus (PhoneAPI.cpp handleToRadio);
 * nonce 1 would make the radio broadcast its NodeInfo, so never send 1 here. */
export function heartbeatToRadio(): Uint8Array {
  return encodeToRadio({ payloadVariant: { case: 'heartbeat', value: { nonce: 0 } } });
}

export function disconnectToRadio(): Uint8Array {
  return encodeToRadio({ payloadVariant: { case: 'disconnect', value: true } });
}

export function packetToRadio(packet: MeshPacket): Uint8Array {
  return encodeToRadio({ payloadVariant: { case: 'packet', value: packet } });
}

export interface OutgoingPacket {
  /** Our radio's node number. The firmware overwrites `from` on packets it sends, but it addresses its
   * RATE_LIMIT_EXCEEDED answer to the client-supplied `from` (PhoneAPI.cpp → MeshService::sendRoutingErrorResponse
   * → sendAckNak(err, mp->from, …)); with from = 0 that NAK would go to node 0 on the mesh instead of to us. */
  from?: number;
  /** Node number, or NODENUM_BROADCAST for a channel broadcast. */
  to: number;
  /** Channel index 0..7 (not the hash); ignored by the firmware for PKI DMs. */
  channel: number;
  portnum: Portnums.PortNum;
  payload: Uint8Array;
  id: number;
  hopLimit: number;
  wantAck: boolean;
  replyId?: number;
}

export function buildMeshPacket(p: OutgoingPacket): MeshPacket {
  return create(Mesh.MeshPacketSchema, {
    from: (p.from ?? 0) >>> 0,
    to: p.to >>> 0,
    channel: p.channel,
    id: p.id >>> 0,
    // Always explicit: with want_ack=false and hop_limit=0 the firmware sends zero-hop (Router.cpp sendLocal).
    hopLimit: p.hopLimit,
    wantAck: p.wantAck,
    payloadVariant: {
      case: 'decoded',
      value: { portnum: p.portnum, payload: p.payload, replyId: p.replyId ?? 0 },
    },
  });
}

/**
 * Whether `payload` on `portnum` fits one LoRa frame: the firmware encodes Data (adding `bitfield`, 2 bytes, on
 * packets it originates) and refuses when 16 + len (+ 12 for PKI DMs) > 255.
 */
export function dataFits(portnum: Portnums.PortNum, payload: Uint8Array, pki: boolean, replyId?: number): boolean {
  const data = create(Mesh.DataSchema, { portnum, payload, replyId: replyId ?? 0, bitfield: 1 });
  const len = toBinary(Mesh.DataSchema, data).length;
  return len + MESHTASTIC_HEADER_LENGTH + (pki ? MESHTASTIC_PKC_OVERHEAD : 0) <= MAX_LORA_PAYLOAD_LEN && payload.length <= 233;
}

export function isBroadcast(to: number): boolean {
  return to >>> 0 === NODENUM_BROADCAST;
}

/** Name for a Routing.error_reason (mesh.proto Routing.Error). */
export function routingErrorName(code: number): string {
  return Mesh.Routing_Error[code] ?? `error ${code}`;
}

/**
 * Name for a QueueStatus.res. MeshService::sendToMesh reports Router::sendLocal's ErrorCode, which is either a
 * firmware ERRNO_* (src/mesh/MeshTypes.h: 32 UNKNOWN — RadioLibInterface::send's answer to a full TX queue —,
 * 33 NO_INTERFACES, 34 DISABLED, 35 SHOULD_RELEASE) or a Routing.Error cast to it (TOO_LARGE, NO_CHANNEL,
 * PKI_SEND_FAIL_PUBLIC_KEY…), and 32..35 overlap. The QueueStatus that reports a full queue also says free = 0.
 */
export function queueStatusResName(code: number, free: number): string {
  switch (code) {
    case 32: return free === 0 ? 'ERRNO_UNKNOWN (tx queue full)' : 'ERRNO_UNKNOWN / BAD_REQUEST';
    case 33: return 'ERRNO_NO_INTERFACES';
    case 34: return 'ERRNO_DISABLED (LoRa tx disabled or region unset)';
    case 35: return 'ERRNO_SHOULD_RELEASE';
    default: return routingErrorName(code);
  }
}

/** A random non-zero packet id (firmware generatePacketId: any unique-per-sender uint32 works). */
export function randomPacketId(random: () => number = Math.random): number {
  let id = 0;
  while (id === 0) id = Math.floor(random() * 0x1_0000_0000) >>> 0;
  return id;
}
