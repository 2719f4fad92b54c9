/**
 * Discovery and liveness for the IP bearer: HELLO / PING / PONG / PEERS (datagram-codec.ts) over the bearer's UDP
 * socket. Owns this relay's signed advert, the advert book and the heartbeat; decides which relays are bound
 * (their verified advert names the address they talk from) and which are online (they echo our nonces).
 * PROTOCOL.md describes the exchange and its threat model.
 */
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import type { Identity } from '../../identity/identity.js';
import { shortId } from '../../identity/short-id.js';
import type { Logger } from '../../log/logger.js';
import { signAdvert, type Advert } from './advert.js';
import { AdvertBook } from './advert-book.js';
import { Admission, DEFAULT_ADMISSION, type AdmissionLimits, type Origin } from './admission.js';
import { NONCE_BYTES, encodeDatagram, packPeers, type Capabilities, type Datagram } from './datagram-codec.js';
import type { IpMetrics } from './ip-metrics.js';
import { localIpv4Interfaces } from './ipv4.js';
import type { IpPeer, PeerTable } from './peer-table.js';

export const DEFAULT_IP_PORT = 9333;
/** Bound on relays tracked (and on adverts remembered): plenty for a LAN, finite under a flood of fresh keys. */
export const MAX_PEERS = DEFAULT_ADMISSION.maxPeers;
export const WILDCARDS = new Set(['0.0.0.0', '']);

export interface DiscoveryInit {
  identity: Identity;
  peers: PeerTable;
  metrics: IpMetrics;
  log: Logger;
  capabilities: Capabilities;
  listenHost: string;
  /** The configured listen port (0 = any); broadcast HELLOs go to `discoveryPort` or this, or 9333. */
  listenPort: number;
  staticPeers: { host: string; port: number }[];
  discovery: boolean;
  discoveryPort?: number;
  heartbeatMs: number;
  advertise?: string[];
  advertMaxAgeMs: number;
  advertRefreshMs: number;
  /** Sends one datagram; resolves false when it could not leave the socket. */
  send(datagram: Uint8Array, host: string, port: number): Promise<boolean>;
  onUp(peer: IpPeer): void;
  onDown(peer: IpPeer): void;
  /** Who gets a slot in the peer table (admission.ts); default DEFAULT_ADMISSION. */
  admission?: Partial<AdmissionLimits>;
}

type DiscoveryDatagram = Exclude<Datagram, { type: 'data' }>;

interface PendingNonce {
  /** Where it went; `*` for a broadcast HELLO, which any relay may answer. */
  host: string;
  port: number;
  sentAt: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class Discovery {
  private readonly book: AdvertBook;
  private readonly nonces = new Map<string, PendingNonce>();
  private readonly helloRepliesAt = new Map<string, number>();
  private readonly peers: PeerTable;
  private timer?: NodeJS.Timeout;
  private earlyTimer?: NodeJS.Timeout;
  private running = false;
  private port = 0;
  private lastIssuedAt = 0;
  /** Heartbeats so far: answers in distinct heartbeats make a relay proven (admission.ts). */
  private beat = 0;
  readonly admission: Admission;
  advert?: Advert;

  constructor(private readonly o: DiscoveryInit) {
    this.peers = o.peers;
    this.admission = new Admission(o.peers, { ...DEFAULT_ADMISSION, ...o.admission });
    for (const sp of o.staticPeers) if (isIPv4(sp.host)) this.admission.addStatic(sp.host, sp.port);
    this.book = new AdvertBook({
      maxAgeMs: o.advertMaxAgeMs,
      maxEntries: this.admission.limits.maxPeers,
      // A flood of fresh adverts pushes out forgotten nodes' adverts first, never those of relays in the table.
      isProtected: (id) => this.peers.get(id) !== undefined,
    });
  }

  /** Signs our advert for the bound port and starts the heartbeat. */
  start(boundPort: number): void {
    this.port = boundPort;
    this.running = true;
    this.resign();
    this.tick(true);
    // The heartbeat is a protocol promise (peers count missed ones): it keeps its cadence, but never keeps the
    // process alive by itself.
    this.timer = setInterval(() => this.tick(false), this.o.heartbeatMs).unref();
    this.earlyHellos(500);
  }

  stop(): void {
    this.running = false;
    clearInterval(this.timer);
    clearTimeout(this.earlyTimer);
    this.timer = undefined;
    this.earlyTimer = undefined;
    this.nonces.clear();
    this.helloRepliesAt.clear();
  }

  handle(d: DiscoveryDatagram, host: string, port: number): void {
    switch (d.type) {
      case 'hello':
        return this.onHello(d, host, port);
      case 'ping':
        return this.onPing(d, host, port);
      case 'pong':
        return this.onPong(d, host, port);
      case 'peers':
        return this.onPeers(d, host, port);
    }
  }

  /** HELLO (want reply) to an unknown sender, at most once a heartbeat per address so a spoofed flood cannot
   * turn us into an amplifier. */
  askWhoYouAre(host: string, port: number): void {
    const k = `${host}:${port}`;
    if (this.helloRepliesAt.has(k) || this.helloRepliesAt.size > 4096) return;
    this.helloRepliesAt.set(k, Date.now());
    this.sendHello(host, port, true);
  }

  private advertisedAddresses(): string[] {
    if (this.o.advertise?.length) return this.o.advertise.slice(0, 16);
    const host = this.o.listenHost;
    if (!WILDCARDS.has(host)) return [host];
    const all = localIpv4Interfaces().map((i) => i.address);
    return (all.length ? all : ['127.0.0.1']).slice(0, 16);
  }

  private broadcastTargets(): string[] {
    const host = this.o.listenHost;
    const wildcard = WILDCARDS.has(host);
    const targets = localIpv4Interfaces()
      .filter((i) => !i.internal && (wildcard || i.address === host))
      .map((i) => i.broadcast);
    return [...new Set(targets)];
  }

  /** Signs a fresh advert; issuedAt strictly increases so peers take it as news. */
  private resign(): void {
    const issuedAt = Math.max(Date.now(), this.lastIssuedAt + 1);
    this.lastIssuedAt = issuedAt;
    this.advert = signAdvert(this.o.identity, { issuedAt, udpPort: this.port, tcpPort: this.port, addresses: this.advertisedAddresses() });
  }

  // ---- heartbeat -----------------------------------------------------------------------------------------

  private tick(first: boolean): void {
    if (!this.running) return;
    const now = Date.now();
    if (!first) this.beat++;
    for (const [k, n] of this.nonces) if (now - n.sentAt > 3 * this.o.heartbeatMs) this.nonces.delete(k);
    for (const [k, at] of this.helloRepliesAt) if (now - at >= this.o.heartbeatMs) this.helloRepliesAt.delete(k);

    const addresses = this.advertisedAddresses();
    const changed = addresses.join(',') !== this.advert!.addresses.join(',');
    if (changed || now - this.advert!.issuedAt > this.o.advertRefreshMs) {
      this.resign();
      for (const p of this.peers.online()) this.sendHello(p.host!, p.advert.udpPort, false);
    }

    for (const peer of this.peers.all()) {
      if (!first && peer.awaiting) peer.missed++;
      if (peer.online && peer.missed >= 3) {
        this.o.log.info('ip peer offline', { peer: shortId(peer.advert.nodeId), missed: peer.missed });
        this.setOffline(peer);
      }
      if (!peer.online && now - Math.max(peer.lastHeard, peer.learnedAt) > this.admission.forgetAfter(peer) * this.o.heartbeatMs) {
        this.peers.remove(peer);
        continue;
      }
      if (peer.host !== undefined) {
        this.sendPing(peer.host, peer.advert.udpPort);
      } else {
        for (const a of peer.advert.addresses) this.sendHello(a, peer.advert.udpPort, true);
      }
      peer.awaiting = true;
    }

    for (const sp of this.o.staticPeers) void this.helloStatic(sp);
    if (this.o.discovery) {
      const port = this.o.discoveryPort ?? (this.o.listenPort || DEFAULT_IP_PORT);
      for (const b of this.broadcastTargets()) this.sendHello(b, port, true, true);
    }
  }

  /** Relays started together miss each other's first HELLO (the other socket was not bound yet): retry the
   * static peers at 0.5, 1, 2, 4... s until the first heartbeat takes over. */
  private earlyHellos(delayMs: number): void {
    if (delayMs >= this.o.heartbeatMs || this.o.staticPeers.length === 0) return;
    this.earlyTimer = setTimeout(() => {
      if (!this.running) return;
      for (const sp of this.o.staticPeers) void this.helloStatic(sp);
      this.earlyHellos(delayMs * 2);
    }, delayMs);
  }

  private async helloStatic(sp: { host: string; port: number }): Promise<void> {
    let host = sp.host;
    if (!isIPv4(host)) {
      try {
        host = (await lookup(sp.host, { family: 4 })).address;
      } catch (err) {
        this.o.log.debug('static peer does not resolve', { peer: sp.host, err: String(err) });
        return;
      }
    }
    if (!this.running) return;
    this.admission.addStatic(host, sp.port);
    if (this.peers.at(host, sp.port)?.online) return;
    this.sendHello(host, sp.port, true);
  }

  private setOnline(peer: IpPeer): void {
    if (this.admission.answered(peer, this.beat)) this.o.log.debug('ip peer proven', { peer: shortId(peer.advert.nodeId), by: 'heartbeats' });
    peer.lastHeard = Date.now();
    peer.missed = 0;
    peer.awaiting = false;
    if (peer.online) return;
    peer.online = true;
    this.o.log.info('ip peer online', { peer: shortId(peer.advert.nodeId), address: `${peer.host}:${peer.advert.udpPort}` });
    // Hand the newcomer the adverts of everyone else online, so it can contact them directly.
    const others = this.peers.online().filter((p) => p !== peer).map((p) => p.advert);
    for (const d of packPeers(others)) void this.o.send(d, peer.host!, peer.advert.udpPort);
    this.o.onUp(peer);
  }

  private setOffline(peer: IpPeer): void {
    peer.online = false;
    this.o.onDown(peer);
  }

  private newNonce(host: string, port: number): Uint8Array {
    const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
    this.nonces.set(hex(nonce), { host, port, sentAt: Date.now() });
    return nonce;
  }

  private sendHello(host: string, port: number, wantReply: boolean, broadcast = false): void {
    const nonce = this.newNonce(broadcast ? '*' : host, port);
    void this.o.send(encodeDatagram({ type: 'hello', wantReply, nonce, capabilities: this.o.capabilities, advert: this.advert! }), host, port);
  }

  private sendPing(host: string, port: number): void {
    void this.o.send(encodeDatagram({ type: 'ping', nodeId: this.o.identity.nodeId, nonce: this.newNonce(host, port) }), host, port);
  }

  private rejected(advert: Advert, reason: string): void {
    this.o.metrics.advertRejected(reason);
    this.o.log.debug('advert rejected', { node: advert.nodeIdHex.slice(0, 12), reason });
  }

  /** A node not in the table asks for a slot: refused (and counted) before its signature costs anything. */
  private refused(origin: Origin): boolean {
    const refusal = this.admission.ask(origin, Date.now());
    if (refusal === undefined) return false;
    this.o.metrics.discarded(refusal);
    return true;
  }

  /** Takes the slot `refused` allowed, pushing out whom admission names. */
  private admit(origin: Origin): void {
    for (const victim of this.admission.admit(origin, Date.now())) {
      this.o.metrics.peerEvicted(this.admission.classOf(victim));
      this.o.log.debug('ip peer evicted for a newcomer', { peer: shortId(victim.advert.nodeId), class: this.admission.classOf(victim) });
      const wasOnline = victim.online;
      this.peers.remove(victim);
      if (wasOnline) this.setOffline(victim);
    }
  }

  private onHello(d: Extract<Datagram, { type: 'hello' }>, host: string, port: number): void {
    if (d.advert.nodeIdHex === this.o.identity.nodeIdHex) return; // our own broadcast, looped back
    const known = this.peers.get(d.advert.nodeIdHex) !== undefined;
    const origin = { host, port };
    if (!known && this.refused(origin)) return;
    const verdict = this.book.check(d.advert, Date.now());
    if (!verdict.ok) return this.rejected(d.advert, verdict.reason);
    if (d.advert.udpPort !== port || !d.advert.addresses.includes(host)) {
      this.o.metrics.advertRejected('address-mismatch');
      this.o.log.debug('advert does not name its source', { node: d.advert.nodeIdHex.slice(0, 12), from: `${host}:${port}` });
      return;
    }
    if (!known) this.admit(origin);
    if (verdict.news) this.book.record(d.advert);
    const peer = this.peers.upsert(this.book.get(d.advert.nodeIdHex) ?? d.advert, Date.now());
    peer.capabilities = d.capabilities;
    this.peers.bind(peer, host);
    // Our HELLO first, so the peer knows us by the time our PONG arrives.
    if (d.wantReply) this.sendHello(host, port, false);
    void this.o.send(encodeDatagram({ type: 'pong', nodeId: this.o.identity.nodeId, echo: d.nonce }), host, port);
    if (!peer.online && !d.wantReply) this.sendPing(host, port);
  }

  private onPing(d: Extract<Datagram, { type: 'ping' }>, host: string, port: number): void {
    const peer = this.peers.at(host, port);
    if (peer && peer.nodeIdHex === hex(d.nodeId)) {
      void this.o.send(encodeDatagram({ type: 'pong', nodeId: this.o.identity.nodeId, echo: d.nonce }), host, port);
      return;
    }
    // We do not know the pinger here (we restarted, or it moved): ask for its advert.
    this.askWhoYouAre(host, port);
  }

  private onPong(d: Extract<Datagram, { type: 'pong' }>, host: string, port: number): void {
    const k = hex(d.echo);
    const pending = this.nonces.get(k);
    if (!pending || (pending.host !== '*' && (pending.host !== host || pending.port !== port))) {
      this.o.metrics.discarded('unexpected-pong');
      return;
    }
    const peer = this.peers.at(host, port);
    if (!peer || peer.nodeIdHex !== hex(d.nodeId)) {
      this.o.metrics.discarded('unbound');
      return;
    }
    if (pending.host !== '*') this.nonces.delete(k);
    this.setOnline(peer);
  }

  private onPeers(d: Extract<Datagram, { type: 'peers' }>, host: string, port: number): void {
    // Without discovery a relay talks only to the peers it was given (and those that contact it).
    if (!(this.o.discovery)) return;
    const from = this.peers.at(host, port);
    if (!from?.online) {
      this.o.metrics.discarded('unbound');
      return;
    }
    for (const advert of d.adverts) {
      if (advert.nodeIdHex === this.o.identity.nodeIdHex) continue;
      if (this.peers.get(advert.nodeIdHex)) {
        // Newer adverts of relays we know are news for the book (and the table, at their next HELLO).
        const verdict = this.book.check(advert, Date.now());
        if (!verdict.ok) this.rejected(advert, verdict.reason);
        else if (verdict.news) this.book.record(advert);
        continue;
      }
      // Gossip introduces newcomers on the gossiper's account: a relay cannot fill our table through PEERS either.
      const origin = { host };
      if (this.refused(origin)) continue;
      const verdict = this.book.check(advert, Date.now());
      if (!verdict.ok) {
        this.rejected(advert, verdict.reason);
        continue;
      }
      this.admit(origin);
      if (verdict.news) this.book.record(advert);
      // A relay we have not met: contact it at every address it names.
      const peer = this.peers.upsert(this.book.get(advert.nodeIdHex)!, Date.now());
      for (const a of peer.advert.addresses) this.sendHello(a, peer.advert.udpPort, true);
    }
  }
}
