/**
 * Test support: IP bearers in process on loopback, as the IP bearer's tests start them (discovery off, a fast
 * heartbeat, each on a port of its own, peers given as static peers), and stopped together after each test, last
 * started first, with whatever else the test tracks (scripted peers, acceptors).
 */
import { generateIdentity, type Identity } from '../../../identity/identity.js';
import type { Logger } from '../../../log/logger.js';
import { IpBearer, type IpBearerOptions } from '../ip-bearer.js';

export type LoopbackBearerOptions = Partial<IpBearerOptions> & {
  /** Static peers: bearers of this rig or bare ports on 127.0.0.1. */
  peers?: (IpBearer | number)[];
  /** Listen address; default 127.0.0.1 (127.0.0.x / 127.0.1.x stand for other hosts). */
  host?: string;
  /** Listen port; default 0 (any). */
  port?: number;
};

export class LoopbackBearers {
  private readonly running: { stop(): Promise<void> }[] = [];

  constructor(private readonly log: Logger, private readonly heartbeatMs = 100) {}

  /** Starts a bearer; options given override the rig's (`staticPeers` replaces what `peers` makes). */
  async start(options: LoopbackBearerOptions = {}): Promise<IpBearer> {
    const { peers, host, port, ...rest } = options;
    const b = new IpBearer({
      identity: generateIdentity(),
      listen: { host: host ?? '127.0.0.1', port: port ?? 0 },
      staticPeers: (peers ?? []).map((p) => `127.0.0.1:${typeof p === 'number' ? p : p.listenPort}`),
      discovery: false,
      heartbeatMs: this.heartbeatMs,
      log: this.log,
      ...rest,
    });
    await b.start();
    this.running.push(b);
    return b;
  }

  /** Stops these with the bearers. */
  track(...more: { stop(): Promise<void> }[]): void {
    this.running.push(...more);
  }

  /** Stops one of them now (and not again at stopAll). */
  async stop(b: { stop(): Promise<void> }): Promise<void> {
    const i = this.running.indexOf(b);
    if (i >= 0) this.running.splice(i, 1);
    await b.stop();
  }

  /** Stops everything started or tracked, the last first. */
  async stopAll(): Promise<void> {
    while (this.running.length) await this.running.pop()!.stop();
  }
}

/** The node id a bearer announces (hex). */
export const nodeIdOf = (b: IpBearer): string => (b as unknown as { identity: Identity }).identity.nodeIdHex;
