/**
 * The simulated radio's TCP API (port 4403, firmware src/mesh/api/ServerAPI.cpp). The firmware serves one client:
 * a new connection force-closes the previous one ("Force close previous TCP connection", APIServerPort::runOnce),
 * and each client gets a fresh PhoneAPI.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { SimDevice } from './sim-device.js';
import type { SimPhoneApi } from './sim-phone-api.js';

export const SERVER_API_DEFAULT_PORT = 4403;

export class SimTcpServer {
  private server?: Server;
  private current?: { socket: Socket; api: SimPhoneApi };
  /** Clients displaced by a newer one. */
  displaced = 0;
  accepted = 0;

  constructor(private readonly device: SimDevice, private readonly host = '127.0.0.1') {}

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

  /** Closes the current client connection (a Wi-Fi drop). */
  dropClient(): void {
    this.current?.socket.destroy();
  }

  async stop(): Promise<void> {
    this.current?.socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private onConnection(socket: Socket): void {
    this.accepted++;
    if (this.current) {
      this.displaced++;
      this.device.log('Force close previous TCP connection');
      this.current.socket.destroy();
    }
    socket.setNoDelay(true);
    const sink = {
      kind: 'tcp' as const,
      write: (bytes: Uint8Array) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      close: () => socket.destroy(),
    };
    const api = this.device.attach(sink);
    const entry = { socket, api };
    this.current = entry;
    socket.on('data', (chunk) => {
      if (!this.device.isBooting) api.receive(new Uint8Array(chunk));
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.device.detach(api);
      if (this.current === entry) this.current = undefined;
    });
  }
}
