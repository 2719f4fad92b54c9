/**
 * want_ack delivery (firmware ReliableRouter::send, NextHopRouter::startRetransmission / stopRetransmission /
 * doRetransmissions, RadioInterface::getRetransmissionMsec): a packet that wants an ACK is sent again until an ACK,
 * a NAK, a reply or an implicit ACK stops it; the original sender sends 3 times, an intermediate next hop 2 times,
 * the last try of a DM floods; giving up NAKs MAX_RETRANSMIT to the clients.
 */
import { clone } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import type { CancelTimer } from '../../../lib/clock/timer-clock.js';
import { retransmissionMs } from './contention.js';
import { NO_NEXT_HOP_PREFERENCE, isBroadcast } from './hops.js';
import { NUM_RELIABLE_RETX } from './retransmissions.js';
import { roleAllowsCancelingDupe } from './role.js';
import { dataLength, packetTimeMs, type RouterCore } from './router-core.js';

const RoutingError = Mesh.Routing_Error;

export class ReliableDelivery {
  private timer: CancelTimer | undefined;
  private timerAt: number | undefined;

  constructor(private readonly c: RouterCore) {}

  /** Stops the retransmission timer and forgets every pending packet (MeshRouter.stop). */
  stop(): void {
    this.timer?.();
    this.timer = undefined;
    this.timerAt = undefined;
    this.c.pending.clear();
  }

  /** ReliableRouter::send. */
  send(p: Mesh.MeshPacket): void {
    const c = this.c;
    if (p.wantAck) this.startRetransmission(clone(Mesh.MeshPacketSchema, p), NUM_RELIABLE_RETX);
    // "If we have pending retransmissions, add the airtime of this packet to it"
    c.pending.delayAll(this.estimatedAirtime(p), p.id);
    this.rearm();
    if (isBroadcast(p.to)) c.relay.floodingSend(p);
    else c.relay.nextHopSend(p);
  }

  /** An estimate of a packet's airtime before it is encoded (RadioInterface::getPacketTime(p)). */
  private estimatedAirtime(p: Mesh.MeshPacket): number {
    const payload = p.payloadVariant.case === 'encrypted' ? p.payloadVariant.value.length : p.payloadVariant.case === 'decoded' ? dataLength(p.payloadVariant.value) : 0;
    return packetTimeMs(this.c, payload + 16);
  }

  /** NextHopRouter::startRetransmission + setNextTx. */
  startRetransmission(p: Mesh.MeshPacket, numReTx: number): void {
    const c = this.c;
    if (p.from === 0) p.from = c.nodeNum;
    this.stopRetransmission(p.from, p.id);
    c.pending.start(p, numReTx, c.o.clock.now() + this.retransmissionDelay(p));
    this.rearm();
  }

  /** RadioInterface::getRetransmissionMsec (for a decoded packet: Data + header; encrypted: payload + 2 headers). */
  private retransmissionDelay(p: Mesh.MeshPacket): number {
    const numbytes = p.payloadVariant.case === 'encrypted' ? p.payloadVariant.value.length + 16 : p.payloadVariant.case === 'decoded' ? dataLength(p.payloadVariant.value) : 0;
    return retransmissionMs(packetTimeMs(this.c, numbytes + 16), this.c.slotMs, this.c.airtime.channelUtilizationPercent());
  }

  /** NextHopRouter::stopRetransmission. */
  stopRetransmission(from: number, id: number): boolean {
    const c = this.c;
    const old = c.pending.find(from, id);
    if (!old) return false;
    // "Only when we already transmitted a packet via LoRa, we will cancel the packet in the Tx queue"
    if (old.numRetransmissions < NUM_RELIABLE_RETX - 1) {
      if (old.packet.from === c.nodeNum || roleAllowsCancelingDupe(c.role)) c.radio.cancelSending(old.packet.from, old.packet.id);
    }
    c.pending.remove(from, id);
    this.rearm();
    return true;
  }

  /** One timer for the earliest pending retransmission (the firmware polls in runOnce; a timer is the same instant). */
  rearm(): void {
    const c = this.c;
    const at = c.pending.nextAt();
    if (at === this.timerAt) return;
    this.timer?.();
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined || !c.running()) return;
    this.timer = c.o.clock.setTimer(Math.max(0, at - c.o.clock.now()), () => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.doRetransmissions();
      this.rearm();
    }, { name: 'mesh-retransmission' });
  }

  /** NextHopRouter::doRetransmissions. */
  private doRetransmissions(): void {
    const c = this.c;
    const now = c.o.clock.now();
    for (const rec of c.pending.due(now)) {
      const p = rec.packet;
      if (rec.numRetransmissions === 0) {
        if (p.from === c.nodeNum) {
          c.metrics.dropped('max-retransmit');
          c.local.sendAckNak(RoutingError.MAX_RETRANSMIT, c.nodeNum, p.id, p.channel, 0);
        }
        this.stopRetransmission(p.from, p.id);
        continue;
      }
      c.metrics.inc('retransmission');
      if (!isBroadcast(p.to)) {
        if (rec.numRetransmissions === 1) {
          // "Last retransmission, reset next_hop (fallback to FloodingRouter)"
          p.nextHop = NO_NEXT_HOP_PREFERENCE;
          c.nextHops.clear(p.to);
          c.relay.floodingSend(clone(Mesh.MeshPacketSchema, p));
        } else {
          c.relay.nextHopSend(clone(Mesh.MeshPacketSchema, p));
        }
      } else {
        c.relay.floodingSend(clone(Mesh.MeshPacketSchema, p));
      }
      rec.numRetransmissions--;
      rec.nextTxAt = c.o.clock.now() + this.retransmissionDelay(p);
    }
  }
}
