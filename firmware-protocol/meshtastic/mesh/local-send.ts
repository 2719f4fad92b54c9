/**
 * What we originate (firmware MeshService::handleToRadio → sendToMesh, MeshModule allocReply / allocAckNak,
 * Router::allocForSending → Router::sendLocal): a client's packet, a module's packet or reply, an ACK or NAK. A packet
 * to ourselves is handled as received, in order and never re-entrantly; the rest goes to ReliableRouter::send.
 */
import { clone } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { NODENUM_BROADCAST, NODENUM_BROADCAST_NO_LORA, NO_NEXT_HOP_PREFERENCE, isBroadcast } from './hops.js';
import { allocAckNak } from './routing-replies.js';
import type { RouterCore, RxSource } from './router-core.js';

const RoutingError = Mesh.Routing_Error;

export class LocalSend {
  private readonly localQueue: Mesh.MeshPacket[] = [];
  private drainingLocal = false;

  constructor(private readonly c: RouterCore) {}

  /** MeshService::handleToRadio → sendToMesh → Router::sendLocal(RX_SRC_USER). */
  sendFromPhone(packet: Mesh.MeshPacket): number {
    const p = clone(Mesh.MeshPacketSchema, packet);
    p.from = 0; // "We don't let clients assign nodenums to their sent messages"
    p.nextHop = NO_NEXT_HOP_PREFERENCE;
    p.relayNode = 0;
    if (p.id === 0) p.id = this.c.newId();
    p.rxTime = this.c.unixSeconds();
    const id = p.id;
    this.sendLocal(p, 'user');
    return id;
  }

  /** A packet our modules originate (NodeInfo, replies, ACKs): allocForSending + MeshService::sendToMesh. */
  sendFromModule(p: Mesh.MeshPacket): number {
    p.from = this.c.nodeNum;
    if (p.id === 0) p.id = this.c.newId();
    if (p.to === 0) p.to = NODENUM_BROADCAST;
    p.rxTime = this.c.unixSeconds();
    this.sendLocal(p, 'local');
    return p.id;
  }

  /** RoutingModule::sendAckNak → allocAckNak → Router::sendLocal. */
  sendAckNak(error: Mesh.Routing_Error, to: number, idFrom: number, channel: number, hopLimit: number, ackWantsAck = false): void {
    const c = this.c;
    const p = allocAckNak(error, c.nodeNum, c.newId(), to, idFrom, channel, hopLimit);
    p.wantAck = ackWantsAck;
    p.rxTime = c.unixSeconds();
    c.metrics.inc(error === RoutingError.NONE ? 'ack-sent' : 'nak-sent');
    this.sendLocal(p, 'local');
  }

  /** Router::sendLocal. */
  private sendLocal(p: Mesh.MeshPacket, src: RxSource): void {
    if (p.to === this.c.nodeNum) {
      this.enqueueLocal(p); // "No need to deliver externally if the destination is the local node"
      return;
    }
    // Router::sendLocal also runs our own broadcasts through handleReceived "so local apps see them". A module's packet
    // (RX_SRC_LOCAL) reaches no module (loopbackOk), and nothing of ours is relayed (isFromUs) or delivered (RoutingModule
    // skips from 0 and loopback); what remains is the TextMessageModule noting a client's broadcast text id.
    if (src === 'user' && isBroadcast(p.to) && this.c.text.wantPacket(p)) this.c.text.handle(p);
    if (p.to === NODENUM_BROADCAST_NO_LORA) return; // RadioLibInterface::send "Drop no-LoRa pkt"
    // "don't override if a channel was requested": a DM on channel 0 goes on the channel we heard the node on
    if (!p.channel && !p.pkiEncrypted && !isBroadcast(p.to)) {
      const node = this.c.o.directory.get(p.to);
      if (node) p.channel = node.channel;
    }
    if (src === 'user' && p.wantAck && p.hopLimit === 0) p.hopLimit = this.c.hopLimit;
    this.c.reliable.send(p);
  }

  /** Router::enqueueReceivedMessage for packets to ourselves: handled in order, never re-entrantly. */
  private enqueueLocal(p: Mesh.MeshPacket): void {
    this.localQueue.push(p);
    if (this.drainingLocal) return;
    this.drainingLocal = true;
    try {
      for (let q = this.localQueue.shift(); q; q = this.localQueue.shift()) {
        if (!this.c.filter.shouldFilterReceived(q, 0)) this.c.receive.handleReceived(q, 'radio');
      }
    } finally {
      this.drainingLocal = false;
    }
  }
}
