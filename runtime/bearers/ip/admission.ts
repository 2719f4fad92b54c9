/**
 * Who gets a slot in the IP bearer's peer table (PROTOCOL.md, "Admission"). The table is bounded; without a policy
 * a flood of signed HELLOs from throwaway keys fills it and locks real relays out until the flood's entries time out
 * (issue 11: 3,000 HELLOs in 2.1 s filled 1,024 slots, a static peer started afterwards stayed offline for 90 s).
 *
 * Classes:
 * - **static**: bound to an address and port named in `ip.peers`. Always admitted (new identities at one static
 *   address are rate-limited, since UDP sources can be spoofed); may push out any entry that is not static.
 * - **proven**: answered our nonces in `provenAfter` distinct heartbeats, or completed an authenticated TCP
 *   handshake with us in either direction (it holds its key and runs a real TCP endpoint at its address). Keeps its
 *   slot against newcomers; forgotten only after `forgetAfter` heartbeats without an answer.
 * - **unproven**: everyone else. At most `maxUnproven` at once, and at most `maxPerAddress` non-static entries bound
 *   to one IPv4 address; new identities are rate-limited per source address (`newPerAddress` at once, one more
 *   every `refillMs`), and per gossiping relay for the adverts its PEERS name. A newcomer may push out the oldest
 *   unproven entry that is not answering (spoofed, or gone), never one that is: a real newcomer answers within a
 *   round trip, so it survives a flood while it proves itself. An unproven entry that does not answer for
 *   `forgetUnprovenAfter` heartbeats is forgotten.
 *
 * Decisions are cheap (no signature) so they run before the advert's signature is checked: `ask` says whether a
 * newcomer may have a slot, `admit` (after the signature verified) charges the rate limit and names whom to evict.
 */
import type { IpPeer, PeerTable } from './peer-table.js';
import { TokenBuckets } from './token-buckets.js';

export interface AdmissionLimits {
  /** Entries in the table, all classes. */
  maxPeers: number;
  maxUnproven: number;
  /** Non-static entries bound to one IPv4 address. */
  maxPerAddress: number;
  /** New identities one source address (or one gossiping relay) may introduce at once... */
  newPerAddress: number;
  /** ...and one more every this many ms. */
  refillMs: number;
  /** Heartbeats with an answered nonce that make a relay proven. */
  provenAfter: number;
  /** Heartbeats without an answer after which an unproven entry is forgotten. */
  forgetUnprovenAfter: number;
  /** Heartbeats without an answer after which a static or proven entry is forgotten. */
  forgetAfter: number;
}

export const DEFAULT_ADMISSION: AdmissionLimits = {
  maxPeers: 1024,
  maxUnproven: 128,
  maxPerAddress: 64,
  newPerAddress: 16,
  refillMs: 5_000,
  provenAfter: 3,
  forgetUnprovenAfter: 3,
  forgetAfter: 20,
};

/** Why a newcomer got no slot; each labels lattice_ip_discarded_total{reason}. */
export type AdmissionRefusal = 'rate-limited' | 'address-full' | 'peer-table-full';
export type PeerClass = 'static' | 'proven' | 'unproven';

/** Where a newcomer was heard: first-hand from `host:port`, or named in PEERS by the relay at `host`. */
export interface Origin {
  host: string;
  port?: number;
}

/** Buckets remembered per kind of key (source addresses, static addresses, gossiping relays). */
const MAX_BUCKETS = 4096;

const addressKey = (host: string, port: number) => `${host}:${port}`;

export class Admission {
  private readonly statics = new Set<string>();
  private readonly newcomers: TokenBuckets;
  private readonly staticNewcomers: TokenBuckets;

  constructor(private readonly peers: PeerTable, readonly limits: AdmissionLimits = DEFAULT_ADMISSION) {
    this.newcomers = new TokenBuckets({ burst: limits.newPerAddress, refillMs: limits.refillMs, maxKeys: MAX_BUCKETS });
    // A static relay introduces one identity; a few more cover key rotation, not a spoofer cycling keys.
    this.staticNewcomers = new TokenBuckets({ burst: 2, refillMs: limits.refillMs, maxKeys: MAX_BUCKETS });
  }

  /** An address and UDP port named in `ip.peers` (hostnames resolved by the caller). */
  addStatic(host: string, port: number): void {
    this.statics.add(addressKey(host, port));
  }

  isStaticAddress(host: string, port: number): boolean {
    return this.statics.has(addressKey(host, port));
  }

  classOf(peer: IpPeer): PeerClass {
    if (peer.host !== undefined && this.isStaticAddress(peer.host, peer.advert.udpPort)) return 'static';
    return peer.proven ? 'proven' : 'unproven';
  }

  /** Static and proven entries keep their slots (and their adverts stay in the advert book). */
  isProtected(peer: IpPeer): boolean {
    return this.classOf(peer) !== 'unproven';
  }

  /** May a node not in the table take a slot? Undefined: yes. Takes nothing; run it before checking the signature. */
  ask(origin: Origin, now: number): AdmissionRefusal | undefined {
    if (this.isStaticOrigin(origin)) {
      if (!this.staticNewcomers.peek(addressKey(origin.host, origin.port!), now)) return 'rate-limited';
      return this.peers.size < this.limits.maxPeers || this.victim(true) ? undefined : 'peer-table-full';
    }
    if (!this.newcomers.peek(this.bucketKey(origin), now)) return 'rate-limited';
    if (origin.port !== undefined && this.boundAt(origin.host) >= this.limits.maxPerAddress) return 'address-full';
    const full = this.peers.size >= this.limits.maxPeers || this.unproven() >= this.limits.maxUnproven;
    return full && !this.victim(false) ? 'peer-table-full' : undefined;
  }

  /**
   * Takes the slot `ask` allowed (call it right after, once the advert verified): charges the rate limit and returns
   * the entries the caller must drop to make room (at most one).
   */
  admit(origin: Origin, now: number): IpPeer[] {
    const statik = this.isStaticOrigin(origin);
    if (statik) this.staticNewcomers.take(addressKey(origin.host, origin.port!), now);
    else this.newcomers.take(this.bucketKey(origin), now);
    const full = this.peers.size >= this.limits.maxPeers || (!statik && this.unproven() >= this.limits.maxUnproven);
    if (!full) return [];
    const v = this.victim(statik);
    return v ? [v] : [];
  }

  /** The relay answered one of our nonces during heartbeat `beat`; true when that made it proven. */
  answered(peer: IpPeer, beat: number): boolean {
    if (peer.answeredBeat === beat) return false;
    peer.answeredBeat = beat;
    peer.answers++;
    if (peer.proven || peer.answers < this.limits.provenAfter) return false;
    peer.proven = true;
    return true;
  }

  /** The relay completed an authenticated TCP handshake with us; true when that made it proven. */
  authenticated(peer: IpPeer): boolean {
    if (peer.proven) return false;
    peer.proven = true;
    return true;
  }

  /** Heartbeats without an answer after which the entry is forgotten. */
  forgetAfter(peer: IpPeer): number {
    return this.classOf(peer) === 'unproven' ? this.limits.forgetUnprovenAfter : this.limits.forgetAfter;
  }

  private isStaticOrigin(origin: Origin): boolean {
    return origin.port !== undefined && this.isStaticAddress(origin.host, origin.port);
  }

  /** First-hand newcomers are charged to their source address, gossiped ones to the relay that named them. */
  private bucketKey(origin: Origin): string {
    return origin.port === undefined ? `gossip ${origin.host}` : origin.host;
  }

  private unproven(): number {
    let n = 0;
    for (const p of this.peers.all()) if (this.classOf(p) === 'unproven') n++;
    return n;
  }

  private boundAt(host: string): number {
    let n = 0;
    for (const p of this.peers.all()) if (p.host === host && this.classOf(p) !== 'static') n++;
    return n;
  }

  /**
   * Whom a newcomer may push out, oldest first: for anyone, an unproven entry that is not answering; for a static
   * relay also, in this order, an answering unproven one, a proven one that is offline, any proven one.
   */
  private victim(forStatic: boolean): IpPeer | undefined {
    const ranks = forStatic ? 4 : 1;
    let best: IpPeer | undefined;
    let bestRank = ranks;
    for (const p of this.peers.all()) {
      const c = this.classOf(p);
      if (c === 'static') continue;
      const rank = c === 'unproven' ? (p.online ? 1 : 0) : p.online ? 3 : 2;
      if (rank >= ranks || rank > bestRank) continue;
      if (!best || rank < bestRank || seen(p) < seen(best)) {
        best = p;
        bestRank = rank;
      }
    }
    return best;
  }
}

const seen = (p: IpPeer) => Math.max(p.lastHeard, p.learnedAt);
