/**
 * TCP side of the IP bearer: one authenticated outgoing connection per peer, dialled on demand and kept open for
 * the next large frame; inbound connections authenticated by tcp-handshake.ts before their frames count.
 * A connection that fails is dropped and dialled again by the next send.
 *
 * Bundle frames to a peer that acknowledges them go as numbered BUNDLE frames (sendBundle): the acceptor answers
 * with ACK frames on the same connection once its router settled each one (ack-codec.ts, ack-tracker.ts on this
 * side, ack-writer.ts on the acceptor's).
 */
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Identity } from '../../identity/identity.js';
import { verifySignature } from '../../identity/signature.js';
import { abortable } from '../../../lib/abort/abortable.js';
import { IpBearerAbortError, IpConnectError, IpDecodeError } from './errors.js';
import type { Logger } from '../../log/logger.js';
import type { DomainKey } from './domain-key.js';
import { DEFAULT_INBOUND_LIMITS, InboundBudget, PartialClock, type InboundLimits } from './inbound-budget.js';
import { DEFAULT_CONNECTION_LIMITS, InboundConnections, type ConnectionLimits } from './inbound-connections.js';
import { normalizeIpv4 } from './ipv4.js';
import type { FrameFate } from '../../bearer/bearer.js';
import { ACK_SEQ_BYTES, decodeAcks, decodeBundlePayload, encodeBundlePayload, type Ack } from './ack-codec.js';
import { AckTracker, type AckResult } from './ack-tracker.js';
import { AckWriter } from './ack-writer.js';
import { StreamDecoder, encodeStreamFrame, type StreamFrame } from './stream-codec.js';
import { streamFrameCaps } from './stream-frame-caps.js';
import { SHARD_FRAGMENT_BYTES, ShardReassembler, fragmentShardMessage } from './shard-fragments.js';
import {
  HANDSHAKE_NONCE_BYTES,
  decodeAuth,
  decodeChallenge,
  decodeHello,
  encodeChallenge,
  encodeHello,
  transcript,
} from './tcp-handshake.js';

export interface TcpTransportOptions {
  identity: Identity;
  maxFrameBytes: number;
  /** How long dialling plus the handshake may take. */
  connectTimeoutMs: number;
  log: Logger;
  /** How long sendBundle() waits for the acceptor's ACK. */
  ackTimeoutMs: number;
  /** Whether an authenticated node may send us frames (its advert verified and bound). */
  acceptsFrom(nodeIdHex: string): boolean;
  /** A Lattice frame from a peer; `settle` is set for a BUNDLE frame and writes its ACK (InFrame.settle). */
  onFrame(fromHex: string, bytes: Uint8Array, settle?: (fate: FrameFate) => void): void;
  /** ACK entries written to a connector, and ACKs received from an acceptor (for metrics). */
  onAcksSent?(acks: readonly Ack[]): void;
  onAcksReceived?(acks: readonly Ack[]): void;
  /** A whole shard-store message reassembled from SHARD frames (shard-fragments.ts). */
  onShardMessage(fromHex: string, message: Uint8Array): void;
  /** Something was dropped: `reason` labels lattice_ip_discarded_total. */
  onDiscard(reason: string, count?: number): void;
  /** With a domain key (ip.psk), HELLOs carry its tag and the acceptor refuses any HELLO without it. */
  domain?: DomainKey;
  /** A connection to or from `peerHex` completed the handshake (admission.ts counts that as proof). */
  onAuthenticated?(peerHex: string): void;
  /** Peers whose connections are kept when the connection table is full (static and proven relays). */
  isProtected?(peerHex: string): boolean;
  /** Bytes in flight and partial-input deadlines (inbound-budget.ts); default DEFAULT_INBOUND_LIMITS. */
  inbound?: Partial<InboundLimits>;
  /** Inbound connection bounds (inbound-connections.ts); default DEFAULT_CONNECTION_LIMITS. */
  connections?: Partial<ConnectionLimits>;
}

interface Outgoing {
  host: string;
  port: number;
  socket: Socket;
  ready: Promise<void>;
  closed: boolean;
  /** The BUNDLE frames written on this connection that wait for their ACK. */
  acks: AckTracker;
}

/** Bytes written to a peer's connection but not yet taken by the kernel, past which sendShard refuses (per peer, all). */
const MAX_QUEUED_SHARD_BYTES_PER_PEER = 8 * 2 ** 20;
const MAX_QUEUED_SHARD_BYTES = 64 * 2 ** 20;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export class TcpTransport {
  private server?: Server;
  private readonly outgoing = new Map<string, Outgoing>();
  /** Inbound connections, each with the checks the partial-input deadline sweep runs. */
  private readonly inbound = new Map<Socket, InboundCheck>();
  private closing = false;
  private sweeper?: NodeJS.Timeout;
  private readonly sweepEveryMs: number;
  readonly limits: InboundLimits;
  readonly budget: InboundBudget;
  private readonly conns: InboundConnections<Socket>;

  constructor(private readonly o: TcpTransportOptions) {
    this.limits = { ...DEFAULT_INBOUND_LIMITS, ...o.inbound };
    // Partial frames and messages are checked a few times per idle period, so one is dropped at most ~25 % late.
    this.sweepEveryMs = Math.max(50, Math.min(1000, this.limits.idleMs / 4));
    this.budget = new InboundBudget(this.limits);
    this.conns = new InboundConnections({ ...DEFAULT_CONNECTION_LIMITS, ...o.connections });
  }

  /** Listens; resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    this.closing = false;
    const server = createServer((socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.removeListener('error', reject);
        server.on('error', (err) => this.o.log.warn('tcp server error', { err: String(err) }));
        this.server = server;
        resolve((server.address() as { port: number }).port);
      });
    });
  }

  /** Writes one frame to the peer over its authenticated connection, dialling it when needed. Resolves false
   * when the peer cannot be reached; rejects (AbortError) only on abort or close(). */
  send(peerHex: string, host: string, port: number, bytes: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    return this.write(peerHex, host, port, [encodeStreamFrame('data', bytes)], signal);
  }

  /** Writes one shard-store message as SHARD fragments (shard-fragments.ts), back to back on the same connection.
   * Same results as send(); throws ShardMessageTooLargeError for a message over the maximum. */
  sendShard(peerHex: string, host: string, port: number, message: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    // A peer that asks and does not read the answers must not make us queue them in memory without end.
    const queued = this.outgoing.get(peerHex)?.socket.writableLength ?? 0;
    let total = 0;
    for (const c of this.outgoing.values()) total += c.socket.writableLength;
    if (queued > MAX_QUEUED_SHARD_BYTES_PER_PEER || total > MAX_QUEUED_SHARD_BYTES) {
      this.o.onDiscard('shard-send-queue-full');
      return Promise.resolve(false);
    }
    const frames = fragmentShardMessage(message, Math.min(SHARD_FRAGMENT_BYTES, this.o.maxFrameBytes - 1)).map((f) => encodeStreamFrame('shard', f));
    return this.write(peerHex, host, port, frames, signal);
  }

  /**
   * Writes one bundle frame as a numbered BUNDLE frame and waits for the acceptor's ACK (only for a peer that
   * advertised acknowledgements). Resolves with the fate the acceptor's router gave it, 'timeout' (no ACK within
   * `ackTimeoutMs`) or 'closed' (the connection went away first), or false when no connection could be opened;
   * rejects (AbortError) only on abort or close().
   */
  async sendBundle(peerHex: string, host: string, port: number, bytes: Uint8Array, signal?: AbortSignal): Promise<AckResult | false> {
    const c = await this.connection(peerHex, host, port, signal);
    if (!c) return false;
    const { seq, result } = c.acks.expect(signal);
    // No wait for the write callback: a frozen peer's full socket buffer would hold it forever. The ACK (or its
    // timeout, or the connection closing) answers.
    c.socket.write(encodeStreamFrame('bundle', encodeBundlePayload(seq, bytes)), (err) => {
      if (err) c.socket.destroy();
    });
    const r = await result;
    if (r === 'closed' && this.closing) throw new IpBearerAbortError(peerHex);
    return r;
  }

  /** The authenticated connection to a peer, dialled when needed; undefined when it cannot be opened. */
  private async connection(peerHex: string, host: string, port: number, signal?: AbortSignal): Promise<Outgoing | undefined> {
    if (this.closing) throw new IpBearerAbortError(peerHex);
    let conn = this.outgoing.get(peerHex);
    if (conn && (conn.closed || conn.host !== host || conn.port !== port)) {
      conn.socket.destroy();
      this.outgoing.delete(peerHex);
      conn = undefined;
    }
    if (!conn) {
      conn = this.dial(peerHex, host, port);
      this.outgoing.set(peerHex, conn);
    }
    try {
      await abortable(conn.ready, signal);
    } catch (err) {
      if (signal?.aborted && err === signal.reason) throw new IpBearerAbortError(peerHex, { cause: err });
      if ((err as Error).name === 'AbortError') throw err;
      if (this.closing) throw new IpBearerAbortError(peerHex, { cause: err });
      this.o.log.debug('tcp connect failed', { peer: peerHex.slice(0, 12), err: String(err) });
      if (this.outgoing.get(peerHex) === conn) this.outgoing.delete(peerHex);
      return undefined;
    }
    return conn;
  }

  private async write(peerHex: string, host: string, port: number, frames: Uint8Array[], signal?: AbortSignal): Promise<boolean> {
    const c = await this.connection(peerHex, host, port, signal);
    if (!c) return false;
    const ok = await new Promise<boolean>((resolve) => {
      if (c.closed) return resolve(false);
      // One synchronous loop: the frames of one message reach the socket with no other frame between them.
      for (let i = 0; i < frames.length - 1; i++) c.socket.write(frames[i]!);
      c.socket.write(frames[frames.length - 1]!, (err) => resolve(!err));
    });
    if (!ok) {
      if (this.closing) throw new IpBearerAbortError(peerHex);
      c.socket.destroy();
      if (this.outgoing.get(peerHex) === c) this.outgoing.delete(peerHex);
    }
    return ok;
  }

  /** Closes the outgoing connection to a peer (it went offline). */
  drop(peerHex: string): void {
    const conn = this.outgoing.get(peerHex);
    if (!conn) return;
    conn.socket.destroy();
    this.outgoing.delete(peerHex);
  }

  /** Inbound connections still in the handshake. */
  get handshaking(): number {
    return this.conns.handshaking;
  }

  /** Inbound connections authenticated and open. */
  get authenticatedInbound(): number {
    return this.conns.authenticated;
  }

  connectedPeers(): string[] {
    return [...this.outgoing.entries()].filter(([, c]) => !c.closed).map(([p]) => p);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const c of this.outgoing.values()) c.socket.destroy();
    this.outgoing.clear();
    for (const s of this.inbound.keys()) s.destroy();
    this.inbound.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private dial(peerHex: string, host: string, port: number): Outgoing {
    const { identity } = this.o;
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    // Keepalive: a peer that loses power otherwise leaves a half-open socket that swallows writes for minutes.
    socket.setKeepAlive(true, 10_000);
    const conn: Outgoing = { host, port, socket, closed: false, ready: Promise.resolve(), acks: new AckTracker(peerHex, this.o.ackTimeoutMs) };
    const connectorNonce = new Uint8Array(randomBytes(HANDSHAKE_NONCE_BYTES));
    const decoder = new StreamDecoder(this.o.maxFrameBytes);
    const address = `${host}:${port}`;
    conn.ready = new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve();
      };
      const timer = setTimeout(
        () => finish(new IpConnectError(peerHex, address, `no authenticated TCP connection within ${this.o.connectTimeoutMs} ms`)),
        this.o.connectTimeoutMs,
      );
      const tag = this.o.domain?.helloTag(identity.nodeId, connectorNonce);
      socket.on('connect', () => socket.write(encodeStreamFrame('hello', encodeHello(identity.nodeId, connectorNonce, tag))));
      socket.on('data', (chunk: Buffer) => {
        for (const frame of decoder.push(chunk)) {
          if (done && frame.type === 'ack') {
            // After the handshake the acceptor speaks only to acknowledge our BUNDLE frames.
            if (!this.receiveAcks(conn, frame.payload)) return;
            continue;
          }
          if (done || frame.type !== 'challenge') {
            // The acceptor speaks once; anything else is a broken or hostile peer.
            this.o.onDiscard('tcp-protocol');
            finish(new IpConnectError(peerHex, address, `unexpected ${frame.type} frame`));
            socket.destroy();
            return;
          }
          try {
            const c = decodeChallenge(frame.payload);
            if (hex(c.nodeId) !== peerHex) throw new IpConnectError(peerHex, address, `answered as ${hex(c.nodeId).slice(0, 12)}`);
            const t = { connectorNonce, acceptorNonce: c.nonce, connectorId: identity.nodeId, acceptorId: c.nodeId };
            if (!verifySignature(c.nodeId, transcript('acceptor', t), c.signature)) {
              throw new IpConnectError(peerHex, address, 'bad handshake signature');
            }
            socket.write(encodeStreamFrame('auth', identity.sign(transcript('connector', t))));
            finish();
            this.o.onAuthenticated?.(peerHex);
          } catch (err) {
            this.o.onDiscard('tcp-bad-auth');
            finish(err as Error);
          }
        }
      });
      socket.on('error', (err) => finish(new IpConnectError(peerHex, address, err.message, { cause: err })));
      socket.on('close', () => {
        conn.closed = true;
        conn.acks.close();
        if (this.outgoing.get(peerHex) === conn) this.outgoing.delete(peerHex);
        finish(new IpConnectError(peerHex, address, 'connection closed'));
      });
    });
    // A dial nobody awaits any more (the send was aborted) must not surface as an unhandled rejection.
    conn.ready.catch(() => {});
    return conn;
  }

  /** Closes inbound connections whose partial frame or shard message stalled (inbound-budget.ts); stops once no
   * connection holds one, so a relay whose connections are quiet does not wake up for it. */
  private sweep(): void {
    const now = Date.now();
    let holding = false;
    for (const [socket, check] of this.inbound) {
      const reason = check.expired(now);
      if (!reason) {
        holding ||= check.holding();
        continue;
      }
      this.o.onDiscard(reason);
      this.inbound.delete(socket);
      socket.destroy();
    }
    if (!holding) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** Runs the sweep while some inbound connection holds partial input (called when one starts holding). */
  private armSweeper(): void {
    if (this.sweeper || this.closing) return;
    this.sweeper = setInterval(() => this.sweep(), this.sweepEveryMs);
    this.sweeper.unref();
  }

  /** An ACK frame on an outgoing connection; false (connection closed) when it does not parse. */
  private receiveAcks(conn: Outgoing, payload: Uint8Array): boolean {
    let acks: Ack[];
    try {
      acks = decodeAcks(payload);
    } catch {
      this.o.onDiscard('tcp-malformed');
      conn.socket.destroy();
      return false;
    }
    this.o.onAcksReceived?.(acks);
    const late = conn.acks.receive(acks);
    if (late > 0) this.o.onDiscard('ack-late', late);
    return true;
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    // Each connection holds a decoder buffer of a whole maximum frame: bound the ones not yet authenticated, in
    // total and per source address (the handshake timeout bounds how long they live).
    const address = normalizeIpv4(socket.remoteAddress ?? '');
    const busy = this.conns.startHandshake(address);
    if (busy) {
      this.o.onDiscard(busy);
      socket.destroy();
      return;
    }
    let handshaking = true;
    const authenticated = () => {
      if (handshaking) this.conns.endHandshake(address);
      handshaking = false;
    };
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    const { identity, domain } = this.o;
    const caps = streamFrameCaps(this.o.maxFrameBytes);
    let state: 'hello' | 'auth' | 'open' = 'hello';
    let refusal = 'tcp-frame-too-large';
    // The connector speaks first and then waits for our CHALLENGE: before that only a HELLO may come (a stranger
    // gets no more than its bytes buffered). From AUTH on, frames may follow it in the same chunk.
    // A BUNDLE frame carries a maximum Lattice frame plus its sequence number (stream-frame-caps.ts).
    const decoder = new StreamDecoder(this.o.maxFrameBytes + ACK_SEQ_BYTES, (type, length) => {
      if (state === 'hello' && type !== 'hello') refusal = 'tcp-protocol';
      return refusal === 'tcp-frame-too-large' && length <= caps[type];
    });
    let peerHex = '';
    let t: { connectorNonce: Uint8Array; acceptorNonce: Uint8Array; connectorId: Uint8Array; acceptorId: Uint8Array } | undefined;
    let discarded = 0;
    let shards: ShardReassembler | undefined;
    const frameClock = new PartialClock();
    const messageClock = new PartialClock();
    const frameLimits = { idleMs: this.limits.idleMs, minBytesPerSecond: 0 };
    const holding = () => state === 'open' && (messageClock.holding || frameClock.holding);
    this.inbound.set(socket, {
      expired: (now) => {
        if (state !== 'open') return undefined; // the handshake timer covers these
        const why = messageClock.expired(now, this.limits) ?? frameClock.expired(now, frameLimits);
        return why ? 'tcp-partial-timeout' : undefined;
      },
      holding,
    });
    let acks: AckWriter | undefined;
    const timer = setTimeout(() => {
      this.o.onDiscard('tcp-handshake-timeout');
      socket.destroy();
    }, this.o.connectTimeoutMs);
    const fail = (reason: string) => {
      this.o.onDiscard(reason);
      socket.destroy();
    };
    const handle = (frame: StreamFrame): boolean => {
      switch (state) {
        case 'hello': {
          if (frame.type !== 'hello') return fail('tcp-protocol'), false;
          const h = decodeHello(frame.payload, domain !== undefined);
          // With a domain key nothing is signed (nor looked up) for a connector that does not prove it.
          if (domain && !domain.checkHelloTag(h.nodeId, h.nonce, h.tag)) return fail('psk-bad'), false;
          peerHex = hex(h.nodeId);
          if (sameBytes(h.nodeId, identity.nodeId) || !this.o.acceptsFrom(peerHex)) return fail('tcp-unknown-peer'), false;
          t = { connectorNonce: h.nonce, acceptorNonce: new Uint8Array(randomBytes(HANDSHAKE_NONCE_BYTES)), connectorId: h.nodeId, acceptorId: identity.nodeId };
          socket.write(encodeStreamFrame('challenge', encodeChallenge(identity.nodeId, t.acceptorNonce, identity.sign(transcript('acceptor', t)))));
          state = 'auth';
          return true;
        }
        case 'auth': {
          if (frame.type !== 'auth') return fail('tcp-protocol'), false;
          if (!verifySignature(t!.connectorId, transcript('connector', t!), decodeAuth(frame.payload))) return fail('tcp-bad-auth'), false;
          authenticated();
          clearTimeout(timer);
          const close = this.conns.opened(peerHex, socket, (p) => this.o.isProtected?.(p) ?? false);
          if (typeof close === 'string') return fail(close), false;
          for (const c of close) {
            this.o.onDiscard('tcp-replaced');
            c.destroy();
          }
          state = 'open';
          this.o.onAuthenticated?.(peerHex);
          return true;
        }
        case 'open': {
          if (frame.type !== 'data' && frame.type !== 'shard' && frame.type !== 'bundle') return fail('tcp-protocol'), false;
          // The peer may have been forgotten since the handshake (offline too long): its frames stop counting.
          if (!this.o.acceptsFrom(peerHex)) return fail('tcp-unknown-peer'), false;
          if (frame.type === 'data') {
            this.o.onFrame(peerHex, frame.payload);
            return true;
          }
          if (frame.type === 'bundle') {
            const { seq, frame: bytes } = decodeBundlePayload(frame.payload);
            acks ??= new AckWriter(socket, {
              onSent: (a) => this.o.onAcksSent?.(a),
              onBacklog: () => this.o.onDiscard('ack-backlog'),
            });
            this.o.onFrame(peerHex, bytes, acks.settler(seq));
            return true;
          }
          if (frame.payload.length === 0) return fail('tcp-malformed'), false;
          shards ??= new ShardReassembler(undefined, this.budget.forPeer(peerHex));
          const { oversize, overBudget } = shards;
          const message = shards.push(frame.payload);
          if (shards.oversize > oversize) this.o.onDiscard('shard-oversize');
          if (shards.overBudget > overBudget) this.o.onDiscard('shard-over-budget');
          messageClock.progress(Date.now(), frame.payload.length - 1, shards.partial);
          if (message) this.o.onShardMessage(peerHex, message);
          return true;
        }
      }
    };
    socket.on('data', (chunk: Buffer) => {
      const frames = decoder.push(chunk);
      if (decoder.discardedBytes > discarded) {
        this.o.onDiscard('tcp-garbage', decoder.discardedBytes - discarded);
        discarded = decoder.discardedBytes;
      }
      if (decoder.refused) return fail(refusal);
      for (const frame of frames) {
        try {
          if (!handle(frame)) return;
        } catch (err) {
          if (!(err instanceof IpDecodeError)) this.o.log.warn('tcp frame handling failed', { err: String(err) });
          fail(err instanceof IpDecodeError ? (err.reason === 'psk-missing' ? err.reason : 'tcp-malformed') : 'internal');
          return;
        }
      }
      frameClock.progress(Date.now(), chunk.length, decoder.pending > 0);
      if (holding()) this.armSweeper();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      authenticated();
      this.conns.closed(socket);
      shards?.release();
      this.inbound.delete(socket);
    });
  }
}

interface InboundCheck {
  /** Why the connection's partial input is too slow now (undefined: nothing expired). */
  expired(now: number): string | undefined;
  /** Whether it holds a partial frame or shard message the sweep must watch. */
  holding(): boolean;
}
