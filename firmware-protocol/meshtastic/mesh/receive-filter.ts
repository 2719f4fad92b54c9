/**
 * What stops a received packet before it is decoded (firmware ReliableRouter / NextHopRouter / FloodingRouter
 * ::shouldFilterReceived): the implicit ACK of hearing our own packet relayed, duplicates (and what a duplicate still
 * triggers: a relay of an originator's repeat, of a next-hop fallback, cancelling our own queued copy), and a copy
 * with more hops left than the one we queued (perhapsHandleUpgradedPacket).
 */
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { getHopsAway, isBroadcast } from './hops.js';
import { isRebroadcaster, roleAllowsCancelingDupe } from './role.js';
import { LORA, type RouterCore } from './router-core.js';

const RoutingError = Mesh.Routing_Error;

export class ReceiveFilter {
  constructor(private readonly c: RouterCore) {}

  /** ReliableRouter / NextHopRouter / FloodingRouter ::shouldFilterReceived: true = stop here. */
  shouldFilterReceived(p: Mesh.MeshPacket, rxMs: number): boolean {
    const c = this.c;
    if (p.from === c.nodeNum) {
      // "We are seeing someone rebroadcast one of our broadcast attempts": an implicit ACK.
      const old = c.pending.find(p.from, p.id);
      if (old) {
        c.metrics.inc('implicit-ack');
        c.local.sendAckNak(RoutingError.NONE, c.nodeNum, p.id, old.packet.channel, 0);
        if (p.transportMechanism === LORA) c.reliable.stopRetransmission(p.from, p.id);
      }
    }
    // "while receiving this packet, we could not have received an (implicit) ACK"
    c.pending.delayAll(rxMs);
    c.reliable.rearm();

    const seen = c.history.wasSeenRecently({ ...p, from: p.from || c.nodeNum });
    if (seen.upgraded && this.perhapsHandleUpgradedPacket(p)) return true;
    // FloodingRouter (broadcasts): a text id the TextMessageModule still lists is a dupe though the history forgot it
    if (!seen.seen && !(isBroadcast(p.to) && !seen.upgraded && c.text.recentlySeen(p.id))) return false;

    c.stats.rxDupe++;
    c.metrics.dropped('duplicate');
    if (isBroadcast(p.to)) {
      // FloodingRouter: the originator repeating a reliable send (hop_start == hop_limit) is relayed again
      if (p.hopStart > 0 && p.hopStart === p.hopLimit) {
        if (!c.scheduler.find(p.from, p.id)) {
          this.reprocessPacket(p);
          c.relay.perhapsRebroadcast(p);
        }
      } else {
        this.perhapsCancelDupe(p);
      }
      return true;
    }
    // NextHopRouter
    if (p.transportMechanism === LORA) c.reliable.stopRetransmission(p.from, p.id);
    if (seen.fallback) {
      if (!c.scheduler.find(p.from, p.id)) {
        this.reprocessPacket(p);
        c.relay.perhapsRebroadcast(p);
      }
    } else if (getHopsAway(p) === 0) {
      if (!c.scheduler.find(p.from, p.id)) {
        this.reprocessPacket(p);
        if (!c.relay.perhapsRebroadcast(p) && p.to === c.nodeNum && p.wantAck) {
          c.local.sendAckNak(RoutingError.NONE, p.from, p.id, this.decodedChannel(p), 0);
        }
      }
    } else if (!seen.weWereNextHop) {
      this.perhapsCancelDupe(p);
    }
    return true;
  }

  /** The channel index of a dupe we answer (the firmware's packet may still carry the hash): decode to learn it. */
  private decodedChannel(p: Mesh.MeshPacket): number {
    if (p.payloadVariant.case === 'decoded') return p.channel;
    const r = this.c.o.cipher.decrypt(p);
    return r.ok ? r.packet.channel : 0;
  }

  /** FloodingRouter::perhapsHandleUpgradedPacket. */
  private perhapsHandleUpgradedPacket(p: Mesh.MeshPacket): boolean {
    const c = this.c;
    if (isRebroadcaster(c.role, c.rebroadcastMode) && p.hopLimit > 0 && c.scheduler.removePending(p.from, p.id, p.hopLimit)) {
      c.metrics.inc('hop-limit-upgrade');
      this.reprocessPacket(p);
      c.relay.perhapsRebroadcast(p);
      c.stats.rxDupe++;
      c.metrics.dropped('duplicate');
      return true;
    }
    return false;
  }

  /** FloodingRouter::reprocessPacket: node DB, and a traceroute copy gets our hop appended before it is relayed. */
  private reprocessPacket(p: Mesh.MeshPacket): void {
    const c = this.c;
    c.o.directory.heardFrom(p);
    c.online.heard(p);
    if (p.payloadVariant.case !== 'decoded') {
      const r = c.o.cipher.decrypt(p);
      if (!r.ok) return;
      if (r.packet.payloadVariant.case === 'decoded' && r.packet.payloadVariant.value.portnum === Portnums.PortNum.TRACEROUTE_APP) {
        Object.assign(p, { channel: r.packet.channel, payloadVariant: r.packet.payloadVariant });
      }
    }
    if (p.payloadVariant.case === 'decoded' && p.payloadVariant.value.portnum === Portnums.PortNum.TRACEROUTE_APP) {
      c.modules.find((m) => m.portnum === Portnums.PortNum.TRACEROUTE_APP)?.handle?.(p);
    }
  }

  /** FloodingRouter::perhapsCancelDupe. */
  private perhapsCancelDupe(p: Mesh.MeshPacket): void {
    const c = this.c;
    if (p.transportMechanism === LORA && roleAllowsCancelingDupe(c.role)) {
      if (c.radio.cancelSending(p.from, p.id)) {
        c.stats.txRelayCanceled++;
        c.metrics.inc('rebroadcast-cancelled');
      }
    }
    if (c.role === 'ROUTER_LATE') c.scheduler.clampToLate(p.from, p.id);
  }
}
