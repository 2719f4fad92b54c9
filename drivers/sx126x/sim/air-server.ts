/**
 * `lattice sim air` over TCP (node:net only): each connection is one antenna of a SharedAir; lines are handled in
 * the order they arrive (AIR-PROTOCOL.md). A client that stops reading while the air writes to it (more than
 * MAX_PENDING_BYTES unread) is disconnected, so one stuck tool cannot grow the air's memory.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { systemTimerClock, type TimerClock } from '../../../lib/clock/timer-clock.js';
import { encodeAirEvent, LineSplitter, parseAirRequest } from './air-protocol.js';
import type { AirModel } from './air-reception.js';
import { SharedAir, type AirEvent, type AirStats } from './shared-air.js';

/** Unread bytes a client may leave in its socket's send buffer before it is dropped. */
export const MAX_PENDING_BYTES = 1 << 20;

export interface AirServerInit {
  host: string;
  /** 0 = any free port (tests). */
  port: number;
  clock?: TimerClock;
  model?: Partial<AirModel>;
  /** One line per connection and disconnection, and per ignored line (reason), for the command's output. */
  log?: (line: string) => void;
}

export interface AirServer {
  readonly host: string;
  readonly port: number;
  readonly air: SharedAir;
  stats(): AirStats;
  stop(): Promise<void>;
}

export async function startAirServer(init: AirServerInit): Promise<AirServer> {
  const air = new SharedAir({ clock: init.clock ?? systemTimerClock, ...(init.model ? { model: init.model } : {}) });
  const log = init.log ?? (() => undefined);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const who = `${socket.remoteAddress}:${socket.remotePort}`;
    const write = (line: string) => {
      if (socket.destroyed) return;
      if (socket.writableLength > MAX_PENDING_BYTES) {
        log(`antenna ${antenna.id} (${who}) does not read: disconnected`);
        socket.destroy();
        return;
      }
      socket.write(`${line}\n`);
    };
    const antenna = air.attach({ send: (e: AirEvent) => write(encodeAirEvent(e)) });
    log(`antenna ${antenna.id} connected from ${who}`);
    const ignore = (reason: string) => {
      air.countIgnoredLine();
      log(`antenna ${antenna.id}: ignored line (${reason})`);
    };
    const lines = new LineSplitter(
      (line) => {
        const r = parseAirRequest(line);
        if ('ignored' in r) return ignore(r.detail ? `${r.ignored}: ${r.detail}` : r.ignored);
        if (r.op === 'tune') antenna.tune(r.tuning);
        else if (r.op === 'tx') antenna.transmit(r.data);
        else write(encodeAirEvent({ op: 'stats', ...air.stats() }));
      },
      () => ignore('too-long'),
    );
    socket.on('data', (chunk: Buffer) => lines.push(chunk));
    socket.on('error', () => undefined); // a reset peer: 'close' follows
    socket.on('close', () => {
      sockets.delete(socket);
      antenna.detach();
      log(`antenna ${antenna.id} disconnected`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(init.port, init.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    air,
    stats: () => air.stats(),
    async stop() {
      air.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
