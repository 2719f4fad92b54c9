/**
 * The firmware's client API over TCP (src/mesh/api/ServerAPI.cpp, StreamAPI.cpp) for the native node — with one
 * difference on purpose: the firmware and meshtasticd serve ONE client and a new connection kicks the old one
 * (APIServerPort::runOnce "Force close previous TCP connection", meshtastic/firmware#526); this server keeps every
 * connection, each with its own session on the device side (handshake, FromRadio queue), so a phone app, the web
 * client and the Python CLI can be connected at once.
 *
 * Reading the stream framing (0x94 0xC3 len_hi len_lo, firmware-protocol/framing/meshtastic-stream.ts) is this
 * transport's job, so it can tell garbage and stalls; each whole ToRadio payload goes to the connection's session,
 * which writes framed FromRadio back (as the device side's PhoneApi does, StreamAPI::emitTxBuffer).
 * A client that misbehaves loses its own connection and nobody else's, and the drop is counted by reason:
 * - `garbage`: more bytes outside frames than a client's wake-up preamble (the Python CLI sends 32 × 0xC3), a frame
 *   header with an impossible length, or a payload its session refuses as no ToRadio;
 * - `stalled`: a frame started and not finished within `stallMs`, or FromRadio piling up unread beyond
 *   `maxBufferedBytes` (a client that stopped reading would otherwise hold the relay's memory);
 * - `too-many`: more than `maxClients` at once (the newcomer is refused; nobody is kicked).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { MeshtasticStreamDecoder } from '../../../firmware-protocol/framing/meshtastic-stream.js';
import type { Logger } from '../../log/logger.js';
import { formatHostPort } from '../../config/host-port.js';
import { ClientApiListenError } from './errors.js';

/** Where a session's FromRadio payloads go (one per connection). */
export interface ClientSink {
  /** One framed FromRadio (`94 C3 len payload`). */
  write(frame: Uint8Array): void;
  /** False while the client is not reading fast enough (the session then keeps packets in its bounded queue). */
  writable(): boolean;
  /** The device side ends the session (ToRadio.disconnect): the connection closes cleanly. */
  close(): void;
}

/** One client's session on the device side. */
export interface ClientSession {
  /** One ToRadio payload; false when it is not a ToRadio (the connection is then dropped as garbage). */
  toRadio(payload: Uint8Array): boolean;
  /** The connection is gone (either side); the session forgets its state. */
  close(): void;
}

/** The device side of the client API (one for the node; every connection gets its own session from it). */
export interface ClientApiDevice {
  attach(sink: ClientSink): ClientSession;
}

export type ClientDropReason = 'garbage' | 'stalled' | 'too-many';

export interface ClientApiServerInit {
  /** For logs and errors (`mt0`). */
  bearer: string;
  host: string;
  port: number;
  device: ClientApiDevice;
  log: Logger;
  maxClients?: number;
  /** A frame begun but not finished after this long drops the client (default 10 s). */
  stallMs?: number;
  /** FromRadio bytes waiting for a client that does not read (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Bytes outside frames tolerated between two good frames (default 256: wake-up preambles, a stray newline). */
  maxJunkBytes?: number;
  observer?: { connected?(): void; dropped?(reason: ClientDropReason): void };
}

interface Conn {
  socket: Socket;
  session?: ClientSession;
  decoder: MeshtasticStreamDecoder;
  junk: number;
  stallTimer?: NodeJS.Timeout;
}

export class ClientApiServer {
  private server?: Server;
  private readonly conns = new Set<Conn>();
  private readonly maxClients: number;
  private readonly stallMs: number;
  private readonly maxBuffered: number;
  private readonly maxJunk: number;

  constructor(private readonly init: ClientApiServerInit) {
    this.maxClients = init.maxClients ?? 16;
    this.stallMs = init.stallMs ?? 10_000;
    this.maxBuffered = init.maxBufferedBytes ?? 1024 * 1024;
    this.maxJunk = init.maxJunkBytes ?? 256;
  }

  /** Clients connected now. */
  get clients(): number {
    return this.conns.size;
  }

  /** The port listened on (the configured one, or the one the system chose for port 0). */
  get port(): number {
    const a = this.server?.address();
    return a && typeof a !== 'string' ? a.port : this.init.port;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.init.port, this.init.host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      throw new ClientApiListenError(this.init.bearer, formatHostPort({ host: this.init.host, port: this.init.port }), { cause: err });
    });
    server.on('error', (err) => this.init.log.warn('client API server error', { bearer: this.init.bearer, err }));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const c of [...this.conns]) this.end(c, false);
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private onConnection(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    if (this.conns.size >= this.maxClients) {
      this.init.observer?.dropped?.('too-many');
      this.init.log.warn('client API: too many clients, refusing a new one', { bearer: this.init.bearer, max: this.maxClients, from: socket.remoteAddress });
      socket.destroy();
      return;
    }
    const conn: Conn = { socket, decoder: new MeshtasticStreamDecoder(), junk: 0 };
    this.conns.add(conn);
    this.init.observer?.connected?.();
    this.init.log.info('client API: client connected', { bearer: this.init.bearer, from: `${socket.remoteAddress}:${socket.remotePort}`, clients: this.conns.size });
    const sink: ClientSink = {
      write: (frame) => {
        if (socket.destroyed || !this.conns.has(conn)) return;
        socket.write(frame);
        if (socket.writableLength > this.maxBuffered) this.drop(conn, 'stalled', 'it stopped reading');
      },
      writable: () => this.conns.has(conn) && socket.writableLength < this.maxBuffered / 4,
      close: () => this.end(conn, true),
    };
    conn.session = this.init.device.attach(sink);
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('close', () => this.forget(conn));
  }

  private onData(conn: Conn, chunk: Buffer): void {
    if (!this.conns.has(conn)) return;
    const before = conn.decoder.stats.badLengths;
    for (const e of conn.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
      if (!this.conns.has(conn)) return;
      if (e.type === 'log') {
        conn.junk += e.bytes.length;
        continue;
      }
      conn.junk = 0;
      if (!conn.session!.toRadio(e.payload)) return this.drop(conn, 'garbage', 'it sent a frame that is no ToRadio');
    }
    if (conn.decoder.stats.badLengths > before) return this.drop(conn, 'garbage', 'it sent a frame header with a length over 512');
    if (conn.junk > this.maxJunk) return this.drop(conn, 'garbage', `it sent ${conn.junk} bytes outside frames`);
    clearTimeout(conn.stallTimer);
    conn.stallTimer = undefined;
    if (conn.decoder.midFrame) {
      conn.stallTimer = setTimeout(() => this.drop(conn, 'stalled', `its frame was unfinished after ${this.stallMs} ms`), this.stallMs);
      conn.stallTimer.unref();
    }
  }

  private drop(conn: Conn, reason: ClientDropReason, why: string): void {
    if (!this.conns.has(conn)) return;
    this.init.observer?.dropped?.(reason);
    this.init.log.warn(`client API: dropping a client (${why})`, { bearer: this.init.bearer, reason, from: conn.socket.remoteAddress });
    this.forget(conn);
    conn.socket.destroy();
  }

  /** Closes a connection cleanly (FIN after what was written). */
  private end(conn: Conn, log: boolean): void {
    if (!this.conns.has(conn)) return;
    this.forget(conn);
    if (log) this.init.log.info('client API: session ended by the client', { bearer: this.init.bearer });
    conn.socket.end();
    conn.socket.once('finish', () => conn.socket.destroy());
  }

  private forget(conn: Conn): void {
    if (!this.conns.delete(conn)) return;
    clearTimeout(conn.stallTimer);
    conn.session?.close();
  }
}
