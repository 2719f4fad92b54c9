/**
 * The IP bearer: Lattice relays on the same LAN (or reachable over IP) find each other and exchange frames.
 * Mode `sync`: `accepted` means the frame went out as a UDP datagram to a peer that answered a heartbeat within
 * the last three heartbeats, or was written to that peer's authenticated TCP connection.
 *
 * - One UDP socket and one TCP listener on the same port (9333 by default).
 * - Discovery: HELLO (capabilities + signed advert) to static peers and, with `discovery`, to the LAN broadcast
 *   address of every interface, every heartbeat; PEERS hands a newly online peer the adverts of the others.
 * - Liveness: PING every heartbeat; a peer is online while it echoes our nonces (PONG), offline after three
 *   heartbeats without an answer.
 * - Frames up to 1200 bytes go as one DATA datagram, bigger ones over TCP (tcp-transport.ts).
 * PROTOCOL.md describes the messages and the threat model.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import type { Metrics } from '../../metrics/metrics.js';
import { BROADCAST, type Bearer, type BearerEvents, type BearerStatus, type OutFrame, type PeerId, type SendResult } from '../../bearer/bearer.js';
import type { Identity } from '../../identity/identity.js';
import { shortId } from '../../identity/short-id.js';
import { VERSION } from '../../version.js';
import { MAX_FRAME_BYTES } from '../../wire/frame-codec.js';
import { signAdvert, type Advert } from './advert.js';
import { AdvertBook } from './advert-book.js';
import { MAX_UDP_FRAME_BYTES, NONCE_BYTES, decodeDatagram, encodeDatagram, packPeers, type Capabilities, type Datagram } from './datagram-codec.js';
import { IpDecodeError, IpListenError } from './errors.js';
import { IpMetrics } from './ip-metrics.js';
import { localIpv4Interfaces, normalizeIpv4 } from './ipv4.js';
import { createLogger, type Logger } from '../../log/logger.js';
import { BearerListeners } from './listeners.js';
import { PeerTable, type IpPeer } from './peer-table.js';
import { TcpTransport } from './tcp-transport.js';

export const DEFAULT_IP_PORT = 9333;
/** Bound on relays tracked (and on adverts remembered): plenty for a LAN, finite under a flood of fresh keys. */
const MAX_PEERS = 1024;

export interface IpBearerOptions {
  identity: Identity;
  /** Bearer name; default `ip`. */
  name?: string;
  /** UDP and TCP listen on the same host and port; host is an IPv4 address or 0.0.0.0; port 0 picks a free one. */
  listen: { host: string; port: number };
  /** Relays to contact directly: `host:port` strings (repeatable in config) or config HostPort objects. */
  staticPeers?: (string | { host: string; port: number })[];
  /** Broadcast HELLO on the LAN every heartbeat and contact relays that PEERS gossip names; default true. */
  discovery?: boolean;
  /** Port broadcast HELLOs go to; default the listen port (9333 when listening on port 0). */
  discoveryPort?: number;
  /** Heartbeat period; three missed heartbeats mark a peer offline. Default 30 s. */
  heartbeatMs?: number;
  /** IPv4 addresses to advertise instead of this machine's interface addresses (NAT, port forwarding). */
  advertise?: string[];
  /** Adverts issued longer ago (or later) than this are stale. Default 24 h: boards without RTC drift. */
  advertMaxAgeMs?: number;
  /** How often this relay re-signs its advert. Default 10 min. */
  advertRefreshMs?: number;
  /** Dial + handshake budget of a TCP connection. Default 10 s. */
  connectTimeoutMs?: number;
  /** Largest Lattice frame sent or accepted. Default the wire maximum (runtime/wire/frame-codec.ts). */
  maxFrameBytes?: number;
  /** Bearer names announced in HELLO capabilities; default just this bearer's name. */
  bearers?: string[];
  log?: Logger;
  metrics?: Metrics;
}

interface PendingNonce {
  /** Where it went; `*` for a broadcast HELLO, which any relay may answer. */
  host: string;
  port: number;
  sentAt: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const WILDCARDS = new Set(['0.0.0.0', '']);

export function parseStaticPeer(peer: string | { host: string; port: number }): { host: string; port: number } {
  const text = typeof peer === 'string' ? peer : `${peer.host}:${peer.port}`;
  const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) {
    throw new RangeError(`static peer "${text}" is not IPv4-or-hostname:port (e.g. 192.168.1.20:9333); the IP bearer speaks IPv4 only`);
  }
  return { host: m[1]!, port };
}

export class IpBearer implements Bearer {
  readonly name: string;
  readonly mode = 'sync' as const;
  readonly metrics: IpMetrics;
  private state: BearerStatus['state'] = 'stopped';
  private readonly identity: Identity;
  private readonly heartbeatMs: number;
  private readonly maxFrameBytes: number;
  private readonly staticPeers: { host: string; port: number }[];
  private readonly capabilities: Capabilities;
  private readonly log: Logger;
  private readonly listeners: BearerListeners;
  private readonly book: AdvertBook;
  private readonly peers = new PeerTable();
  private readonly nonces = new Map<string, PendingNonce>();
  private readonly helloRepliesAt = new Map<string, number>();
  private readonly tcp: TcpTransport;
  private udp?: UdpSocket;
  private timer?: NodeJS.Timeout;
  private earlyTimer?: NodeJS.Timeout;
  private port = 0;
  private advert?: Advert;
  private lastIssuedAt = 0;
  private removePeerSource?: () => void;

  constructor(private readonly options: IpBearerOptions) {
    this.name = options.name ?? 'ip';
    this.identity = options.identity;
    this.heartbeatMs = options.heartbeatMs ?? 30_000;
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.log = options.log ?? createLogger(this.name);
    if (!isIPv4(options.listen.host) && !WILDCARDS.has(options.listen.host)) {
      throw new RangeError(`ip listen host "${options.listen.host}" must be an IPv4 address or 0.0.0.0`);
    }
    for (const a of options.advertise ?? []) if (!isIPv4(a)) throw new RangeError(`advertised address "${a}" is not IPv4`);
    this.staticPeers = (options.staticPeers ?? []).map(parseStaticPeer);
    this.capabilities = { version: VERSION, maxFrameBytes: this.maxFrameBytes, bearers: options.bearers ?? [this.name] };
    this.metrics = new IpMetrics(options.metrics);
    this.listeners = new BearerListeners((event, err) => this.log.warn('listener threw', { event, err: String(err) }));
    this.book = new AdvertBook({ maxAgeMs: options.advertMaxAgeMs ?? 24 * 3600_000, maxEntries: MAX_PEERS });
    this.tcp = new TcpTransport({
      identity: this.identity,
      maxFrameBytes: this.maxFrameBytes,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      log: this.log,
      acceptsFrom: (id) => this.peers.get(id)?.host !== undefined,
      onFrame: (from, bytes) => {
        this.metrics.frameIn('tcp');
        this.log.frame('rx', bytes, { from: from.slice(0, 12), transport: 'tcp' });
        this.listeners.emit('frame', { bearer: this.name, from, bytes });
      },
      onDiscard: (reason, n) => this.metrics.discarded(reason, n),
    });
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    try {
      await this.bind();
    } catch (err) {
      this.state = 'stopped';
      throw err;
    }
    this.resign();
    this.state = 'up';
    this.removePeerSource = this.options.metrics?.addPeerSource(() => ({ [this.name]: this.peers.online().length }));
    this.log.info('ip bearer listening', { host: this.options.listen.host, port: this.port, addresses: this.advert!.addresses });
    this.tick(true);
    this.timer = setInterval(() => this.tick(false), this.heartbeatMs);
    this.earlyHellos(500);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearInterval(this.timer);
    clearTimeout(this.earlyTimer);
    this.timer = undefined;
    this.removePeerSource?.();
    this.removePeerSource = undefined;
    await this.tcp.close();
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    for (const p of this.peers.all()) if (p.online) this.setOffline(p);
    this.nonces.clear();
  }

  canReach(peer: PeerId): boolean {
    if (this.state !== 'up') return false;
    if (peer === BROADCAST) return this.peers.online().length > 0;
    return this.peers.get(peer)?.online === true;
  }

  async send(frame: OutFrame, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    options.signal?.throwIfAborted();
    if (this.state !== 'up') return 'unreachable';
    if (frame.bytes.length > this.maxFrameBytes) {
      this.log.warn('frame over the IP maximum', { bytes: frame.bytes.length, max: this.maxFrameBytes });
      this.metrics.discarded('oversize-out');
      return 'unreachable';
    }
    if (frame.peer !== BROADCAST) {
      const peer = this.peers.get(frame.peer);
      if (!peer?.online) return 'unreachable';
      return (await this.sendTo(peer, frame.bytes, options.signal)) ? 'accepted' : 'unreachable';
    }
    const targets = this.peers.online();
    const results = await Promise.allSettled(targets.map((p) => this.sendTo(p, frame.bytes, options.signal)));
    if (results.some((r) => r.status === 'fulfilled' && r.value)) return 'accepted';
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
    return 'unreachable';
  }

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }

  status(): BearerStatus {
    return {
      name: this.name,
      kind: 'ip',
      mode: this.mode,
      state: this.state,
      peers: this.peers.online().map((p) => p.nodeIdHex),
      detail: {
        listen: { host: this.options.listen.host, udpPort: this.port, tcpPort: this.port },
        advertised: this.advert?.addresses ?? [],
        staticPeers: this.staticPeers.map((p) => `${p.host}:${p.port}`),
        discovery: this.options.discovery ?? true,
        peers: this.peers.all().map((p) => ({
          nodeId: p.nodeIdHex,
          shortId: shortId(p.advert.nodeId),
          address: p.host === undefined ? undefined : `${p.host}:${p.advert.udpPort}`,
          tcpPort: p.advert.tcpPort,
          online: p.online,
          lastHeardAt: p.lastHeard || undefined,
          version: p.capabilities?.version,
          bearers: p.capabilities?.bearers,
          maxFrameBytes: p.capabilities?.maxFrameBytes,
        })),
        tcpConnections: this.tcp.connectedPeers().length,
        tcpHandshaking: this.tcp.handshaking,
        counters: { ...this.metrics.counters },
      },
    };
  }

  /** The UDP/TCP port actually bound (useful with listen port 0). */
  get listenPort(): number {
    return this.port;
  }

  // ---- binding -------------------------------------------------------------------------------------------

  private async bind(): Promise<void> {
    const { host, port } = this.options.listen;
    const bindHost = host === '' ? '0.0.0.0' : host;
    // With port 0 the kernel picks the UDP port; TCP must then get the same number, which another process may
    // hold, so try a few times.
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket({ type: 'udp4' });
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind({ address: bindHost, port, exclusive: true }, () => {
            udp.removeListener('error', reject);
            resolve();
          });
        });
        const bound = udp.address().port;
        await this.tcp.listen(bindHost, bound);
        this.udp = udp;
        this.port = bound;
        break;
      } catch (err) {
        udp.close();
        if (port === 0 && attempt < 8 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        throw new IpListenError(bindHost, port, { cause: err });
      }
    }
    const udp = this.udp!;
    if (this.options.discovery ?? true) {
      try {
        udp.setBroadcast(true);
      } catch (err) {
        this.log.warn('cannot enable UDP broadcast; LAN discovery off', { err: String(err) });
      }
    }
    // Plain Uint8Array views: Buffer.slice does not copy, and frames handed on must be plain bytes.
    udp.on('message', (msg, rinfo) => this.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), normalizeIpv4(rinfo.address), rinfo.port));
    udp.on('error', (err) => this.log.warn('udp socket error', { err: String(err) }));
  }

  private advertisedAddresses(): string[] {
    if (this.options.advertise?.length) return this.options.advertise.slice(0, 16);
    const host = this.options.listen.host;
    if (!WILDCARDS.has(host)) return [host];
    const all = localIpv4Interfaces().map((i) => i.address);
    return (all.length ? all : ['127.0.0.1']).slice(0, 16);
  }

  private broadcastTargets(): string[] {
    const host = this.options.listen.host;
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
    this.advert = signAdvert(this.identity, { issuedAt, udpPort: this.port, tcpPort: this.port, addresses: this.advertisedAddresses() });
  }

  // ---- heartbeat -----------------------------------------------------------------------------------------

  private tick(first: boolean): void {
    if (this.state !== 'up') return;
    const now = Date.now();
    for (const [k, n] of this.nonces) if (now - n.sentAt > 3 * this.heartbeatMs) this.nonces.delete(k);
    for (const [k, at] of this.helloRepliesAt) if (now - at >= this.heartbeatMs) this.helloRepliesAt.delete(k);

    const addresses = this.advertisedAddresses();
    const changed = addresses.join(',') !== this.advert!.addresses.join(',');
    if (changed || now - this.advert!.issuedAt > (this.options.advertRefreshMs ?? 600_000)) {
      this.resign();
      for (const p of this.peers.online()) this.sendHello(p.host!, p.advert.udpPort, false);
    }

    for (const peer of this.peers.all()) {
      if (!first && peer.awaiting) peer.missed++;
      if (peer.online && peer.missed >= 3) {
        this.log.info('ip peer offline', { peer: shortId(peer.advert.nodeId), missed: peer.missed });
        this.setOffline(peer);
      }
      if (!peer.online && now - Math.max(peer.lastHeard, peer.learnedAt) > 20 * this.heartbeatMs) {
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

    for (const sp of this.staticPeers) void this.helloStatic(sp);
    if (this.options.discovery ?? true) {
      const port = this.options.discoveryPort ?? (this.options.listen.port || DEFAULT_IP_PORT);
      for (const b of this.broadcastTargets()) this.sendHello(b, port, true, true);
    }
  }

  /** Relays started together miss each other's first HELLO (the other socket was not bound yet): retry the
   * static peers at 0.5, 1, 2, 4... s until the first heartbeat takes over. */
  private earlyHellos(delayMs: number): void {
    if (delayMs >= this.heartbeatMs || this.staticPeers.length === 0) return;
    this.earlyTimer = setTimeout(() => {
      if (this.state !== 'up') return;
      for (const sp of this.staticPeers) void this.helloStatic(sp);
      this.earlyHellos(delayMs * 2);
    }, delayMs);
  }

  private async helloStatic(sp: { host: string; port: number }): Promise<void> {
    let host = sp.host;
    if (!isIPv4(host)) {
      try {
        host = (await lookup(sp.host, { family: 4 })).address;
      } catch (err) {
        this.log.debug('static peer does not resolve', { peer: sp.host, err: String(err) });
        return;
      }
    }
    if (this.state !== 'up') return;
    if (this.peers.at(host, sp.port)?.online) return;
    this.sendHello(host, sp.port, true);
  }

  private setOnline(peer: IpPeer): void {
    peer.lastHeard = Date.now();
    peer.missed = 0;
    peer.awaiting = false;
    if (peer.online) return;
    peer.online = true;
    this.metrics.peers(this.peers.online().length);
    this.log.info('ip peer online', { peer: shortId(peer.advert.nodeId), address: `${peer.host}:${peer.advert.udpPort}` });
    // Hand the newcomer the adverts of everyone else online, so it can contact them directly.
    const others = this.peers.online().filter((p) => p !== peer).map((p) => p.advert);
    for (const d of packPeers(others)) this.sendRaw(d, peer.host!, peer.advert.udpPort);
    this.listeners.emit('peer', { bearer: this.name, peer: peer.nodeIdHex, up: true, name: shortId(peer.advert.nodeId) });
  }

  private setOffline(peer: IpPeer): void {
    peer.online = false;
    this.tcp.drop(peer.nodeIdHex);
    this.metrics.peers(this.peers.online().length);
    this.listeners.emit('peer', { bearer: this.name, peer: peer.nodeIdHex, up: false, name: shortId(peer.advert.nodeId) });
  }

  // ---- sending -------------------------------------------------------------------------------------------

  private async sendTo(peer: IpPeer, bytes: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    if (peer.host === undefined) return false;
    this.log.frame('tx', bytes, { to: peer.nodeIdHex.slice(0, 12) });
    if (bytes.length <= MAX_UDP_FRAME_BYTES) {
      const ok = await this.sendRaw(encodeDatagram({ type: 'data', payload: bytes }), peer.host, peer.advert.udpPort);
      if (ok) this.metrics.frameOut('udp');
      return ok;
    }
    if (peer.capabilities && bytes.length > peer.capabilities.maxFrameBytes) return false;
    const ok = await this.tcp.send(peer.nodeIdHex, peer.host, peer.advert.tcpPort, bytes, signal);
    if (ok) this.metrics.frameOut('tcp');
    return ok;
  }

  private sendRaw(datagram: Uint8Array, host: string, port: number): Promise<boolean> {
    const udp = this.udp;
    if (!udp) return Promise.resolve(false);
    return new Promise((resolve) => {
      try {
        udp.send(datagram, port, host, (err) => {
          if (err) this.log.debug('udp send failed', { to: `${host}:${port}`, err: String(err) });
          resolve(!err);
        });
      } catch (err) {
        this.log.debug('udp send failed', { to: `${host}:${port}`, err: String(err) });
        resolve(false);
      }
    });
  }

  private newNonce(host: string, port: number): Uint8Array {
    const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
    this.nonces.set(hex(nonce), { host, port, sentAt: Date.now() });
    return nonce;
  }

  private sendHello(host: string, port: number, wantReply: boolean, broadcast = false): void {
    const nonce = this.newNonce(broadcast ? '*' : host, port);
    void this.sendRaw(encodeDatagram({ type: 'hello', wantReply, nonce, capabilities: this.capabilities, advert: this.advert! }), host, port);
  }

  private sendPing(host: string, port: number): void {
    void this.sendRaw(encodeDatagram({ type: 'ping', nodeId: this.identity.nodeId, nonce: this.newNonce(host, port) }), host, port);
  }

  // ---- receiving -----------------------------------------------------------------------------------------

  private receive(msg: Uint8Array, host: string, port: number): void {
    if (this.state !== 'up') return;
    let d: Datagram;
    try {
      d = decodeDatagram(msg);
    } catch (err) {
      if (!(err instanceof IpDecodeError)) {
        // A decoder bug must not take the socket (or the daemon) down; the fuzz tests say this never happens.
        this.metrics.discarded('internal');
        this.log.warn('datagram decoder failed', { from: `${host}:${port}`, err: String(err) });
        return;
      }
      // A bad advert inside a HELLO/PEERS is a rejected advert as much as a bad datagram.
      if (err.reason === 'malformed' && (msg[3] === 1 || msg[3] === 4)) this.metrics.advertRejected('malformed');
      this.metrics.discarded(err.reason);
      this.log.debug('datagram discarded', { from: `${host}:${port}`, reason: err.reason, bytes: msg.length });
      return;
    }
    try {
      switch (d.type) {
        case 'hello':
          return this.onHello(d, host, port);
        case 'ping':
          return this.onPing(d, host, port);
        case 'pong':
          return this.onPong(d, host, port);
        case 'peers':
          return this.onPeers(d, host, port);
        case 'data':
          return this.onData(d, host, port);
      }
    } catch (err) {
      // A bug here must not take the socket down with it.
      this.metrics.discarded('internal');
      this.log.warn('datagram handling failed', { type: d.type, err: String(err) });
    }
  }

  private consider(advert: Advert): boolean {
    const verdict = this.book.consider(advert, Date.now());
    if (!verdict.ok) {
      this.metrics.advertRejected(verdict.reason);
      this.log.debug('advert rejected', { node: advert.nodeIdHex.slice(0, 12), reason: verdict.reason });
      return false;
    }
    return true;
  }

  private onHello(d: Extract<Datagram, { type: 'hello' }>, host: string, port: number): void {
    if (d.advert.nodeIdHex === this.identity.nodeIdHex) return; // our own broadcast, looped back
    if (!this.consider(d.advert)) return;
    if (d.advert.udpPort !== port || !d.advert.addresses.includes(host)) {
      this.metrics.advertRejected('address-mismatch');
      this.log.debug('advert does not name its source', { node: d.advert.nodeIdHex.slice(0, 12), from: `${host}:${port}` });
      return;
    }
    if (!this.peers.get(d.advert.nodeIdHex) && this.peers.size >= MAX_PEERS) {
      this.metrics.discarded('peer-table-full');
      return;
    }
    const peer = this.peers.upsert(this.book.get(d.advert.nodeIdHex) ?? d.advert, Date.now());
    peer.capabilities = d.capabilities;
    this.peers.bind(peer, host);
    // Our HELLO first, so the peer knows us by the time our PONG arrives.
    if (d.wantReply) this.sendHello(host, port, false);
    void this.sendRaw(encodeDatagram({ type: 'pong', nodeId: this.identity.nodeId, echo: d.nonce }), host, port);
    if (!peer.online && !d.wantReply) this.sendPing(host, port);
  }

  private onPing(d: Extract<Datagram, { type: 'ping' }>, host: string, port: number): void {
    const peer = this.peers.at(host, port);
    if (peer && peer.nodeIdHex === hex(d.nodeId)) {
      void this.sendRaw(encodeDatagram({ type: 'pong', nodeId: this.identity.nodeId, echo: d.nonce }), host, port);
      return;
    }
    // We do not know the pinger here (we restarted, or it moved): ask for its advert.
    this.askWhoYouAre(host, port);
  }

  /** HELLO (want reply) to an unknown sender, at most once a heartbeat per address so a spoofed flood cannot
   * turn us into an amplifier. */
  private askWhoYouAre(host: string, port: number): void {
    const k = `${host}:${port}`;
    if (this.helloRepliesAt.has(k) || this.helloRepliesAt.size > 4096) return;
    this.helloRepliesAt.set(k, Date.now());
    this.sendHello(host, port, true);
  }

  private onPong(d: Extract<Datagram, { type: 'pong' }>, host: string, port: number): void {
    const k = hex(d.echo);
    const pending = this.nonces.get(k);
    if (!pending || (pending.host !== '*' && (pending.host !== host || pending.port !== port))) {
      this.metrics.discarded('unexpected-pong');
      return;
    }
    const peer = this.peers.at(host, port);
    if (!peer || peer.nodeIdHex !== hex(d.nodeId)) {
      this.metrics.discarded('unbound');
      return;
    }
    if (pending.host !== '*') this.nonces.delete(k);
    this.setOnline(peer);
  }

  private onPeers(d: Extract<Datagram, { type: 'peers' }>, host: string, port: number): void {
    // Without discovery a relay talks only to the peers it was given (and those that contact it).
    if (!(this.options.discovery ?? true)) return;
    const from = this.peers.at(host, port);
    if (!from?.online) {
      this.metrics.discarded('unbound');
      return;
    }
    for (const advert of d.adverts) {
      if (advert.nodeIdHex === this.identity.nodeIdHex) continue;
      if (!this.consider(advert)) continue;
      if (this.peers.get(advert.nodeIdHex)) continue;
      if (this.peers.size >= MAX_PEERS) {
        this.metrics.discarded('peer-table-full');
        return;
      }
      // A relay we have not met: contact it at every address it names.
      const peer = this.peers.upsert(this.book.get(advert.nodeIdHex)!, Date.now());
      for (const a of peer.advert.addresses) this.sendHello(a, peer.advert.udpPort, true);
    }
  }

  private onData(d: Extract<Datagram, { type: 'data' }>, host: string, port: number): void {
    const peer = this.peers.at(host, port);
    if (!peer) {
      // Typically a relay that still has us online while we restarted: re-introduce ourselves right away
      // instead of at its next heartbeat. The frame itself is lost (the bundle's custody and blooms recover it).
      this.metrics.discarded('unbound');
      this.askWhoYouAre(host, port);
      return;
    }
    if (d.payload.length > this.maxFrameBytes) {
      this.metrics.discarded('oversize');
      return;
    }
    this.metrics.frameIn('udp');
    this.log.frame('rx', d.payload, { from: peer.nodeIdHex.slice(0, 12), transport: 'udp' });
    this.listeners.emit('frame', { bearer: this.name, from: peer.nodeIdHex, bytes: d.payload });
  }
}

/** Factory in the house style: options in, a Bearer out; no I/O until start(). */
export function createIpBearer(options: IpBearerOptions): IpBearer {
  return new IpBearer(options);
}
