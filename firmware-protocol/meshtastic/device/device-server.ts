/**
 * The client API over TCP (port 4403, firmware src/mesh/api/ServerAPI.cpp) for several clients at once: each
 * accepted connection gets its own PhoneApi (handshake, queues) on the shared DeviceService. The firmware serves one
 * client and force-closes the previous one when another connects (APIServerPort::runOnce); `clients: 'one'` keeps
 * that behaviour.
 *
 * One client cannot hurt the others:
 * - garbage (more than `maxNoiseBytes` outside frames) or a frame header over 512 bytes drops that connection;
 * - a frame left half-sent for `midFrameTimeoutMs` drops it (the firmware would wait forever on its single link);
 * - a client that does not read: its packet queue is bounded (MAX_RX_TOPHONE, the firmware's eviction) and nothing
 *   more is written to its socket while more than `maxBufferedBytes` wait in the kernel/Node buffers; the socket's
 *   'drain' resumes it. It is never disconnected for being slow; what it misses is counted.
 * - a client silent for the idle timeout (15 min) is closed by the service, as ServerAPI does.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { every, systemClock, type Clock } from '../../../lib/clock/clock.js';
import { ClientProtocolError } from './errors.js';
import type { DeviceService } from './device-service.js';
import { StreamClient } from './stream-client.js';

export const SERVER_API_DEFAULT_PORT = 4403;

export interface DeviceServerOptions {
  host?: string;
  /** 'many' (default) or 'one': the firmware's "a new client kicks the old". */
  clients?: 'many' | 'one';
  /** Connections beyond this are refused (closed at once); default 8. */
  maxClients?: number;
  /** Bytes outside frames tolerated since a client's last good frame (the Python CLI sends 32 wake bytes). */
  maxNoiseBytes?: number;
  /** A frame started and not finished within this is a stall. */
  midFrameTimeoutMs?: number;
  /** Stop writing to a socket with this much unsent. */
  maxBufferedBytes?: number;
  clock?: Clock;
  log?: (line: string) => void;
  onClientError?: (err: ClientProtocolError) => void;
}

export interface DeviceServerStats {
  accepted: number;
  refused: number;
  /** Clients closed because a newer one came (clients: 'one'). */
  displaced: number;
  dropped: { garbage: number; 'bad-length': number; 'stalled-mid-frame': number };
  /** Times a slow client's socket was full and writing paused. */
  backpressured: number;
}

interface Connection {
  socket: Socket;
  client: StreamClient;
  name: string;
  /** clock.now() when the current partial frame started, or undefined. */
  midFrameSince?: number;
}

export class DeviceServer {
  readonly stats: DeviceServerStats = { accepted: 0, refused: 0, displaced: 0, dropped: { garbage: 0, 'bad-length': 0, 'stalled-mid-frame': 0 }, backpressured: 0 };
  private server?: Server;
  private readonly conns = new Set<Connection>();
  private readonly clock: Clock;
  private ticker?: AbortController;

  constructor(private readonly service: DeviceService, private readonly o: DeviceServerOptions = {}) {
    this.clock = o.clock ?? systemClock;
  }

  get port(): number {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new Error('device API server not listening');
    return a.port;
  }

  get connections(): number {
    return this.conns.size;
  }

  async start(port = SERVER_API_DEFAULT_PORT): Promise<void> {
    const server = createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.o.host ?? '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.service.start();
    this.ticker = new AbortController();
    const stall = this.o.midFrameTimeoutMs ?? 5000;
    every(this.clock, Math.max(10, Math.min(1000, stall / 4)), () => this.checkStalls(stall), this.ticker.signal);
  }

  async stop(): Promise<void> {
    this.ticker?.abort();
    for (const c of [...this.conns]) this.end(c);
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private onConnection(socket: Socket): void {
    socket.on('error', () => {});
    const name = `tcp ${socket.remoteAddress}:${socket.remotePort}`;
    if (this.o.clients === 'one') {
      for (const old of [...this.conns]) {
        this.stats.displaced++;
        this.log('Force close previous TCP connection');
        this.end(old);
      }
    } else if (this.conns.size >= (this.o.maxClients ?? 8)) {
      this.stats.refused++;
      this.log(`${name}: refused, ${this.conns.size} clients already connected`);
      socket.destroy();
      return;
    }
    this.stats.accepted++;
    socket.setNoDelay(true);
    const maxBuffered = this.o.maxBufferedBytes ?? 64 * 1024;
    let conn: Connection | undefined;
    const client = new StreamClient(this.service, {
      kind: 'tcp',
      name,
      write: (frame) => {
        if (!socket.destroyed) socket.write(frame);
      },
      close: () => socket.destroy(),
      end: () => conn && this.end(conn),
      writable: () => {
        if (socket.destroyed) return false;
        if (socket.writableLength <= maxBuffered) return true;
        this.stats.backpressured++;
        return false;
      },
    }, {
      maxNoiseBytes: this.o.maxNoiseBytes ?? 512,
      onViolation: (reason) => conn && this.drop(conn, reason),
    });
    conn = { socket, client, name };
    this.conns.add(conn);
    const c = conn;
    socket.on('data', (chunk) => {
      client.receive(new Uint8Array(chunk));
      c.midFrameSince = client.midFrame ? c.midFrameSince ?? this.clock.now() : undefined;
    });
    socket.on('drain', () => client.api.drain());
    socket.on('close', () => {
      this.conns.delete(c);
      this.service.detach(client.api);
    });
  }

  private checkStalls(stallMs: number): void {
    const now = this.clock.now();
    for (const c of [...this.conns]) if (c.midFrameSince !== undefined && now - c.midFrameSince > stallMs) this.drop(c, 'stalled-mid-frame');
  }

  private drop(c: Connection, reason: ClientProtocolError['reason']): void {
    if (reason !== 'too-slow') this.stats.dropped[reason]++;
    const err = new ClientProtocolError(c.name, reason);
    this.log(err.message);
    this.o.onClientError?.(err);
    c.socket.destroy();
  }

  /** WiFiClient::stop(): FIN after what was written. */
  private end(c: Connection): void {
    this.service.detach(c.client.api);
    this.conns.delete(c);
    if (c.socket.destroyed) return;
    c.socket.once('finish', () => c.socket.destroy());
    c.socket.end();
  }

  private log(line: string): void {
    this.o.log?.(line);
  }
}
