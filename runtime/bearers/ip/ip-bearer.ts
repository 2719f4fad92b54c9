/**
 * The IP bearer: Lattice relays on the same LAN (or reachable over IP) find each other and exchange frames.
 * Mode `sync`: for a bundle frame, `accepted` means the peer acknowledged it as durable in its vault (a numbered
 * BUNDLE frame over the authenticated TCP connection, answered by an ACK once the peer's router settled it,
 * ack-codec.ts); no ACK within `ackTimeoutMs`, a refusal, or the connection closing first answers 'unreachable' and
 * the router keeps custody. A peer too old to acknowledge (no ACK flag in its HELLO) gets plain DATA frames and
 * `accepted` once written, as before (counted, logged once per peer). Blooms and control frames are best-effort:
 * `accepted` when the datagram left the socket for a peer that answered a heartbeat within the last three
 * heartbeats, or when written to its TCP connection.
 *
 * - One UDP socket and one TCP listener on the same port (9333 by default).
 * - Discovery and liveness (discovery.ts): HELLO (capabilities + signed advert) to static peers and, with
 *   `discovery`, to the LAN broadcast address of every interface, every heartbeat; PEERS hands a newly online
 *   peer the adverts of the others; PING every heartbeat, a peer is online while it echoes our nonces (PONG),
 *   offline after three heartbeats without an answer.
 * - Bundles always go over TCP (tcp-transport.ts): `accepted` marks a bundle delivered to this hop, and a burst of
 *   datagrams overflowing the receiver's socket buffer would lose bundles silently (measured: 111 of 277 lost in
 *   the power-cut test); bytes a kernel took are not custody either (measured before acknowledgements: a receiver
 *   killed mid-delivery lost 64 of 5,002 "delivered" bundles). Blooms and control frames up to 1200 bytes go as one
 *   DATA datagram, larger ones by TCP.
 * PROTOCOL.md describes the messages and the threat model.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { BROADCAST, type Bearer, type BearerEvents, type BearerStatus, type OutFrame, type PeerId, type SendResult } from '../../bearer/bearer.js';
import type { BearerFactory } from '../../bearer/bearer-kind.js';
import type { Identity } from '../../identity/identity.js';
import { shortId } from '../../identity/short-id.js';
import { createLogger, type Logger } from '../../log/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import { VERSION } from '../../version.js';
import { MAX_FRAME_BYTES } from '../../wire/frame-codec.js';
import type { AdmissionLimits } from './admission.js';
import { acknowledges } from './ack-codec.js';
import { MAX_UDP_FRAME_BYTES, decodeDatagram, encodeDatagram, type Datagram } from './datagram-codec.js';
import { Discovery, WILDCARDS } from './discovery.js';
import { DomainKey } from './domain-key.js';
import type { InboundLimits } from './inbound-budget.js';
import type { ConnectionLimits } from './inbound-connections.js';
import { IpDecodeError, IpListenError } from './errors.js';
import { IpMetrics } from './ip-metrics.js';
import { normalizeIpv4 } from './ipv4.js';
import { TypedEmitter } from '../../../lib/events/typed-emitter.js';
import { PeerTable, type IpPeer } from './peer-table.js';
import { TcpTransport } from './tcp-transport.js';

export { DEFAULT_IP_PORT } from './discovery.js';

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
  /** How long a bundle send waits for the peer's acknowledgement, while the connection brings no acknowledgement at
   * all, before answering 'unreachable' (the router then retries with backoff; a late acknowledgement is ignored and
   * the retry is settled as a duplicate). Default 10 s: a vault flush takes ~100 ms plus an fsync. */
  ackTimeoutMs?: number;
  /** Advertise and use bundle acknowledgements (default true). false behaves as a relay from before them (tests of
   * mixed versions). */
  acks?: boolean;
  /** Bearer names announced in HELLO capabilities; default just this bearer's name. */
  bearers?: string[];
  /**
   * Domain key (`ip.psk`): only relays holding the same key are heard at all (domain-key.ts, PROTOCOL.md "Domain
   * key"). 32..256 printable ASCII characters; never logged, only its `id` fingerprint.
   */
  psk?: string;
  /** Peer-table admission limits (admission.ts); tests shrink them. */
  admission?: Partial<AdmissionLimits>;
  /** Bytes in flight and partial-input deadlines (inbound-budget.ts); default idle limit: two heartbeats, 2..30 s. */
  inbound?: Partial<InboundLimits>;
  /** Inbound TCP connection bounds (inbound-connections.ts). */
  connections?: Partial<ConnectionLimits>;
  log?: Logger;
  metrics?: Metrics;
}

export function parseStaticPeer(peer: string | { host: string; port: number }): { host: string; port: number } {
  const text = typeof peer === 'string' ? peer : peer.host.includes(':') ? `[${peer.host}]:${peer.port}` : `${peer.host}:${peer.port}`;
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
  private readonly maxFrameBytes: number;
  private readonly staticPeers: { host: string; port: number }[];
  private readonly log: Logger;
  private readonly listeners: TypedEmitter<BearerEvents>;
  private readonly peers = new PeerTable();
  private readonly shardHandlers = new Set<(from: string, message: Uint8Array) => void>();
  private readonly discovery: Discovery;
  private readonly tcp: TcpTransport;
  private readonly domain?: DomainKey;
  private udp?: UdpSocket;
  private port = 0;
  private removePeerSource?: () => void;
  private readonly acks: boolean;
  /** Peers already warned about as not acknowledging bundles (older versions). */
  private readonly unackedPeers = new Set<string>();

  constructor(private readonly options: IpBearerOptions) {
    this.name = options.name ?? 'ip';
    this.identity = options.identity;
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.log = options.log ?? createLogger(this.name);
    if (!isIPv4(options.listen.host) && !WILDCARDS.has(options.listen.host)) {
      throw new RangeError(`ip listen host "${options.listen.host}" must be an IPv4 address or 0.0.0.0`);
    }
    for (const a of options.advertise ?? []) if (!isIPv4(a)) throw new RangeError(`advertised address "${a}" is not IPv4`);
    this.staticPeers = (options.staticPeers ?? []).map(parseStaticPeer);
    // Derived once; the psk string itself is not kept by the bearer's parts (options stays the caller's object).
    this.domain = options.psk === undefined ? undefined : new DomainKey(options.psk);
    this.acks = options.acks ?? true;
    this.metrics = new IpMetrics(options.metrics);
    const heartbeatMs = options.heartbeatMs ?? 30_000;
    this.listeners = new TypedEmitter<BearerEvents>({ onListenerError: (err, event) => this.log.warn('listener threw', { event, err: String(err) }) });
    this.discovery = new Discovery({
      identity: this.identity,
      peers: this.peers,
      metrics: this.metrics,
      log: this.log,
      capabilities: { version: VERSION, maxFrameBytes: this.maxFrameBytes, bearers: options.bearers ?? [this.name], ...(this.acks ? { acks: true } : {}) },
      listenHost: options.listen.host,
      listenPort: options.listen.port,
      staticPeers: this.staticPeers,
      discovery: options.discovery ?? true,
      discoveryPort: options.discoveryPort,
      heartbeatMs,
      advertise: options.advertise,
      advertMaxAgeMs: options.advertMaxAgeMs ?? 24 * 3600_000,
      advertRefreshMs: options.advertRefreshMs ?? 600_000,
      send: (d, host, port) => this.sendRaw(d, host, port),
      onUp: (peer) => this.peerChanged(peer, true),
      onDown: (peer) => this.peerChanged(peer, false),
      admission: options.admission,
    });
    this.tcp = new TcpTransport({
      identity: this.identity,
      maxFrameBytes: this.maxFrameBytes,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
      log: this.log,
      acceptsFrom: (id) => this.peers.get(id)?.host !== undefined,
      onFrame: (from, bytes, settle) => {
        this.metrics.frameIn('tcp');
        this.log.frame('rx', bytes, { from: from.slice(0, 12), transport: 'tcp' });
        this.listeners.emit('frame', { bearer: this.name, from, bytes, ...(settle ? { settle } : {}) });
      },
      onAcksSent: (acks) => { for (const a of acks) this.metrics.ackSent(a.fate); },
      onAcksReceived: (acks) => { for (const a of acks) this.metrics.ackReceived(a.fate); },
      onShardMessage: (from, message) => this.deliverShardMessage(from, message),
      onDiscard: (reason, n) => this.metrics.discarded(reason, n),
      domain: this.domain,
      onAuthenticated: (id) => {
        const peer = this.peers.get(id);
        if (peer && this.discovery.admission.authenticated(peer)) this.log.debug('ip peer proven', { peer: shortId(peer.advert.nodeId), by: 'tcp' });
      },
      isProtected: (id) => {
        const peer = this.peers.get(id);
        return peer !== undefined && this.discovery.admission.isProtected(peer);
      },
      inbound: { idleMs: Math.min(30_000, Math.max(2_000, 2 * heartbeatMs)), ...options.inbound },
      connections: options.connections,
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
    this.state = 'up';
    this.removePeerSource = this.options.metrics?.addPeerSource(() => ({ [this.name]: this.peers.online().length }));
    this.discovery.start(this.port);
    this.log.info('ip bearer listening', {
      host: this.options.listen.host,
      port: this.port,
      addresses: this.discovery.advert!.addresses,
      ...(this.domain ? { domainKey: this.domain.id } : {}),
    });
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.discovery.stop();
    this.removePeerSource?.();
    this.removePeerSource = undefined;
    await this.tcp.close();
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    for (const p of this.peers.all()) {
      if (!p.online) continue;
      p.online = false;
      this.peerChanged(p, false);
    }
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
      return (await this.sendTo(peer, frame.bytes, options.signal, frame.kind === 'bundle')) ? 'accepted' : 'unreachable';
    }
    const targets = this.peers.online();
    const results = await Promise.allSettled(targets.map((p) => this.sendTo(p, frame.bytes, options.signal, frame.kind === 'bundle')));
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
        advertised: this.discovery.advert?.addresses ?? [],
        staticPeers: this.staticPeers.map((p) => `${p.host}:${p.port}`),
        discovery: this.options.discovery ?? true,
        // Only the key's fingerprint: equal on relays that share the key.
        domainKey: this.domain?.id,
        peers: this.peers.all().map((p) => ({
          nodeId: p.nodeIdHex,
          shortId: shortId(p.advert.nodeId),
          address: p.host === undefined ? undefined : `${p.host}:${p.advert.udpPort}`,
          tcpPort: p.advert.tcpPort,
          advertIssuedAt: p.advert.issuedAt,
          online: p.online,
          class: this.discovery.admission.classOf(p),
          lastHeardAt: p.lastHeard || undefined,
          version: p.capabilities?.version,
          bearers: p.capabilities?.bearers,
          maxFrameBytes: p.capabilities?.maxFrameBytes,
          acks: p.capabilities?.acks === true,
        })),
        tcpConnections: this.tcp.connectedPeers().length,
        tcpHandshaking: this.tcp.handshaking,
        tcpInbound: this.tcp.authenticatedInbound,
        inboundBytesHeld: this.tcp.budget.held(),
        counters: { ...this.metrics.counters },
      },
    };
  }

  // ---- shard-store messages (PROTOCOL.md "Shard messages"; runtime/shards/link-shard-network.ts) ---------------

  /** Relays online now that have an address (what the shard store may place shards on). */
  relayPeers(): { id: string; name: string }[] {
    if (this.state !== 'up') return [];
    return this.peers.online().filter((p) => p.host !== undefined).map((p) => ({ id: p.nodeIdHex, name: shortId(p.advert.nodeId) }));
  }

  /**
   * Sends one opaque shard-store message to a relay over this relay's authenticated TCP connection to it (never
   * UDP: shard messages are up to MAX_SHARD_MESSAGE_BYTES and must not be lost silently). Resolves false when the
   * relay is offline or cannot be reached; rejects with ShardMessageTooLargeError over the maximum.
   */
  async sendShard(peer: string, message: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    options.signal?.throwIfAborted();
    if (this.state !== 'up') return false;
    const p = this.peers.get(peer);
    if (!p?.online || p.host === undefined) return false;
    const ok = await this.tcp.sendShard(p.nodeIdHex, p.host, p.advert.tcpPort, message, options.signal);
    if (ok) this.metrics.shardOut(message.length);
    return ok;
  }

  /** Every shard-store message that arrives, with the node id the TCP handshake proved. Returns an unsubscribe. */
  onShardMessage(handler: (from: string, message: Uint8Array) => void): () => void {
    this.shardHandlers.add(handler);
    return () => this.shardHandlers.delete(handler);
  }

  private deliverShardMessage(from: string, message: Uint8Array): void {
    if (this.shardHandlers.size === 0) {
      this.metrics.discarded('shard-unhandled');
      return;
    }
    this.metrics.shardIn(message.length);
    for (const h of this.shardHandlers) {
      try {
        h(from, message);
      } catch (err) {
        this.log.warn('shard message handler threw', { err: String(err) });
      }
    }
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

  private peerChanged(peer: IpPeer, up: boolean): void {
    if (!up) this.tcp.drop(peer.nodeIdHex);
    this.metrics.peers(this.peers.online().length);
    this.listeners.emit('peer', { bearer: this.name, peer: peer.nodeIdHex, up, name: shortId(peer.advert.nodeId) });
  }

  // ---- sending -------------------------------------------------------------------------------------------

  private async sendTo(peer: IpPeer, bytes: Uint8Array, signal?: AbortSignal, reliable = false): Promise<boolean> {
    if (peer.host === undefined) return false;
    this.log.frame('tx', bytes, { to: peer.nodeIdHex.slice(0, 12) });
    if (!reliable && bytes.length <= MAX_UDP_FRAME_BYTES) {
      const ok = await this.sendRaw(encodeDatagram({ type: 'data', payload: bytes }), peer.host, peer.advert.udpPort);
      if (ok) this.metrics.frameOut('udp');
      return ok;
    }
    if (peer.capabilities && bytes.length > peer.capabilities.maxFrameBytes) return false;
    if (reliable && this.acks && peer.capabilities?.acks) return this.sendAcked(peer, peer.host, bytes, signal);
    if (reliable) this.unacked(peer);
    const ok = await this.tcp.send(peer.nodeIdHex, peer.host, peer.advert.tcpPort, bytes, signal);
    if (ok) this.metrics.frameOut('tcp');
    return ok;
  }

  /** A bundle frame the peer acknowledges: true only for an ACK saying it holds it durably. */
  private async sendAcked(peer: IpPeer, host: string, bytes: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    const result = await this.tcp.sendBundle(peer.nodeIdHex, host, peer.advert.tcpPort, bytes, signal);
    if (result === false) return false;
    this.metrics.frameOut('tcp');
    if (acknowledges(result)) return true;
    if (result === 'timeout') this.metrics.ackTimeout();
    else if (result === 'closed') this.metrics.ackLost();
    this.log.debug('bundle not acknowledged; the router keeps it', { peer: peer.nodeIdHex.slice(0, 12), result });
    return false;
  }

  /** A bundle to a peer that does not acknowledge (an older version): counted, and said once per peer. */
  private unacked(peer: IpPeer): void {
    this.metrics.unacked();
    if (this.unackedPeers.has(peer.nodeIdHex) || this.unackedPeers.size > 1024) return;
    this.unackedPeers.add(peer.nodeIdHex);
    this.log.warn('peer does not acknowledge bundles (older version): a bundle counts delivered once written to it; upgrade it', {
      peer: shortId(peer.advert.nodeId), version: peer.capabilities?.version,
    });
  }

  private sendRaw(plain: Uint8Array, host: string, port: number): Promise<boolean> {
    const udp = this.udp;
    if (!udp) return Promise.resolve(false);
    const datagram = this.domain ? this.domain.seal(plain) : plain;
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

  // ---- receiving -----------------------------------------------------------------------------------------

  private receive(wire: Uint8Array, host: string, port: number): void {
    if (this.state !== 'up') return;
    // With a domain key, a datagram without its tag is dropped here, before it is parsed or anything is kept.
    const msg = this.domain ? this.domain.open(wire) : wire;
    if (typeof msg === 'string') {
      this.metrics.discarded(msg);
      return;
    }
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
      if (d.type === 'data') this.onData(d, host, port);
      else this.discovery.handle(d, host, port);
    } catch (err) {
      // A bug here must not take the socket down with it.
      this.metrics.discarded('internal');
      this.log.warn('datagram handling failed', { type: d.type, err: String(err) });
    }
  }

  private onData(d: Extract<Datagram, { type: 'data' }>, host: string, port: number): void {
    const peer = this.peers.at(host, port);
    if (!peer) {
      // Typically a relay that still has us online while we restarted: re-introduce ourselves right away
      // instead of at its next heartbeat. The frame itself is lost (the bundle's custody and blooms recover it).
      this.metrics.discarded('unbound');
      this.discovery.askWhoYouAre(host, port);
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

/** What an IP bearer is (its own settings and the identity it speaks for); the relay's components give the rest. */
export type IpInit = Omit<IpBearerOptions, 'log' | 'metrics'>;

/** The IP bearer in the house shape, `ipBearer(init)(components)`; no I/O until start(). */
export function ipBearer(init: IpInit): BearerFactory<IpBearer> {
  return (components) => new IpBearer({ ...init, log: components.logger.forComponent(init.name ?? 'ip'), ...(components.metrics ? { metrics: components.metrics } : {}) });
}
