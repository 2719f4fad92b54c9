/**
 * The neighbours this relay has heard of: on which bearers, when last, under which name, and their short ids (the
 * custody chain and `lattice send <short id>` use them). Bounded: the oldest entry goes past 10,000 peers, the
 * short-id cache is dropped past 4,096.
 */
import type { Bearer } from '../bearer/bearer.js';
import { shortId } from '../identity/short-id.js';
import type { PeerSummary } from '../node/relay-node.js';
import { NODE_ID_HEX } from './route-plan.js';

interface PeerInfo {
  bearers: Set<string>;
  lastSeen: number;
  name?: string;
}

export class PeerDirectory {
  private readonly shortIds = new Map<string, string>();
  private readonly info = new Map<string, PeerInfo>();

  constructor(private readonly now: () => number) {}

  /** The short id of a node id (64 hex). */
  short(nodeIdHex: string): string {
    let s = this.shortIds.get(nodeIdHex);
    if (!s) {
      s = shortId(Buffer.from(nodeIdHex, 'hex'));
      if (this.shortIds.size > 4096) this.shortIds.clear();
      this.shortIds.set(nodeIdHex, s);
    }
    return s;
  }

  /** A frame or a peer event came from `peer` on `bearer`. */
  seen(peer: string, bearer: string, name?: string): void {
    let p = this.info.get(peer);
    if (!p) {
      if (this.info.size > 10_000) this.info.delete(this.info.keys().next().value!);
      this.info.set(peer, (p = { bearers: new Set(), lastSeen: 0 }));
    }
    p.bearers.add(bearer);
    p.lastSeen = this.now();
    if (name) p.name = name;
  }

  /** The node id (hex) of a known peer with this short id. */
  byShortId(short: string): string | undefined {
    for (const p of this.info.keys()) if (NODE_ID_HEX.test(p) && this.short(p) === short) return p;
    return undefined;
  }

  /** Peers the bearers can reach now, with what this directory knows of them. */
  summaries(bearers: readonly Bearer[], startedAt: number): PeerSummary[] {
    const live = new Map<string, Set<string>>();
    for (const b of bearers) for (const p of b.status().peers) {
      if (!live.has(p)) live.set(p, new Set());
      live.get(p)!.add(b.name);
    }
    const out: PeerSummary[] = [];
    for (const [id, on] of live) {
      const info = this.info.get(id);
      out.push({
        id,
        shortId: NODE_ID_HEX.test(id) ? this.short(id) : info?.name ?? id,
        ...(info?.name ? { name: info.name } : {}),
        bearers: [...on],
        lastSeen: info?.lastSeen ?? startedAt,
      });
    }
    return out;
  }
}
