/**
 * The routing bookkeeping every received packet goes through before delivery (firmware ReliableRouter::sniffReceived →
 * NextHopRouter::sniffReceived → FloodingRouter::sniffReceived, called from RoutingModule): ACK or NAK a want_ack
 * packet to us, stop our retransmissions on an ACK/NAK/reply, learn the next hop towards a node from its ACK or
 * reply, stop relaying a packet whose ACK went by, then perhapsRebroadcast.
 */
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { NO_NEXT_HOP_PREFERENCE, getHopsAway, isBroadcast } from './hops.js';
import { hopLimitForResponse, routingOf } from './routing-replies.js';
import type { RouterCore } from './router-core.js';

const PortNum = Portnums.PortNum;
const RoutingError = Mesh.Routing_Error;

/** ReliableRouter::sniffReceived → NextHopRouter / FloodingRouter ::sniffReceived. */
export function sniffReceived(c: RouterCore, p: Mesh.MeshPacket, moduleReplied: boolean): void {
  const r = routingOf(p);
  const data = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value : undefined;
  if (p.to === c.nodeNum) {
    if (!moduleReplied) {
      if (p.wantAck) {
        if (data) {
          const isText = data.portnum === PortNum.TEXT_MESSAGE_APP || data.portnum === PortNum.TEXT_MESSAGE_COMPRESSED_APP;
          if (p.from !== c.nodeNum && isText) {
            c.local.sendAckNak(RoutingError.NONE, p.from, p.id, p.channel, hopLimitForResponse(p, c.hopLimit), true);
          } else if (!data.requestId && !data.replyId) {
            c.local.sendAckNak(RoutingError.NONE, p.from, p.id, p.channel, hopLimitForResponse(p, c.hopLimit));
          } else if (getHopsAway(p) === 0 || p.nextHop !== NO_NEXT_HOP_PREFERENCE) {
            c.local.sendAckNak(RoutingError.NONE, p.from, p.id, p.channel, 0);
          }
        } else if (p.channel === 0 && !c.o.directory.publicKeyOf(p.from)) {
          c.local.sendAckNak(RoutingError.PKI_UNKNOWN_PUBKEY, p.from, p.id, 0, hopLimitForResponse(p, c.hopLimit));
        } else {
          c.local.sendAckNak(RoutingError.NO_CHANNEL, p.from, p.id, 0, hopLimitForResponse(p, c.hopLimit));
        }
      } else if (p.nextHop === c.ourRelayId && p.hopLimit > 0) {
        c.local.sendAckNak(RoutingError.NONE, p.from, p.id, p.channel, 0); // stop the next hop's retransmissions
      }
    }
    if (data && r?.variant.case === 'errorReason' && r.variant.value === RoutingError.PKI_UNKNOWN_PUBKEY) {
      c.nodeInfo.sendOurNodeInfo(p.from, false, p.channel, true); // "PKI decrypt failure, send a NodeInfo"
    }
    const requestId = data?.requestId ?? 0;
    if (requestId && !(p.from === c.nodeNum && p.transportMechanism === Mesh.MeshPacket_TransportMechanism.TRANSPORT_MQTT)) {
      c.reliable.stopRetransmission(p.to, requestId); // an ACK, a NAK or a reply ends our retransmissions
    }
  }
  const isAckOrReply = data !== undefined && (data.requestId !== 0 || data.replyId !== 0);
  if (!isBroadcast(p.to) && isAckOrReply && data) {
    // NextHopRouter::sniffReceived: learn the next hop towards the ACK's sender
    if (p.from !== 0 && c.o.directory.get(p.from) !== undefined) {
      const wasAlreadyRelayer = c.history.wasRelayer(p.relayNode, data.requestId, p.to).was;
      const we = c.history.wasRelayer(c.ourRelayId, data.requestId, p.to);
      if ((we.was && wasAlreadyRelayer) || (getHopsAway(p) === 0 && we.sole)) {
        if (c.nextHops.get(p.from) !== p.relayNode) c.nextHops.set(p.from, p.relayNode);
      }
    }
    if (p.to !== c.nodeNum) {
      if (c.radio.cancelSending(p.to, data.requestId)) c.metrics.inc('rebroadcast-cancelled');
      c.reliable.stopRetransmission(p.to, data.requestId);
    }
  }
  c.relay.perhapsRebroadcast(p);
}
