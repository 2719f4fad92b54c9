/**
 * The companion protocol over TCP (the WiFi/Ethernet companion builds' port 5000: '<' + u16 LE length + command,
 * '>' + u16 LE length + reply), for several clients at once on one port, each its own CompanionDevice session.
 * Frames from a client follow esp32/SerialWifiInterface.cpp (./wifi-frame-parser.ts). Beyond the firmware (which
 * has one client and never hangs up): a client that sends only garbage (16 bad frames in a row, or a header that
 * announces more than 4 KiB, which no MeshCore client writes), or that does not read what it is sent (more than
 * `maxBacklogBytes` queued), loses its own connection; nobody else notices. Listens on 127.0.0.1 unless told.
 *
 * `attachMemory()` attaches an in-process client (the relay's own MeshCore gateway) over an in-memory ByteLink
 * (framing/sim/memory-link.ts) with the same framing, so it sees exactly what a TCP client sees.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createMemoryLink, type MemoryLink } from '../../framing/sim/memory-link.js';
import { MESHCORE_MARKER_FROM_RADIO } from '../../framing/meshcore-frame.js';
import type { CompanionDevice, CompanionSession } from './companion-device.js';
import type { CompanionMetrics } from './companion-metrics.js';
import { CompanionListenError } from './errors.js';
import { WifiFrameParser } from './wifi-frame-parser.js';

export interface CompanionServerOptions {
  device: CompanionDevice;
  /** 0 = any free port. */
  port: number;
  host?: string;
  /** Clients at once (TCP and memory); a client past it is refused (closed at once). */
  maxClients?: number;
  maxBacklogBytes?: number;
  /**
   * The firmware's rule instead of refusing: when full, the oldest TCP client is closed (client.stop(), a FIN) and
   * the new one served. With maxClients 1 this is SerialWifiInterface exactly (a new connection drops the old).
   */
  displaceOldest?: boolean;
  metrics?: CompanionMetrics;
}

const MAX_BAD_FRAMES_IN_A_ROW = 16;
const GARBAGE_LENGTH = 4096;

function frameOut(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + payload.length);
  out[0] = MESHCORE_MARKER_FROM_RADIO;
  out[1] = payload.length & 0xff;
  out[2] = payload.length >> 8;
  out.set(payload, 3);
  return out;
}

export class CompanionServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly wires = new Map<Socket, { gone(): void }>();
  private readonly links = new Set<MemoryLink>();
  private boundPort = 0;
  private accepting = true;
  /** Fault injection for the simulator: every frame to a TCP client goes in 2-byte writes. */
  splitWrites = false;

  constructor(private readonly options: CompanionServerOptions) {}

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** The port listened on (the real one when 0 was asked). */
  get port(): number {
    return this.boundPort;
  }

  clients(): number {
    return this.sockets.size + this.links.size;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const srv = createServer((sock) => this.accept(sock));
    srv.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(new CompanionListenError(this.host, this.options.port, err));
      srv.once('error', onError);
      srv.listen(this.options.port, this.host, () => {
        srv.off('error', onError);
        resolve();
      });
    });
    this.server = srv;
    this.boundPort = (srv.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    for (const l of this.links) l.drop();
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
  }

  private full(): boolean {
    return this.clients() >= (this.options.maxClients ?? 8);
  }

  /** One session per client; its bad input and its slowness end only its own connection. */
  private wire(kind: string, write: (bytes: Uint8Array) => void, backlog: () => number, end: (reason: string) => void) {
    const metrics = this.options.metrics;
    const maxBacklog = this.options.maxBacklogBytes ?? 256 * 1024;
    let session: CompanionSession | undefined;
    let closed = false;
    const close = (reason: string) => {
      if (closed) return;
      closed = true;
      session?.detach();
      end(reason);
    };
    const parser = new WifiFrameParser((reason, length) => {
      metrics?.dropped?.(reason);
      if (length > GARBAGE_LENGTH) close(`garbage: a frame header announcing ${length} bytes`);
    });
    session = this.options.device.attach({
      send: (frame) => {
        if (closed) return;
        if (backlog() > maxBacklog) {
          metrics?.dropped?.('client-backlog');
          close('client does not read its frames');
          return;
        }
        write(frameOut(frame));
      },
      close: (reason) => close(reason),
    }, kind);
    return {
      data: (chunk: Uint8Array) => {
        if (closed) return;
        for (const f of parser.push(chunk)) {
          if (closed) return;
          session!.command(f);
        }
        if (parser.consecutiveBad >= MAX_BAD_FRAMES_IN_A_ROW) close('garbage: bad frames only');
      },
      gone: () => {
        if (closed) return;
        closed = true;
        session?.detach();
      },
    };
  }

  /** While false, new TCP connections are reset at once (a device off the network). */
  setAccepting(on: boolean): void {
    this.accepting = on;
  }

  /**
   * Drops every TCP client as a device that vanished: from now on nothing more reaches them (a reply being written
   * is lost), and on the next turn their sockets are reset (no FIN).
   */
  resetClients(): void {
    for (const s of this.sockets) {
      this.wires.get(s)?.gone();
      setTimeout(() => s.resetAndDestroy(), 0);
    }
  }

  /** Raw bytes to every TCP client (the simulator's garbage on the line). */
  writeRaw(bytes: Uint8Array): void {
    for (const s of this.sockets) if (!s.destroyed) s.write(bytes);
  }

  private accept(sock: Socket): void {
    if (!this.accepting) {
      sock.resetAndDestroy();
      return;
    }
    if (this.full()) {
      const oldest = this.options.displaceOldest ? this.sockets.values().next().value : undefined;
      if (!oldest) {
        sock.destroy();
        return;
      }
      this.sockets.delete(oldest);
      oldest.once('finish', () => oldest.destroy());
      oldest.end();
    }
    this.sockets.add(sock);
    sock.setNoDelay(true);
    const write = (b: Uint8Array): void => {
      if (sock.destroyed) return;
      if (!this.splitWrites) return void sock.write(b);
      for (let i = 0; i < b.length; i += 2) sock.write(b.subarray(i, i + 2));
    };
    const w = this.wire('tcp', write, () => sock.writableLength, () => sock.destroy());
    this.wires.set(sock, w);
    sock.on('data', (d: Buffer) => w.data(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      this.sockets.delete(sock);
      this.wires.delete(sock);
      w.gone();
    });
  }

  /** An in-process client on an in-memory ByteLink: the host end is returned (write '<' frames, read '>' frames). */
  attachMemory(description = 'memory:meshcore-companion'): MemoryLink {
    let w: ReturnType<CompanionServer['wire']> | undefined;
    const link = createMemoryLink({
      receive: (bytes) => w?.data(bytes),
      closed: () => {
        this.links.delete(link);
        w?.gone();
      },
    }, description);
    this.links.add(link);
    w = this.wire('memory', (b) => link.fromDevice(b), () => 0, () => link.drop());
    return link;
  }
}
