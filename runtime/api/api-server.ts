/**
 * The HTTP API over node:http, serving a RelayNode to the CLI and to scripts.
 *
 * Security: bound to 127.0.0.1 by default. On any other address a token is required (start() refuses without one)
 * and every route but /health then needs `Authorization: Bearer <token>`; a configured token is enforced on
 * loopback too. On loopback the Host header must be a loopback name, which defeats DNS rebinding (a web page whose
 * name resolves to 127.0.0.1 reading the inbox). POST bodies must be application/json (see request-body.ts).
 *
 * Timeouts (API_TIMEOUTS) are set for a LAN API whose clients are the CLI and scripts: a connection that has not sent
 * its request headers within 5 s is answered 408 and closed (Node's default 60 s, checked only every 30 s, let an
 * idle connection hold a socket ~30 s before any token check); a whole request body must arrive within 30 s; an
 * idle keep-alive connection is closed after 5 s.
 *
 * A client that goes away before its answer (closed the connection mid-body, or while the relay worked) is not a
 * server error: it is logged at debug level and counted with status="499" (nginx's "client closed request").
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost } from '../config/host-port.js';
import { createLogger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { BadRequestError, UnknownPeerError, type RelayNode } from '../node/relay-node.js';
import { DashboardFilesMissingError, ForbiddenHostError, HttpError, MethodNotAllowedError, NotFoundError, TokenRequiredError, UnauthorizedError } from './errors.js';
import { HttpListener, type HttpTimeouts } from './http-listener.js';
import { checkQueryUtf8 } from './request-body.js';
import { ROUTES, matchRoute, type Reply, type Route } from './routes.js';
import type { ShardsService } from './shard-routes.js';
import { compress, COMPRESS_MIN_BYTES, negotiateEncoding } from './compression.js';
import { Dashboard, type DashboardOptions } from './dashboard/dashboard.js';
import type { MeshtasticHttp } from './meshtastic-http-routes.js';

const log = createLogger('api');

/** Largest request body: a maximal bundle text (64 KiB) with JSON escaping headroom. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export { LAN_HTTP_TIMEOUTS as API_TIMEOUTS, type HttpTimeouts as ApiTimeouts } from './http-listener.js';

/** The status label of a request whose client went away before the answer (nginx's "client closed request"). */
export const CLIENT_CLOSED_STATUS = '499';

export interface ApiServerInit {
  node: RelayNode;
  host: string;
  port: number;
  token?: string;
  maxBodyBytes?: number;
  metrics?: Metrics;
  routes?: Route[];
  /** The shard store behind /shards (shard-routes.ts); those routes answer 503 without it. */
  shards?: ShardsService;
  /** Defaults: API_TIMEOUTS. */
  timeouts?: Partial<HttpTimeouts>;
  /** The native Meshtastic node's HTTP API device side (/api/v1/toradio, /api/v1/fromradio); 503 without. */
  meshtasticHttp?: (session: string) => MeshtasticHttp | undefined;
  /** The web dashboard at `/` (dashboard/): on by default; `false` serves the JSON API only. */
  dashboard?: DashboardOptions | false;
}

export class ApiServer {
  private readonly listener: HttpListener;
  private readonly tokenHash: Buffer | undefined;
  private readonly requests;
  readonly dashboard: Dashboard | undefined;

  constructor(private readonly init: ApiServerInit) {
    this.listener = new HttpListener('API', (req, res) => void this.handle(req, res), init.timeouts);
    this.tokenHash = init.token === undefined ? undefined : sha256(init.token);
    this.dashboard = init.dashboard === false ? undefined : dashboardOrNone(init.token, init.dashboard, init.metrics);
    this.requests = init.metrics?.counter({ name: 'lattice_api_requests_total', help: 'HTTP API requests by route and status (499: the client went away before the answer)', labelNames: ['route', 'status'] });
  }

  async start(): Promise<void> {
    if (this.listener.listening) return;
    if (!isLoopbackHost(this.init.host) && this.init.token === undefined) throw new TokenRequiredError(this.init.host);
    this.dashboard?.start();
    try {
      await this.listener.listen(this.init.host, this.init.port);
    } catch (err) {
      this.dashboard?.stop();
      throw err;
    }
    log.info('API listening', { url: this.url, token: this.init.token !== undefined });
  }

  async stop(): Promise<void> {
    // First: open event streams end, so the listener's close does not wait out its grace period for them.
    this.dashboard?.stop();
    await this.listener.stop();
  }

  address(): { host: string; port: number } | undefined {
    return this.listener.address();
  }

  get url(): string | undefined {
    return this.listener.origin;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const gone = watchClient(req, res);
    let routeLabel = 'unmatched';
    let reply: Reply;
    try {
      const url = new URL(req.url ?? '/', 'http://relay');
      this.checkHost(req);
      checkQueryUtf8(url.search);
      const { match, allowed } = matchRoute(this.init.routes ?? ROUTES, req.method ?? 'GET', url.pathname);
      if (!match) {
        if (allowed.length > 0) throw new MethodNotAllowedError(req.method ?? '', allowed);
        throw new NotFoundError(`no route ${req.method} ${url.pathname} (routes: ${(this.init.routes ?? ROUTES).map((r) => `${r.method} ${r.path}`).join(', ')})`);
      }
      routeLabel = `${match.route.method} ${match.route.path}`;
      const authorized = this.authorized(req);
      if (match.route.auth && !authorized) throw new UnauthorizedError();
      const access = { required: this.tokenHash !== undefined, authorized, tokenMatches: (t: string) => this.tokenMatches(t) };
      reply = await match.route.handle({
        node: this.init.node, req, res, url, params: match.params, maxBodyBytes: this.init.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, access,
        ...(this.init.shards ? { shards: this.init.shards } : {}),
        ...(this.dashboard ? { dashboard: this.dashboard } : {}),
        ...(this.init.meshtasticHttp ? { meshtasticHttp: this.init.meshtasticHttp } : {}),
      });
      // Done, but the client is gone (a send stays done: it is in the vault, the client just never heard so).
      if (gone()) return this.clientClosed(routeLabel, req, reply.status);
    } catch (err) {
      // A refusal of ours keeps its status even when the socket is gone; anything else on a dead socket is the
      // client leaving (an aborted body, a download it stopped waiting for), not a failure of the relay.
      if (!(err instanceof HttpError) && gone()) return this.clientClosed(routeLabel, req, undefined, err);
      reply = this.errorReply(err, req);
      if (err instanceof MethodNotAllowedError) res.setHeader('allow', err.allowed.join(', '));
      if (err instanceof UnauthorizedError) res.setHeader('www-authenticate', 'Bearer realm="lattice"');
      // The rest of an oversized or unread body is not worth reading: close instead of draining it.
      if (unreadBody(req)) res.setHeader('connection', 'close');
    }
    if (reply.stream) {
      try {
        await reply.stream(res);
        if (gone()) return this.clientClosed(routeLabel, req, reply.status);
        this.count(routeLabel, req, reply.status);
        return;
      } catch (err) {
        if (gone()) return this.clientClosed(routeLabel, req, reply.status, err);
        if (res.headersSent) {
          this.count(routeLabel, req, 500);
          log.warn('streamed response failed', { method: req.method, url: req.url, err: String(err) });
          res.destroy();
          return;
        }
        reply = this.errorReply(err, req);
      }
    }
    this.count(routeLabel, req, reply.status);
    if (res.destroyed) return;
    let body: Buffer = Buffer.from(JSON.stringify(reply.body), 'utf8');
    const headers: Record<string, string | number> = {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    };
    // The dashboard loads the status (tens of KiB with many nodes) over a phone's Wi-Fi: compressed when accepted.
    const enc = body.byteLength >= COMPRESS_MIN_BYTES ? negotiateEncoding(req.headers['accept-encoding']) : undefined;
    if (enc) {
      body = compress(body, enc);
      headers['content-encoding'] = enc;
      headers.vary = 'accept-encoding';
    }
    headers['content-length'] = body.byteLength;
    res.writeHead(reply.status, headers);
    res.end(body);
  }

  private count(route: string, req: IncomingMessage, status: number): void {
    this.requests?.inc({ route, status: String(status) });
    log.debug('request', { method: req.method, url: req.url, status });
  }

  private clientClosed(route: string, req: IncomingMessage, wouldBe?: number, err?: unknown): void {
    this.requests?.inc({ route, status: CLIENT_CLOSED_STATUS });
    log.debug('the client went away before the answer', { method: req.method, url: req.url, ...(wouldBe !== undefined ? { status: wouldBe } : {}), ...(err ? { err: String(err) } : {}) });
  }

  private checkHost(req: IncomingMessage): void {
    if (!isLoopbackHost(this.init.host)) return;
    const host = req.headers.host;
    if (host === undefined) return; // HTTP/1.0 clients send none; they are not browsers.
    const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
    if (!isLoopbackHost(name)) throw new ForbiddenHostError(host);
  }

  /** No token set, or the request carries it: `Authorization: Bearer` (CLI, scripts) or the dashboard's login cookie. */
  private authorized(req: IncomingMessage): boolean {
    if (this.tokenHash === undefined) return true;
    const header = req.headers.authorization;
    const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m) return this.tokenMatches(m[1]!);
    return this.dashboard?.session?.matches(req.headers.cookie) ?? false;
  }

  private tokenMatches(token: string): boolean {
    // Compare hashes so the comparison takes the same time whatever the token's length.
    return this.tokenHash !== undefined && timingSafeEqual(sha256(token), this.tokenHash);
  }

  private errorReply(err: unknown, req: IncomingMessage): Reply {
    if (err instanceof HttpError) return { status: err.status, body: { error: { name: err.name, message: err.message } } };
    if (err instanceof UnknownPeerError || err instanceof BadRequestError) {
      return { status: 400, body: { error: { name: err.name, message: err.message } } };
    }
    const stored = storeErrorStatus(err);
    if (stored) return { status: stored, body: { error: { name: (err as Error).name, message: (err as Error).message } } };
    log.error('request failed', { method: req.method, url: req.url, err });
    return { status: 500, body: { error: { name: 'InternalError', message: "the relay failed to answer this request; see the relay's log" } } };
  }
}

/** The dashboard, or none when its files are missing (a broken install): the JSON API must still serve. */
function dashboardOrNone(token: string | undefined, options: DashboardOptions | undefined, metrics: Metrics | undefined): Dashboard | undefined {
  try {
    return new Dashboard(token, options, metrics);
  } catch (err) {
    if (!(err instanceof DashboardFilesMissingError)) throw err;
    log.warn(`${err.message}; serving the JSON API without the dashboard`, { path: err.path });
    return undefined;
  }
}

/**
 * Whether the client went away before the response was complete: the connection is gone and the client ended it
 * (its FIN, or a reset). A response the relay itself destroyed (a failed stream) does not count.
 */
function watchClient(req: IncomingMessage, res: ServerResponse): () => boolean {
  const socket = req.socket;
  let reset = false;
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') reset = true;
  };
  socket.on('error', onError);
  res.once('close', () => socket.off('error', onError));
  return () => res.destroyed && !res.writableFinished && (socket.readableEnded || reset);
}

/** A store that cannot take more (507: full, the client may retry later) or cannot write at all (503). */
function storeErrorStatus(err: unknown): number | undefined {
  const name = (err as Error | undefined)?.name;
  return name === 'StoreFullError' ? 507 : name === 'VaultWriteError' ? 503 : undefined;
}

function unreadBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  return hasBody && !req.readableEnded;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
