/**
 * The relays an IP bearer knows: each with its verified advert, the address it is bound to (the one of its
 * advertised addresses we heard it from), and its heartbeat state. Data datagrams are attributed to a node only
 * through this binding, so a node is never `from` unless its signed advert names the source address and port.
 */
import type { Advert } from './advert.js';
import type { Capabilities } from './datagram-codec.js';

export interface IpPeer {
  nodeIdHex: string;
  advert: Advert;
  capabilities?: Capabilities;
  /** Bound source address (one the advert names); undefined until we hear the node first-hand. */
  host?: string;
  online: boolean;
  /** When the node last answered one of our nonces (ms); 0 never. */
  lastHeard: number;
  /** When we learned of it (ms), for forgetting nodes that never answer. */
  learnedAt: number;
  /** Consecutive heartbeats without an answer. */
  missed: number;
  /** A PING went out since the last answer. */
  awaiting: boolean;
  /** Earned its slot (admission.ts): answered our nonces in several heartbeats, or completed a TCP handshake. */
  proven: boolean;
  /** Heartbeats in which it answered one of our nonces, and the last one counted (admission.ts). */
  answers: number;
  answeredBeat: number;
}

const key = (host: string, port: number) => `${host}:${port}`;

export class PeerTable {
  private readonly byNode = new Map<string, IpPeer>();
  private readonly byAddress = new Map<string, string>();

  get(nodeIdHex: string): IpPeer | undefined {
    return this.byNode.get(nodeIdHex);
  }

  /** The node bound to this source address and port, if any. */
  at(host: string, port: number): IpPeer | undefined {
    const id = this.byAddress.get(key(host, port));
    return id === undefined ? undefined : this.byNode.get(id);
  }

  /** Adds a node or refreshes its advert; returns the entry. */
  upsert(advert: Advert, now: number): IpPeer {
    let peer = this.byNode.get(advert.nodeIdHex);
    if (!peer) {
      peer = { nodeIdHex: advert.nodeIdHex, advert, online: false, lastHeard: 0, learnedAt: now, missed: 0, awaiting: false, proven: false, answers: 0, answeredBeat: -1 };
      this.byNode.set(advert.nodeIdHex, peer);
    } else if (advert.issuedAt > peer.advert.issuedAt) {
      peer.advert = advert;
      // A new advert may drop the address we were bound to.
      if (peer.host !== undefined && (!advert.addresses.includes(peer.host) || !this.isBound(peer))) this.unbind(peer);
    }
    return peer;
  }

  /** Binds a node to the address it was heard from; another node bound there loses the binding. */
  bind(peer: IpPeer, host: string): void {
    const k = key(host, peer.advert.udpPort);
    const previous = this.byAddress.get(k);
    if (previous !== undefined && previous !== peer.nodeIdHex) {
      const other = this.byNode.get(previous);
      if (other) other.host = undefined;
    }
    if (peer.host !== undefined && peer.host !== host) this.byAddress.delete(key(peer.host, peer.advert.udpPort));
    peer.host = host;
    this.byAddress.set(k, peer.nodeIdHex);
  }

  unbind(peer: IpPeer): void {
    if (peer.host === undefined) return;
    for (const [k, id] of this.byAddress) if (id === peer.nodeIdHex) this.byAddress.delete(k);
    peer.host = undefined;
  }

  remove(peer: IpPeer): void {
    this.unbind(peer);
    this.byNode.delete(peer.nodeIdHex);
  }

  all(): IpPeer[] {
    return [...this.byNode.values()];
  }

  online(): IpPeer[] {
    return this.all().filter((p) => p.online);
  }

  get size(): number {
    return this.byNode.size;
  }

  private isBound(peer: IpPeer): boolean {
    return peer.host !== undefined && this.byAddress.get(key(peer.host, peer.advert.udpPort)) === peer.nodeIdHex;
  }
}
