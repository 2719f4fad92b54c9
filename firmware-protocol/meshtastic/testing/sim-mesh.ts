/**
 * The simulated mesh around the simulated radio: other nodes with names, keys and positions, what each of them
 * received (deduplicated on (from, id) like the firmware's PacketHistory), and how they answer: a DM to an online
 * node that knows our key is ACKed by that node; a broadcast is implicitly ACKed when some node rebroadcasts it;
 * otherwise the sender gives up with MAX_RETRANSMIT after 3 transmissions (ReliableRouter / NextHopRouter.h
 * NUM_RELIABLE_RETX).
 */
import { fakeKey } from './sim-random.js';

export interface SimNode {
  num: number;
  longName: string;
  shortName: string;
  /** Omit to simulate a node whose NodeInfo (and so public key) we never heard. */
  publicKey?: Uint8Array;
  hwModel: number;
  latitude?: number;
  longitude?: number;
  altitude?: number;
  /** In radio range and powered. */
  online: boolean;
  /** Channel indexes (of our radio's channel table) this node shares with us. */
  channels: number[];
  /** Answers every DM with `echo: <text>` (demo traffic for `lattice sim meshtastic`). */
  echo?: boolean;
  lastHeard: number;
  snr: number;
  hopsAway: number;
}

export interface SimReceived {
  node: number;
  from: number;
  to: number;
  channel: number;
  id: number;
  portnum: number;
  payload: Uint8Array;
  text?: string;
}

export class SimMesh {
  readonly nodes = new Map<number, SimNode>();
  /** Every packet a simulated node accepted (duplicates excluded). */
  readonly received: SimReceived[] = [];
  duplicatesDropped = 0;
  private readonly seen = new Map<number, Set<string>>();

  constructor(private readonly random: () => number) {}

  addNode(init: Partial<SimNode> & { num: number; longName: string }): SimNode {
    const node: SimNode = {
      shortName: init.longName.slice(0, 4),
      publicKey: fakeKey(this.random),
      hwModel: 43, // HELTEC_V3
      online: true,
      channels: [0],
      lastHeard: Math.floor(Date.now() / 1000),
      snr: 6.25,
      hopsAway: 0,
      ...init,
    };
    this.nodes.set(node.num >>> 0, node);
    return node;
  }

  /** A transmission of our radio reaches every online node on its channel (or the one addressed). Returns the
   * nodes that took it (for ACK decisions). */
  transmit(p: { from: number; to: number; channel: number; id: number; portnum: number; payload: Uint8Array; pki: boolean }): SimNode[] {
    const takers: SimNode[] = [];
    for (const node of this.nodes.values()) {
      if (!node.online) continue;
      const broadcast = p.to === 0xffffffff;
      if (!broadcast && node.num !== p.to) continue;
      if (broadcast && !node.channels.includes(p.channel)) continue;
      let seen = this.seen.get(node.num);
      if (!seen) this.seen.set(node.num, (seen = new Set()));
      const key = `${p.from}:${p.id}`;
      if (seen.has(key)) {
        this.duplicatesDropped++;
        takers.push(node); // it still ACKs a retransmission it already has (ReliableRouter sniffs dupes)
        continue;
      }
      seen.add(key);
      this.received.push({
        node: node.num,
        from: p.from,
        to: p.to,
        channel: p.channel,
        id: p.id,
        portnum: p.portnum,
        payload: p.payload,
        text: p.portnum === 1 ? new TextDecoder().decode(p.payload) : undefined,
      });
      takers.push(node);
    }
    return takers;
  }

  textsReceivedBy(num: number): string[] {
    return this.received.filter((r) => r.node === num && r.text !== undefined).map((r) => r.text!);
  }
}
