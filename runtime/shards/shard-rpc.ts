/**
 * TcpShardNetwork: the ShardNetwork over plain TCP (node:net), for relays that reach each other over IP until the
 * relay's IP bearer carries shard traffic. Frames are shard-rpc-codec.ts; bodies are
 *   { id, from, req }   a request       { id, res }   its response
 *   { id, from, ping }  liveness         { id, pong }
 * One outgoing connection per peer carries all our requests to it, matched by id; peers' requests arrive on the
 * connections they opened to us and are answered there. A peer counts as reachable (peers()) while our connection
 * to it is up and its last answer is recent; a pinger keeps that fresh and redials dropped peers.
 *
 * `from` is what the sender says it is: this transport does not authenticate node ids. Run it only between
 * relays you trust (a LAN, a VPN) until the IP bearer's authenticated links carry it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { PeerInfo, ShardNetwork, ShardRequest, ShardRequestHandler, ShardResponse } from './shard-network.js';
import { decodeRpcBody, encodeRpcFrame, RpcFrameDecoder, DEFAULT_MAX_FRAME } from './shard-rpc-codec.js';
import { ShardRpcError } from './errors.js';

export interface TcpShardPeer {
  id: string;
  host: string;
  port: number;
}

export interface TcpShardNetworkOptions {
  self: string;
  listen: { host: string; port: number };
  peers: TcpShardPeer[];
  pingIntervalMs?: number;
  connectTimeoutMs?: number;
  maxFrame?: number;
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: unknown) => void;
}

class Connection {
  readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly decoder: RpcFrameDecoder;
  closed = false;

  constructor(readonly peer: string, readonly socket: Socket, maxFrame: number, private readonly onBody: (body: Record<string, unknown>, conn: Connection) => void) {
    this.decoder = new RpcFrameDecoder(maxFrame);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        let body: unknown;
        try { body = decodeRpcBody(frame); } catch { continue; }
        if (typeof body === 'object' && body !== null) this.onBody(body as Record<string, unknown>, this);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => this.fail(new ShardRpcError(peer, 'connection closed')));
  }

  call(body: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new ShardRpcError(this.peer, 'connection closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => { this.pending.delete(id); reject(signal!.reason); };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => { signal?.removeEventListener('abort', onAbort); resolve(v); },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
      });
      this.send({ ...body, id });
    });
  }

  send(body: Record<string, unknown>): void {
    if (!this.closed) this.socket.write(encodeRpcFrame(body));
  }

  answer(id: number, body: Record<string, unknown>): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.resolve(body);
  }

  fail(err: unknown): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.socket.destroy();
  }
}

export class TcpShardNetwork implements ShardNetwork {
  readonly self: string;
  private server?: Server;
  private handler: ShardRequestHandler = async () => ({ op: 'error', reason: 'no handler' });
  private readonly outgoing = new Map<string, Connection>();
  private readonly dialing = new Map<string, Promise<Connection>>();
  private readonly incoming = new Set<Connection>();
  private readonly lastAnswer = new Map<string, number>();
  private readonly directory = new Map<string, TcpShardPeer>();
  private pinger?: NodeJS.Timeout;
  private readonly pingMs: number;
  private readonly connectMs: number;
  private readonly maxFrame: number;

  constructor(private readonly opts: TcpShardNetworkOptions) {
    this.self = opts.self;
    this.pingMs = opts.pingIntervalMs ?? 5_000;
    this.connectMs = opts.connectTimeoutMs ?? 5_000;
    this.maxFrame = opts.maxFrame ?? DEFAULT_MAX_FRAME;
    for (const p of opts.peers) if (p.id !== opts.self) this.directory.set(p.id, p);
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((socket) => {
      const conn = new Connection('incoming', socket, this.maxFrame, (body, c) => this.onIncoming(body, c));
      this.incoming.add(conn);
      socket.on('close', () => this.incoming.delete(conn));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.listen.port, this.opts.listen.host, () => { server.off('error', reject); resolve(); });
    });
    this.server = server;
    this.pinger = setInterval(() => void this.pingAll(), this.pingMs);
    this.pinger.unref();
    await this.pingAll();
  }

  async stop(): Promise<void> {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = undefined;
    for (const c of [...this.outgoing.values(), ...this.incoming]) c.fail(new ShardRpcError(c.peer, 'network stopped'));
    this.outgoing.clear();
    this.incoming.clear();
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** The TCP port actually listened on (for listen port 0). */
  port(): number {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  addPeer(p: TcpShardPeer): void {
    if (p.id !== this.self) this.directory.set(p.id, p);
  }

  /** Dial and ping every known peer now instead of at the next ping tick. */
  refresh(): Promise<void> {
    return this.pingAll();
  }

  peers(): PeerInfo[] {
    const now = Date.now();
    return [...this.directory.keys()]
      .filter((id) => this.outgoing.has(id) && now - (this.lastAnswer.get(id) ?? 0) < 3 * this.pingMs)
      .map((id) => ({ id }));
  }

  onRequest(handler: ShardRequestHandler): void {
    this.handler = handler;
  }

  async request(peer: string, req: ShardRequest, opts: { signal?: AbortSignal } = {}): Promise<ShardResponse> {
    const conn = await this.connection(peer, opts.signal);
    const body = await conn.call({ from: this.self, req }, opts.signal);
    this.lastAnswer.set(peer, Date.now());
    const res = body.res as ShardResponse | undefined;
    if (!res || typeof res !== 'object' || typeof res.op !== 'string') throw new ShardRpcError(peer, 'malformed response');
    return res;
  }

  private async connection(peer: string, signal?: AbortSignal): Promise<Connection> {
    const open = this.outgoing.get(peer);
    if (open && !open.closed) return open;
    let dial = this.dialing.get(peer);
    if (!dial) {
      dial = this.dial(peer).finally(() => this.dialing.delete(peer));
      this.dialing.set(peer, dial);
    }
    signal?.throwIfAborted();
    return dial;
  }

  private dial(peer: string): Promise<Connection> {
    const p = this.directory.get(peer);
    if (!p) return Promise.reject(new ShardRpcError(peer, 'unknown peer'));
    return new Promise((resolve, reject) => {
      const socket = connect({ host: p.host, port: p.port });
      const timer = setTimeout(() => { socket.destroy(); reject(new ShardRpcError(peer, `connect timed out after ${this.connectMs} ms`)); }, this.connectMs);
      socket.once('error', (err) => { clearTimeout(timer); reject(new ShardRpcError(peer, 'connect failed', { cause: err })); });
      socket.once('connect', () => {
        clearTimeout(timer);
        const conn = new Connection(peer, socket, this.maxFrame, (body, c) => {
          if (typeof body.id === 'number') c.answer(body.id, body);
        });
        socket.on('close', () => { if (this.outgoing.get(peer) === conn) this.outgoing.delete(peer); });
        this.outgoing.set(peer, conn);
        resolve(conn);
      });
    });
  }

  private async pingAll(): Promise<void> {
    await Promise.all([...this.directory.keys()].map(async (peer) => {
      try {
        const conn = await this.connection(peer, AbortSignal.timeout(this.connectMs));
        await conn.call({ from: this.self, ping: true }, AbortSignal.timeout(this.pingMs));
        this.lastAnswer.set(peer, Date.now());
      } catch {
        this.lastAnswer.delete(peer);
      }
    }));
  }

  private onIncoming(body: Record<string, unknown>, conn: Connection): void {
    const id = body.id;
    if (typeof id !== 'number') return;
    if (body.ping) { conn.send({ id, pong: true }); return; }
    const from = typeof body.from === 'string' ? body.from : '';
    const req = body.req as ShardRequest | undefined;
    if (!req || typeof req !== 'object' || !from) { conn.send({ id, res: { op: 'error', reason: 'malformed request' } }); return; }
    this.handler(from, req).then(
      (res) => conn.send({ id, res }),
      (err: unknown) => conn.send({ id, res: { op: 'error', reason: String(err) } }),
    );
  }
}
