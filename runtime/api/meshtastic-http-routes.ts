/**
 * The firmware's HTTP API on the relay's API server, for the official Meshtastic web client (meshtastic/web) and
 * anything else that speaks it (firmware src/mesh/http/ContentHandler.cpp, src/mesh/raspihttp/PiWebServer.cpp):
 *
 *   PUT     /api/v1/toradio    one ToRadio protobuf → 200, the body echoed (ContentHandler does)
 *   GET     /api/v1/fromradio  → 200 one FromRadio protobuf, empty when nothing waits; `?all=true` every one waiting
 *   OPTIONS both               → 204 (the browser's CORS preflight)
 *
 * Headers as the firmware's (`Content-Type: application/x-protobuf`, the methods, `X-Protobuf-Schema`), except that
 * `Access-Control-Allow-Origin` names the page's origin when web-client-origin.ts lets it in, and a page of another
 * origin is refused with 403 ForbiddenOriginError (the firmware answers `*` to every site). The device side is the native Meshtastic node's: one more client of its phone API per HTTP
 * session, a session being the client's address (firmware-protocol/meshtastic/device/http-sessions.ts; behind a
 * reverse proxy every browser is one session, as on the firmware); 503 when the relay runs no native node. The token rules are the API's: on loopback without a
 * token these answer anyone on this machine, like meshtasticd's web server; with a token set they need it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_TO_FROM_RADIO_SIZE } from '../../firmware-protocol/meshtastic/device/http-client.js';
import { BodyTooLargeError, HttpError } from './errors.js';
import { webClientOriginAllowed } from './web-client-origin.js';
import type { Route, RouteContext } from './routes.js';

/** What the routes need of the native node's device side (firmware-protocol/meshtastic/device/http-client.ts). */
export interface MeshtasticHttp {
  toRadio(body: Uint8Array): void;
  fromRadio(all?: boolean): Uint8Array;
}

const SCHEMA = 'https://raw.githubusercontent.com/meshtastic/protobufs/master/meshtastic/mesh.proto';

export class NoNativeNodeError extends HttpError {
  override name = 'NoNativeNodeError';
  constructor() {
    super(503, 'this relay runs no native Meshtastic node (a lora: radio with protocol: meshtastic), or it is not up: no /api/v1 device to talk to');
  }
}

/** A browser page of an origin that may not use the Meshtastic HTTP API (web-client-origin.ts). */
export class ForbiddenOriginError extends HttpError {
  override name = 'ForbiddenOriginError';
  constructor(readonly origin: string) {
    super(403, `pages from ${origin.slice(0, 100)} may not use this relay's Meshtastic HTTP API (allowed: https://client.meshtastic.org and pages on this machine or the LAN)`);
  }
}

/** The request's Origin, checked: undefined for clients that are not browsers (no Origin header). */
function checkOrigin(ctx: RouteContext): string | undefined {
  const origin = ctx.req.headers.origin;
  if (origin === undefined) return undefined;
  if (!webClientOriginAllowed(origin)) throw new ForbiddenOriginError(origin);
  return origin;
}

function deviceOf(ctx: RouteContext): MeshtasticHttp {
  const d = ctx.meshtasticHttp?.(ctx.req.socket.remoteAddress ?? 'unknown');
  if (!d) throw new NoNativeNodeError();
  return d;
}

function headers(methods: string, origin: string | undefined): Record<string, string> {
  return {
    'content-type': 'application/x-protobuf',
    // Clients that are not browsers ignore it; browsers get their page's origin back, never `*`.
    ...(origin !== undefined ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {}),
    'access-control-allow-methods': methods,
    'access-control-allow-headers': 'Content-Type',
    'x-protobuf-schema': SCHEMA,
    'cache-control': 'no-store',
  };
}

function reply(res: ServerResponse, status: number, methods: string, origin: string | undefined, body?: Uint8Array): void {
  res.writeHead(status, { ...headers(methods, origin), 'content-length': body?.byteLength ?? 0 });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_TO_FROM_RADIO_SIZE) throw new BodyTooLargeError(MAX_TO_FROM_RADIO_SIZE);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_TO_FROM_RADIO_SIZE) throw new BodyTooLargeError(MAX_TO_FROM_RADIO_SIZE);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

const preflight = (path: string, methods: string): Route => ({
  method: 'OPTIONS',
  path,
  // A preflight never carries credentials; it reveals nothing.
  auth: false,
  handle(ctx) {
    const origin = checkOrigin(ctx);
    // Chrome's Private Network Access: a page from the internet (client.meshtastic.org) asks before it talks to a
    // relay on this machine or the LAN; the firmware predates it and says nothing, so Chrome would refuse.
    const privateNetwork = ctx.req.headers['access-control-request-private-network'] === 'true';
    return {
      status: 204,
      body: undefined,
      stream: async (res) => {
        if (privateNetwork) res.setHeader('access-control-allow-private-network', 'true');
        reply(res, 204, methods, origin);
      },
    };
  },
});

export const MESHTASTIC_HTTP_ROUTES: Route[] = [
  {
    method: 'PUT',
    path: '/api/v1/toradio',
    auth: true,
    async handle(ctx) {
      const origin = checkOrigin(ctx);
      const device = deviceOf(ctx);
      const body = await readBody(ctx.req);
      device.toRadio(body);
      return { status: 200, body: undefined, stream: async (res) => reply(res, 200, 'PUT, OPTIONS', origin, body) };
    },
  },
  preflight('/api/v1/toradio', 'PUT, OPTIONS'),
  {
    method: 'GET',
    path: '/api/v1/fromradio',
    auth: true,
    handle(ctx) {
      const origin = checkOrigin(ctx);
      const fr = deviceOf(ctx).fromRadio(ctx.url.searchParams.get('all') === 'true');
      return { status: 200, body: undefined, stream: async (res) => reply(res, 200, 'GET', origin, fr) };
    },
  },
  preflight('/api/v1/fromradio', 'GET'),
];
