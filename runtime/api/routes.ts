/**
 * The API's routes, in one table. Each names its method, path pattern and whether it needs the token; handlers
 * only translate between HTTP and the RelayNode facade.
 *
 *   GET  /health          → { ok: true, loop? } / 503 { ok: false, loop } when the event loop stalled recently
 *                                                               (no token: liveness probes, the Docker HEALTHCHECK)
 *   GET  /status          → NodeStatus
 *   POST /send            { to, text, lifetimeMs? } → 202 { bundleId }
 *   GET  /bundles/:id     → BundleView, 404 when unknown
 *   GET  /inbox?limit&since → { entries: InboxEntry[] }
 *   GET/POST /shards…     → the shard store (shard-routes.ts)
 *   GET  /, /events, /sent, POST /login… → the dashboard (dashboard/dashboard-routes.ts)
 *   PUT /api/v1/toradio, GET /api/v1/fromradio → the native Meshtastic node's HTTP API (meshtastic-http-routes.ts)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayNode } from '../node/relay-node.js';
import { NotFoundError } from './errors.js';
import { readJsonBody } from './request-body.js';
import { validateBundleId, validateInboxQuery, validateSendRequest } from './validate.js';
import { SHARD_ROUTES, type ShardsService } from './shard-routes.js';
import { DASHBOARD_ROUTES } from './dashboard/dashboard-routes.js';
import { MESHTASTIC_HTTP_ROUTES, type MeshtasticHttp } from './meshtastic-http-routes.js';
import type { Dashboard } from './dashboard/dashboard.js';

export interface RouteContext {
  node: RelayNode;
  req: IncomingMessage;
  url: URL;
  params: Record<string, string>;
  maxBodyBytes: number;
  /** For routes that stream (shard files): abort work when the client goes away. */
  res: ServerResponse;
  /** The shard store, when the relay runs one. */
  shards?: ShardsService;
  /** The dashboard's files, login and live stream, when the server serves it. */
  dashboard?: Dashboard;
  /** The native Meshtastic node's HTTP API device side, when the relay runs one and it is up. */
  meshtasticHttp?: (session: string) => MeshtasticHttp | undefined;
  /** Where this request stands with the token (the server checked it already for `auth` routes). */
  access: Access;
}

export interface Access {
  /** A token is set: requests need it (header or login cookie). */
  required: boolean;
  /** The request carries the token (Authorization: Bearer) or the login cookie, or none is required. */
  authorized: boolean;
  /** Compares a token typed into the login form with the relay's, in constant time. */
  tokenMatches(token: string): boolean;
}

export interface Reply {
  status: number;
  body: unknown;
  /** Streams the response itself (headers included) instead of `body` as JSON. If it throws before writing the
   * headers the error is answered as JSON; after, the connection is cut. */
  stream?: (res: ServerResponse) => Promise<void>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'OPTIONS';
  /** Path pattern with `:name` parameters, e.g. `/bundles/:id`. */
  path: string;
  /** False only for routes that reveal nothing (health). */
  auth: boolean;
  handle(ctx: RouteContext): Promise<Reply> | Reply;
}

export const ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/health',
    auth: false,
    handle: ({ node }) => {
      const loop = node.health?.();
      return { status: loop && !loop.ok ? 503 : 200, body: { ok: loop ? loop.ok : true, ...(loop ? { loop } : {}) } };
    },
  },
  { method: 'GET', path: '/status', auth: true, handle: ({ node }) => ({ status: 200, body: node.status() }) },
  {
    method: 'POST',
    path: '/send',
    auth: true,
    async handle({ node, req, maxBodyBytes }) {
      const request = validateSendRequest(await readJsonBody(req, maxBodyBytes));
      const { bundleId } = await node.send(request);
      return { status: 202, body: { bundleId } };
    },
  },
  {
    method: 'GET',
    path: '/bundles/:id',
    auth: true,
    handle({ node, params }) {
      const id = validateBundleId(params.id);
      const view = node.bundle(id);
      if (!view) throw new NotFoundError(`no bundle ${id} on this relay`);
      return { status: 200, body: view };
    },
  },
  {
    method: 'GET',
    path: '/inbox',
    auth: true,
    handle({ node, url }) {
      return { status: 200, body: { entries: node.inbox(validateInboxQuery(url.searchParams)) } };
    },
  },
  ...SHARD_ROUTES,
  ...DASHBOARD_ROUTES,
  ...MESHTASTIC_HTTP_ROUTES,
];

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** The route for `method path`; `allowed` lists the methods of routes whose path matched when the method did not. */
export function matchRoute(routes: Route[], method: string, path: string): { match?: RouteMatch; allowed: string[] } {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method) return { match: { route, params }, allowed };
    allowed.push(route.method);
  }
  return { allowed };
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (got[i] === '') return undefined;
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return undefined;
      }
    } else if (want[i] !== got[i]) {
      return undefined;
    }
  }
  return params;
}
