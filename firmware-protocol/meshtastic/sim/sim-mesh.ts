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

export type SimReceivedListener = (r: SimReceived, node: SimNode) => void;

/** Packets each node remembers for duplicate detection. The firmware's PacketHistory is bounded too (PacketHistory.cpp
 * reserves MAX_NUM_NODES records and forgets entries after FLOOD_EXPIRE_TIME); a long-running simulation must not
 * grow without end. */
const SEEN_PER_NODE = 1024;

export class SimMesh {
  readonly nodes = new Map<number, SimNode>();
  /** Every packet a simulated node accepted (duplicates excluded); only the newest `historyLimit` are kept. */
  readonly received: SimReceived[] = [];
  /** Bound on `received` for long runs (`lattice run`'s simulated default); unbounded by default for tests. */
  historyLimit = Infinity;
  duplicatesDropped = 0;
  private readonly seen = new Map<number, Set<string>>();
  private readonly listeners = new Set<SimReceivedListener>();

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
      if (seen.size > SEEN_PER_NODE) seen.delete(seen.values().next().value!);
      const r: SimReceived = {
        node: node.num,
        from: p.from,
        to: p.to,
        channel: p.channel,
        id: p.id,
        portnum: p.portnum,
        payload: p.payload,
        text: p.portnum === 1 ? new TextDecoder().decode(p.payload) : undefined,
      };
      this.received.push(r);
      if (this.received.length > this.historyLimit) this.received.splice(0, this.received.length - this.historyLimit);
      takers.push(node);
      for (const l of this.listeners) {
        try {
          l(r, node);
        } catch {
          // a watcher's failure must not change what the simulated air does
        }
      }
    }
    return takers;
  }

  /** Calls `listener` each time a simulated node accepts a packet from our radio (what its user now sees). */
  onReceived(listener: SimReceivedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  textsReceivedBy(num: number): string[] {
    return this.received.filter((r) => r.node === num && r.text !== undefined).map((r) => r.text!);
  }
}
