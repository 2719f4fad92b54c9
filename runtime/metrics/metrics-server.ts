/**
 * The Prometheus endpoint: its own listener (`--metrics HOST:PORT`, default 127.0.0.1:9090, path /metrics), apart
 * from the API so it can be exposed to a scraper without exposing the API. GET/HEAD on the path only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpListener } from '../api/http-listener.js';
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
  private readonly listener = new HttpListener('metrics', (req, res) => void this.handle(req, res));

  constructor(private readonly init: MetricsServerInit) {}

  async start(): Promise<void> {
    if (this.listener.listening) return;
    await this.listener.listen(this.init.host, this.init.port);
    log.info('metrics listening', { url: this.url });
  }

  async stop(): Promise<void> {
    await this.listener.stop();
  }

  /** The bound address (port 0 resolved); undefined before start(). */
  address(): { host: string; port: number } | undefined {
    return this.listener.address();
  }

  get url(): string | undefined {
    const origin = this.listener.origin;
    return origin === undefined ? undefined : `${origin}${this.init.path ?? '/metrics'}`;
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
