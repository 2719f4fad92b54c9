/**
 * The LoRa frame: a 16-byte PacketHeader followed by the encrypted payload (firmware src/mesh/RadioInterface.h
 * PacketHeader / RadioBuffer). Little-endian like the firmware's in-memory struct on every Meshtastic MCU.
 *
 *   0  to (u32 LE)   4  from (u32 LE)   8  id (u32 LE)
 *   12 flags: hop_limit bits 0-2, want_ack bit 3, via_mqtt bit 4, hop_start bits 5-7
 *   13 channel hash   14 next_hop (last byte)   15 relay_node (last byte)   16.. payload
 *
 * Pure: no crypto here. The MeshPacket it yields is the "encrypted" form the firmware hands its router
 * (`channel` = the hash byte); a PacketCipher turns it into the decoded form.
 */
import { create } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { MeshtasticOtaEncodeError, MeshtasticOtaFrameError } from './errors.js';

/** RadioInterface.h */
export const MAX_LORA_PAYLOAD_LEN = 255;
export const MESHTASTIC_HEADER_LENGTH = 16;
export const MESHTASTIC_PKC_OVERHEAD = 12;
export const PACKET_FLAGS_HOP_LIMIT_MASK = 0x07;
export const PACKET_FLAGS_WANT_ACK_MASK = 0x08;
export const PACKET_FLAGS_VIA_MQTT_MASK = 0x10;
export const PACKET_FLAGS_HOP_START_MASK = 0xe0;
export const PACKET_FLAGS_HOP_START_SHIFT = 5;
/** MeshTypes.h */
export const HOP_MAX = 7;
export const HOP_RELIABLE = 3;
export const NO_NEXT_HOP_PREFERENCE = 0;
export const NO_RELAY_NODE = 0;

/** What the radio measured for this frame (SX126xInterface::addReceiveMetadata) and when it arrived
 * (Router: `p->rx_time = getValidTime(...)`, seconds since the epoch, 0 when unknown). */
export interface OtaRxMetadata {
  snr?: number;
  rssi?: number;
  rxTime?: number;
}

/**
 * RadioLibInterface::handleReceiveInterrupt: the MeshPacket the firmware builds from a received frame.
 * Refuses (MeshtasticOtaFrameError) what the firmware ignores: < 16 bytes, `from` 0; and > 255 bytes, which no
 * SX12xx delivers. It does NOT refuse hop_limit > hop_start: 2.7.x accepts it (the pre-hop drop,
 * NodeDB.h shouldDropPacketForPreHop, arrived in 2.8), so a 2.7 node relays such packets and so do we.
 */
export function decodeOtaFrame(bytes: Uint8Array, rx: OtaRxMetadata = {}): Mesh.MeshPacket {
  const length = bytes.length;
  if (length < MESHTASTIC_HEADER_LENGTH) throw new MeshtasticOtaFrameError('too-short', length);
  if (length > MAX_LORA_PAYLOAD_LEN) throw new MeshtasticOtaFrameError('too-long', length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const from = view.getUint32(4, true);
  if (from === 0) throw new MeshtasticOtaFrameError('no-sender', length);
  const flags = bytes[12]!;
  const hopStart = (flags & PACKET_FLAGS_HOP_START_MASK) >> PACKET_FLAGS_HOP_START_SHIFT;
  return create(Mesh.MeshPacketSchema, {
    from,
    to: view.getUint32(0, true),
    id: view.getUint32(8, true),
    channel: bytes[13]!,
    hopLimit: flags & PACKET_FLAGS_HOP_LIMIT_MASK,
    hopStart,
    wantAck: (flags & PACKET_FLAGS_WANT_ACK_MASK) !== 0,
    viaMqtt: (flags & PACKET_FLAGS_VIA_MQTT_MASK) !== 0,
    // "If hop_start is not set, next_hop and relay_node are invalid (firmware <2.3)"
    nextHop: hopStart === 0 ? NO_NEXT_HOP_PREFERENCE : bytes[14]!,
    relayNode: hopStart === 0 ? NO_RELAY_NODE : bytes[15]!,
    rxSnr: rx.snr ?? 0,
    rxRssi: rx.rssi === undefined ? 0 : Math.round(rx.rssi),
    rxTime: rx.rxTime ?? 0,
    // RadioInterface::deliverToReceiver
    transportMechanism: Mesh.MeshPacket_TransportMechanism.TRANSPORT_LORA,
    // A copy: the caller's receive buffer may be reused for the next frame.
    payloadVariant: { case: 'encrypted', value: bytes.slice(MESHTASTIC_HEADER_LENGTH) },
  });
}

/**
 * RadioInterface::beginSending: the frame for an encrypted MeshPacket. hop_limit > 7 is clamped to 3 as the
 * firmware does ("hop limit %d is too high"); hop_start is masked into its 3 bits. The firmware asserts on a
 * non-encrypted payload, `from` 0 and an oversize payload; we refuse them with MeshtasticOtaEncodeError.
 */
export function encodeOtaFrame(packet: Mesh.MeshPacket): Uint8Array {
  if (packet.payloadVariant.case !== 'encrypted') throw new MeshtasticOtaEncodeError('not-encrypted', packet.id);
  if (packet.from >>> 0 === 0) throw new MeshtasticOtaEncodeError('no-sender', packet.id);
  const payload = packet.payloadVariant.value;
  if (payload.length + MESHTASTIC_HEADER_LENGTH > MAX_LORA_PAYLOAD_LEN) throw new MeshtasticOtaEncodeError('too-long', packet.id);
  const out = new Uint8Array(MESHTASTIC_HEADER_LENGTH + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, packet.to >>> 0, true);
  view.setUint32(4, packet.from >>> 0, true);
  view.setUint32(8, packet.id >>> 0, true);
  const hopLimit = packet.hopLimit > HOP_MAX ? HOP_RELIABLE : packet.hopLimit;
  out[12] =
    (hopLimit |
      (packet.wantAck ? PACKET_FLAGS_WANT_ACK_MASK : 0) |
      (packet.viaMqtt ? PACKET_FLAGS_VIA_MQTT_MASK : 0) |
      ((packet.hopStart << PACKET_FLAGS_HOP_START_SHIFT) & PACKET_FLAGS_HOP_START_MASK)) &
    0xff;
  // uint8_t fields: the firmware truncates by assignment
  out[13] = packet.channel & 0xff;
  out[14] = packet.nextHop & 0xff;
  out[15] = packet.relayNode & 0xff;
  out.set(payload, MESHTASTIC_HEADER_LENGTH);
  return out;
}
