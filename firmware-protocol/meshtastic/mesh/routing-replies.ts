/**
 * Building ACKs, NAKs and replies as the firmware does (src/mesh/MeshModule.cpp allocAckNak / setReplyTo,
 * src/modules/RoutingModule.cpp getHopLimitForResponse, src/mesh/MeshPacketQueue.cpp fixPriority).
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { DEFAULT_HOP_LIMIT, HOP_MAX, getHopsAway } from './hops.js';

const Priority = Mesh.MeshPacket_Priority;

/** Default::getConfiguredOrDefaultHopLimit: the configured hop limit, capped at HOP_MAX. */
export function configuredHopLimit(configured: number): number {
  return configured >= HOP_MAX ? HOP_MAX : configured;
}

/**
 * RoutingModule::getHopLimitForResponse: as many hops as the request used (if more than our limit), 0 for a 0-hop
 * request, hops used + 2 when that is below our limit, else our limit.
 */
export function hopLimitForResponse(request: Mesh.MeshPacket, configured = DEFAULT_HOP_LIMIT): number {
  const hopsUsed = getHopsAway(request);
  if (hopsUsed >= 0) {
    if (hopsUsed > configured) return hopsUsed;
    if (request.hopStart === 0) return 0;
    if (hopsUsed + 2 < configured) return hopsUsed + 2;
  }
  return configuredHopLimit(configured);
}

/** The Routing payload of an ACK (error NONE) or NAK. */
export function routingPayload(error: Mesh.Routing_Error): Uint8Array {
  return toBinary(Mesh.RoutingSchema, create(Mesh.RoutingSchema, { variant: { case: 'errorReason', value: error } }));
}

/**
 * MeshModule::allocAckNak: a ROUTING_APP packet from us to `to`, request_id = the packet it answers, priority ACK,
 * on channel `channel` (an index), with `hopLimit`.
 */
export function allocAckNak(error: Mesh.Routing_Error, from: number, id: number, to: number, requestId: number, channel: number, hopLimit: number): Mesh.MeshPacket {
  return create(Mesh.MeshPacketSchema, {
    from,
    to,
    id,
    channel,
    hopLimit,
    priority: Priority.ACK,
    payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.ROUTING_APP, payload: routingPayload(error), requestId }) },
  });
}

/**
 * setReplyTo (MeshModule.cpp): the reply goes to the requester on the request's channel, with the hop limit for a
 * response, want_ack if the request had it, priority RELIABLE unless set, request_id = the request's id.
 */
export function setReplyTo(reply: Mesh.MeshPacket, request: Mesh.MeshPacket, ourNum: number, configured: number): void {
  reply.to = request.from === 0 ? ourNum : request.from;
  reply.channel = request.channel;
  reply.hopLimit = hopLimitForResponse(request, configured);
  reply.wantAck = request.from !== 0 ? request.wantAck : false;
  if (reply.priority === Priority.UNSET) reply.priority = Priority.RELIABLE;
  if (reply.payloadVariant.case === 'decoded') reply.payloadVariant.value.requestId = request.id;
}

/** fixPriority (MeshPacketQueue.cpp): a default priority for packets that came without one. */
export function fixPriority(p: Mesh.MeshPacket): void {
  if (p.priority !== Priority.UNSET) return;
  p.priority = p.wantAck ? Priority.RELIABLE : Priority.DEFAULT;
  if (p.payloadVariant.case !== 'decoded') return;
  const d = p.payloadVariant.value;
  if (d.portnum === Portnums.PortNum.ROUTING_APP) p.priority = Priority.ACK;
  else if (d.portnum === Portnums.PortNum.TEXT_MESSAGE_APP || d.portnum === Portnums.PortNum.ADMIN_APP) p.priority = Priority.HIGH;
  else if (d.requestId !== 0) p.priority = Priority.RESPONSE;
  else if (d.wantResponse) p.priority = Priority.RELIABLE;
}

/** The Routing message of a decoded ROUTING_APP packet; undefined for other packets or a payload that does not parse. */
export function routingOf(p: Mesh.MeshPacket): Mesh.Routing | undefined {
  if (p.payloadVariant.case !== 'decoded' || p.payloadVariant.value.portnum !== Portnums.PortNum.ROUTING_APP) return undefined;
  try {
    return fromBinary(Mesh.RoutingSchema, p.payloadVariant.value.payload);
  } catch {
    return undefined;
  }
}
