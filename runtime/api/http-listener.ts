/**
 * Starting and stopping a node:http server: the timeouts a LAN server wants, checked only while a connection is
 * open, listen with a ListenError that says why, and a stop that does not wait forever for keep-alive clients (idle
 * connections close at once, busy ones get a grace period).
 */
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ListenError } from './errors.js';

export interface HttpTimeouts {
  /** From connect (or a keep-alive request's first byte) to the end of the request headers. */
  headersMs: number;
  /** The whole request, body included (a shard upload's copy into the spool file too). */
  requestMs: number;
  /** An idle keep-alive connection between requests. */
  keepAliveMs: number;
  /** How often Node looks for connections past headersMs / requestMs (its default, 30 s, is what let them linger),
   * while at least one connection is open (checkWhileConnected). */
  checkIntervalMs: number;
}

/**
 * For the API and the metrics endpoint on a LAN: headers arrive in one packet, request bodies are at most a few
 * hundred KiB (shard files go to a spool file first). Node's defaults (60 s headers, checked every 30 s) let a
 * connection that sends nothing hold a socket ~30 s.
 */
export const LAN_HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 5_000, requestMs: 30_000, keepAliveMs: 5_000, checkIntervalMs: 1_000 };

export function httpServerOptions(timeouts: Partial<HttpTimeouts> = {}): ServerOptions {
  const t = { ...LAN_HTTP_TIMEOUTS, ...timeouts };
  return { headersTimeout: t.headersMs, requestTimeout: t.requestMs, keepAliveTimeout: t.keepAliveMs, connectionsCheckingInterval: t.checkIntervalMs };
}

export function listen(server: Server, what: string, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(new ListenError(what, host, port, err.code, { cause: err }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.once('listening', () => checkWhileConnected(server));
    server.listen({ host, port, exclusive: true });
  });
}

/** Where Node keeps a listening server's timeout-check timer (nodejs/node:lib/_http_server.js, Node 18-22). */
const NODE_CHECK_TIMER = 'http.server.connectionsCheckingInterval';

/**
 * Node checks a server's connections for headersTimeout / requestTimeout on an interval of its own that runs from
 * 'listening' to close, connections or none: with checkIntervalMs = 1 s that is a wake-up a second for each of the
 * API and metrics servers of an idle relay. This runs Node's own check (same code, same 408) on a timer armed only
 * while a connection is open. Node keeps that interval in a private field: should a Node version keep it elsewhere,
 * its own interval stays (timeouts still enforced, just not lazily) and http-listener.test.ts fails to say so.
 * Runs after Node's 'listening' listener, which the Server constructor registers first.
 */
function checkWhileConnected(server: Server): void {
  const key = Object.getOwnPropertySymbols(server).find((s) => s.description === NODE_CHECK_TIMER);
  const nodeTimer = key === undefined ? undefined : (server as unknown as Record<symbol, unknown>)[key];
  const check = (nodeTimer as { _onTimeout?: unknown } | undefined)?._onTimeout;
  if (typeof check !== 'function') return;
  clearInterval(nodeTimer as NodeJS.Timeout);
  const everyMs = (server as Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval ?? LAN_HTTP_TIMEOUTS.checkIntervalMs;
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  const disarm = () => {
    clearInterval(timer);
    timer = undefined;
  };
  server.on('connection', (socket: Socket) => {
    open++;
    timer ??= setInterval(check as () => void, everyMs).unref();
    socket.once('close', () => {
      if (--open === 0) disarm();
    });
  });
  server.once('close', disarm);
}

/**
 * One node:http server's life, as the API and the metrics endpoint both run theirs: created with the LAN timeouts on
 * `listen()`, the bound address (port 0 resolved, kept after stop), its origin URL, and a bounded stop.
 */
export class HttpListener {
  private server: Server | undefined;
  private bound: { host: string; port: number } | undefined;

  constructor(
    private readonly what: string,
    private readonly handler: RequestListener,
    private readonly timeouts: Partial<HttpTimeouts> = {},
  ) {}

  /** Whether listen() succeeded and stop() has not been called since. */
  get listening(): boolean {
    return this.server !== undefined;
  }

  async listen(host: string, port: number): Promise<void> {
    const server = createServer(httpServerOptions(this.timeouts), this.handler);
    const addr = await listen(server, this.what, host, port);
    this.server = server;
    this.bound = { host: addr.address, port: addr.port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await close(server);
  }

  /** The bound address (port 0 resolved); undefined before listen(). */
  address(): { host: string; port: number } | undefined {
    return this.bound;
  }

  /** `http://host:port` of the bound address (an IPv6 host in brackets); undefined before listen(). */
  get origin(): string | undefined {
    if (!this.bound) return undefined;
    const h = this.bound.host.includes(':') ? `[${this.bound.host}]` : this.bound.host;
    return `http://${h}:${this.bound.port}`;
  }
}

/** Stops accepting, closes idle keep-alive sockets, and cuts busy ones after `graceMs`. */
export async function close(server: Server, graceMs = 2000): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}
