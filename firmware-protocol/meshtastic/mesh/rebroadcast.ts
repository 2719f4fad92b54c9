/**
 * Whether and how a packet goes (back) on air (firmware NextHopRouter::perhapsRebroadcast, FloodingRouter::send,
 * NextHopRouter::send / getNextHop): the rebroadcast decision for a packet not from us and not to us, and the two
 * ways to send — flooding (no next hop) and next-hop (a DM to a node whose next hop we learned).
 */
import { clone } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { NODENUM_BROADCAST, NO_NEXT_HOP_PREFERENCE, isBroadcast } from './hops.js';
import { shouldDecrementHopLimit } from './hop-limit-preservation.js';
import { NUM_INTERMEDIATE_RETX } from './retransmissions.js';
import { isRebroadcaster } from './role.js';
import type { RouterCore } from './router-core.js';

export class Rebroadcast {
  constructor(private readonly c: RouterCore) {}

  /** NextHopRouter::perhapsRebroadcast: true when a copy was queued. */
  perhapsRebroadcast(p: Mesh.MeshPacket): boolean {
    const c = this.c;
    if (p.to === c.nodeNum || p.from === c.nodeNum || p.from === 0) return false; // isToUs / isFromUs
    if (p.hopLimit <= 0) {
      c.metrics.dropped('hop-limit');
      return false;
    }
    if (p.id === 0) return false; // "Ignore 0 id broadcast"
    if (!isRebroadcaster(c.role, c.rebroadcastMode)) {
      c.metrics.dropped('rebroadcast-mode');
      return false;
    }
    if (p.nextHop !== NO_NEXT_HOP_PREFERENCE && p.nextHop !== c.ourRelayId) {
      c.metrics.dropped('not-next-hop');
      return false;
    }
    const tosend = clone(Mesh.MeshPacketSchema, p);
    if (shouldDecrementHopLimit(p, c.role, c.o.directory.nodes?.())) tosend.hopLimit--;
    else c.metrics.inc('hop-limit-preserved'); // "favorite-ROUTER/CLIENT_BASE-to-ROUTER/CLIENT_BASE rebroadcast"
    c.metrics.inc('rebroadcast-queued');
    if (p.nextHop === NO_NEXT_HOP_PREFERENCE) this.floodingSend(tosend);
    else this.nextHopSend(tosend);
    return true;
  }

  /** FloodingRouter::send. */
  floodingSend(p: Mesh.MeshPacket): void {
    const c = this.c;
    p.relayNode = c.ourRelayId;
    c.history.wasSeenRecently({ ...p, from: p.from || c.nodeNum });
    c.radio.send(p);
  }

  /** NextHopRouter::send. */
  nextHopSend(p: Mesh.MeshPacket): void {
    const c = this.c;
    p.relayNode = c.ourRelayId;
    c.history.wasSeenRecently({ ...p, from: p.from || c.nodeNum });
    p.nextHop = this.getNextHop(p.to, p.relayNode);
    const fromUs = (p.from || c.nodeNum) === c.nodeNum;
    if ((!fromUs || !p.wantAck) && p.nextHop !== NO_NEXT_HOP_PREFERENCE && (p.hopLimit > 0 || p.wantAck)) {
      c.reliable.startRetransmission(clone(Mesh.MeshPacketSchema, p), NUM_INTERMEDIATE_RETX);
    }
    c.radio.send(p);
  }

  /** NextHopRouter::getNextHop. */
  private getNextHop(to: number, relayNode: number): number {
    if (isBroadcast(to)) return NO_NEXT_HOP_PREFERENCE;
    const hop = this.c.nextHops.get(to);
    return hop !== undefined && hop !== relayNode ? hop : NO_NEXT_HOP_PREFERENCE;
  }

  /** TraceRouteModule::maybeSetNextHop and NextHopRouter learning: only for nodes in the NodeDB. */
  maybeSetNextHop(target: number, byte: number): void {
    if (target === NODENUM_BROADCAST || this.c.o.directory.get(target) === undefined) return;
    this.c.nextHops.set(target, byte);
  }
}
