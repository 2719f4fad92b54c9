/**
 * What a broker message becomes (firmware src/mqtt/MQTT.cpp onReceiveProto, 2.7): a pure decision, so each rule is
 * tested alone. The packet it returns is handed to the router as if received (MeshRouter.injectReceived sets
 * via_mqtt), which then dedupes, decodes, delivers and rebroadcasts it as any heard packet.
 */
import { create, fromBinary } from '@bufbuild/protobuf';
import { Mesh, Mqtt, Portnums } from '@meshtastic/protobufs';
import type { GatewayChannel } from './gateway-radio.js';

const HOP_MAX = 7;
const BROADCAST = 0xffffffff;

export interface DownlinkContext {
  nodeNum: number;
  gatewayId: string;
  channels: GatewayChannel[];
  downlinkFor(channelName: string): boolean;
  decryptedUplink: boolean;
  knowsUser(num: number): boolean;
}

export type DownlinkDrop = 'bad-envelope' | 'channel-off' | 'own-gateway' | 'from-us' | 'bad-hops' | 'from-broadcast' | 'decoded-refused' | 'admin' | 'pki-unknown';
/** Our own packet back on our own gateway id: MQTT.cpp onReceiveProto answers it with an implicit ACK to ourselves
 * (allocAckNak NONE, request_id = its id, on the envelope's channel), which stops our retransmissions. */
export interface ImplicitAck {
  implicitAck: { id: number; channel: number };
}
export type DownlinkResult = { packet: Mesh.MeshPacket } | { drop: DownlinkDrop } | ImplicitAck;

export function downlinkOf(payload: Uint8Array, ctx: DownlinkContext): DownlinkResult {
  let e: Mqtt.ServiceEnvelope;
  try {
    e = fromBinary(Mqtt.ServiceEnvelopeSchema, payload);
  } catch {
    return { drop: 'bad-envelope' };
  }
  const src = e.packet;
  if (!src || !e.channelId || !e.gatewayId) return { drop: 'bad-envelope' }; // "Invalid MQTT service envelope"
  const pki = e.channelId === 'PKI';
  const ch = ctx.channels.find((c) => c.name === e.channelId);
  if (!(pki || (ch && ctx.downlinkFor(ch.name)))) return { drop: 'channel-off' };
  if (pki && !ctx.channels.some((c) => ctx.downlinkFor(c.name))) return { drop: 'channel-off' };
  // "Generate an implicit ACK towards ourselves ... we assume that at least one node receives it when we get our own
  // packet back. Then we'll stop our retransmissions." Never handled as received; another's packet is just dropped.
  if (e.gatewayId === ctx.gatewayId) return src.from === ctx.nodeNum ? { implicitAck: { id: src.id, channel: ch?.index ?? 0 } } : { drop: 'own-gateway' };
  if (src.from === ctx.nodeNum) return { drop: 'from-us' }; // "Ignore downlink message we originally sent"
  if (src.hopLimit > HOP_MAX || src.hopStart > HOP_MAX) return { drop: 'bad-hops' };
  if (src.from === BROADCAST) return { drop: 'from-broadcast' };
  const p = create(Mesh.MeshPacketSchema, {
    from: src.from, to: src.to, id: src.id, channel: src.channel, hopLimit: src.hopLimit, hopStart: src.hopStart, wantAck: src.wantAck,
    viaMqtt: true, transportMechanism: Mesh.MeshPacket_TransportMechanism.TRANSPORT_MQTT, payloadVariant: src.payloadVariant,
  });
  if (p.payloadVariant.case === 'decoded') {
    if (!ctx.decryptedUplink) return { drop: 'decoded-refused' }; // "Ignore decoded message on MQTT, encryption is enabled"
    if (p.payloadVariant.value.portnum === Portnums.PortNum.ADMIN_APP) return { drop: 'admin' };
    p.channel = ch?.index ?? 0;
  } else if (p.payloadVariant.case !== 'encrypted') {
    return { drop: 'bad-envelope' };
  }
  // "Only accept PKI messages to us, or if we have both the sender and receiver in our nodeDB"
  if (pki && p.payloadVariant.case === 'encrypted' && !(p.to === ctx.nodeNum || (ctx.knowsUser(p.from) && ctx.knowsUser(p.to)))) return { drop: 'pki-unknown' };
  return { packet: p };
}
