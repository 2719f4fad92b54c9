/**
 * How many nodes are online (NodeDB::getNumOnlineMeshNodes: last_heard within NUM_ONLINE_SECS, our own entry never
 * heard). Read from the node directory when it lists its nodes; otherwise counted here from the packets the router
 * decoded (NodeDB::updateFrom sets last_heard from decoded packets only), which forgets nothing but what ages out.
 */
import type { Mesh } from '@meshtastic/protobufs';
import type { NodeDirectory } from '../device/mesh-port.js';
import { NUM_ONLINE_SECS } from './congestion-scaling.js';

/** Bound on the fallback tally (a NodeDB holds a few hundred nodes). */
const MAX_TRACKED = 2048;

export class OnlineNodes {
  private readonly lastHeard = new Map<number, number>();

  constructor(private readonly ourNum: number, private readonly directory: NodeDirectory, private readonly unixSeconds: () => number) {}

  /** NodeDB::updateFrom: a decoded packet from another node. */
  heard(p: Mesh.MeshPacket): void {
    if (p.payloadVariant.case !== 'decoded' || p.from === 0 || p.from === this.ourNum) return;
    this.lastHeard.delete(p.from);
    this.lastHeard.set(p.from, this.unixSeconds());
    if (this.lastHeard.size > MAX_TRACKED) this.lastHeard.delete(this.lastHeard.keys().next().value!);
  }

  count(): number {
    const now = this.unixSeconds();
    const online = (lastHeard: number) => Math.max(0, now - lastHeard) < NUM_ONLINE_SECS; // sinceLastSeen clamps at 0
    let n = 0;
    const nodes = this.directory.nodes?.();
    if (nodes) {
      for (const node of nodes) if (node.num !== this.ourNum && node.lastHeard !== 0 && online(node.lastHeard)) n++;
      return n;
    }
    for (const t of this.lastHeard.values()) if (online(t)) n++;
    return n;
  }
}
