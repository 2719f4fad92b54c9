/**
 * The Prometheus endpoint: its own listener (`--metrics HOST:PORT`, default 127.0.0.1:9090, path /metrics), apart
 * from the API so it can be exposed to a scraper without exposing the API. GET/HEAD on the path only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { close, httpServerOptions, listen } from '../api/http-listener.js';
import { createLogger } from '../log/logger.js';
import type { Metrics } from './metrics.js';

const log = createLogger('metrics');

export interface MetricsServerInit {
  metrics: Metrics;
  host: string;
  port: number;
  path?: string;
}

export class MetricsServer {
  private server: Server | undefined;
  private bound: { host: string; port: number } | undefined;

  constructor(private readonly init: MetricsServerInit) {}

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer(httpServerOptions(), (req, res) => void this.handle(req, res));
    const addr = await listen(server, 'metrics', this.init.host, this.init.port);
    this.server = server;
    this.bound = { host: addr.address, port: addr.port };
    log.info('metrics listening', { url: this.url });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await close(server);
  }

  /** The bound address (port 0 resolved); undefined before start(). */
  address(): { host: string; port: number } | undefined {
    return this.bound;
  }

  get url(): string | undefined {
    if (!this.bound) return undefined;
    const h = this.bound.host.includes(':') ? `[${this.bound.host}]` : this.bound.host;
    return `http://${h}:${this.bound.port}${this.init.path ?? '/metrics'}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== (this.init.path ?? '/metrics')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found; metrics are at ${this.init.path ?? '/metrics'}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('use GET\n');
      return;
    }
    try {
      const body = await this.init.metrics.render();
      res.writeHead(200, { 'content-type': this.init.metrics.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      log.error('metrics collection failed', { err });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('metrics collection failed\n');
    }
  }
}
