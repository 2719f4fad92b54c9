/**
 * The simulated radio's TCP API (port 4403, firmware src/mesh/api/ServerAPI.cpp). With `clients: 'one'` (the
 * default, the firmware's behaviour, which the gateways' displacement tests rely on) a new connection force-closes the
 * previous one ("Force close previous TCP connection", APIServerPort::runOnce); with `clients: 'many'` (what
 * `lattice sim meshtastic` offers, like the native node) every connection is served at once, each with its own
 * handshake and queues on the shared device side.
 *
 * How a connection ends matters to clients, so the simulator ends it the way the radio would: a closed PhoneAPI
 * (displaced by a newer client, or idle too long) stops its client (WiFiClient::stop(): a clean close, FIN); a radio
 * that reboots, loses power or drops off Wi-Fi sends nothing, which a client sees as a reset or a timeout (RST here).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { SimDevice } from './sim-device.js';
import type { StreamClient } from '../device/stream-client.js';

export const SERVER_API_DEFAULT_PORT = 4403;

export class SimTcpServer {
  private server?: Server;
  private readonly current = new Set<{ socket: Socket; api: StreamClient }>();
  /** Connections that came while the radio was booting, answered once it is up. */
  private readonly waiting = new Set<Socket>();
  /** Clients displaced by a newer one. */
  displaced = 0;
  accepted = 0;
  /** When each connection was accepted (Date.now()), in order: tests measure a client's reconnect delay with it. */
  readonly acceptedAt: number[] = [];

  constructor(private readonly device: SimDevice, private readonly host = '127.0.0.1', private readonly clients: 'one' | 'many' = 'one') {}

  /** Client connections being served now. */
  get connections(): number {
    return this.current.size;
  }

  get port(): number {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new Error('TCP simulator not listening');
    return a.port;
  }

  async start(port = SERVER_API_DEFAULT_PORT): Promise<void> {
    const server = createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Cuts the client connections as a Wi-Fi drop would: no FIN (a reset here). */
  dropClient(): void {
    for (const c of this.current) vanish(c.socket);
  }

  /** Shuts the simulator down; its client sees a clean close (test clients end their streams without an error). */
  async stop(): Promise<void> {
    for (const socket of this.waiting) socket.destroy();
    this.waiting.clear();
    for (const c of this.current) stopClient(c.socket);
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private onConnection(socket: Socket): void {
    // A radio still booting has no API server yet: a client connecting then is answered once it is up (a slow
    // connect), not by a server that ignores its handshake or closes on it.
    if (this.device.isBooting) {
      socket.pause();
      socket.on('error', () => {});
      this.waiting.add(socket);
      const poll = setInterval(() => {
        if (socket.destroyed || !this.waiting.has(socket)) return clearInterval(poll);
        if (this.device.isBooting) return;
        clearInterval(poll);
        this.waiting.delete(socket);
        socket.resume();
        this.onConnection(socket);
      }, 10);
      poll.unref();
      return;
    }
    this.accepted++;
    this.acceptedAt.push(Date.now());
    for (const previous of this.clients === 'one' ? [...this.current] : []) {
      this.current.delete(previous);
      this.displaced++;
      this.device.log('Force close previous TCP connection');
      // `delete openAPI`: the old PhoneAPI is gone at once and its client is stopped cleanly.
      this.device.detach(previous.api);
      stopClient(previous.socket);
    }
    socket.setNoDelay(true);
    const sink = {
      kind: 'tcp' as const,
      name: `tcp ${socket.remoteAddress}:${socket.remotePort}`,
      write: (bytes: Uint8Array) => {
        if (!socket.destroyed && !vanishing.has(socket)) socket.write(bytes);
      },
      close: () => vanish(socket),
      end: () => stopClient(socket),
    };
    const api = this.device.attach(sink);
    const entry = { socket, api };
    this.current.add(entry);
    socket.on('data', (chunk) => {
      if (this.current.has(entry) && !this.device.isBooting) api.receive(new Uint8Array(chunk));
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.device.detach(api);
      this.current.delete(entry);
    });
  }
}

const vanishing = new WeakSet<Socket>();

/**
 * How long a vanished radio stays silent before the reset. A reset that reaches the client while bytes the radio
 * wrote before vanishing are still unread in the client's socket is reported to Node as a plain end of stream (libuv
 * libuv/libuv:src/unix/stream.c uv__stream_io: POLLHUP after a partial read is EOF, the ECONNRESET is never read), so
 * the client would take a reboot for a clean close (a displacement). The client reads within a turn or two of its
 * event loop; this leaves it many, even on a loaded machine (a real radio that vanished says nothing for far longer).
 */
export const VANISH_RESET_DELAY_MS = 50;

/**
 * The radio is gone (reboot, power, Wi-Fi): it says nothing more, and the client learns it from a reset (in life from
 * a timeout, or a reset once it writes to the rebooted radio).
 */
function vanish(socket: Socket): void {
  if (socket.destroyed || vanishing.has(socket)) return;
  vanishing.add(socket);
  // The reset goes after what was written is in the kernel (an empty write's callback comes after the writes before
  // it) and the client had time to read it (VANISH_RESET_DELAY_MS): a reset racing a write in flight, or reaching
  // unread bytes, is seen as a plain close (FIN), which the client would take for a displacement.
  // The reset itself goes in the check phase after the timer (setImmediate): when the timer fires late, after a stall
  // of a loaded machine, a client in this same process gets the poll phase in between to read what is waiting.
  const reset = () => setTimeout(() => setImmediate(() => socket.resetAndDestroy()), VANISH_RESET_DELAY_MS);
  if (socket.writable) socket.write(new Uint8Array(0), reset);
  else reset();
}

/** WiFiClient::stop(): FIN after what was written, then the socket is gone. */
function stopClient(socket: Socket): void {
  if (socket.destroyed) return;
  socket.once('finish', () => socket.destroy());
  socket.end();
}
