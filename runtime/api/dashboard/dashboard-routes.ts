/**
 * The dashboard's routes, in the API's route table (routes.ts):
 *
 *   GET  /                 the page; a login form instead while a token is set and the browser has no login
 *   GET  /app.js, /app.css, /favicon.svg   its files (no node data in them: no login needed)
 *   POST /login            form `token=…` → 303 to / with the HttpOnly login cookie; 401 and the form with a
 *                          visible message for a wrong token; 429 with Retry-After once an address has given too
 *                          many wrong tokens (login-throttle.ts)
 *   POST /logout           → 303 to /, the cookie cleared
 *   GET  /events           the live stream (event-stream.ts); token or login cookie
 *   GET  /sent             { entries: SentMessage[] }: the bundles this node created (the vault's `sent` index),
 *                          oldest first, with their state
 *   GET  /session          { loginRequired, authorized }: whether the page offers a logout (no node data)
 */
import { NotFoundError } from '../errors.js';
import type { Reply, Route, RouteContext } from '../routes.js';
import type { Dashboard } from './dashboard.js';
import { streamEvents } from './event-stream.js';
import { readLoginToken } from './login-form.js';
import { clearSessionHeader } from './session-cookie.js';
import { sendHtml } from './static-assets.js';

/** The files served as they are, by URL path. */
const FILES: Record<string, string> = { '/app.js': 'app.js', '/app.css': 'app.css', '/favicon.svg': 'favicon.svg' };

/** The login page's text for a wrong token (the test and the operator read the same words). */
export const WRONG_TOKEN_MESSAGE = 'Wrong token: this relay did not accept it. Check api.token (or LATTICE_API_TOKEN) on the relay.';

function dashboardOf(ctx: RouteContext): Dashboard {
  if (!ctx.dashboard) throw new NotFoundError('this API serves no dashboard');
  return ctx.dashboard;
}

function loginPage(d: Dashboard, message?: string): string {
  const html = d.assets.text('login.html');
  return html.replace('<!--message-->', message ? `<p id="login-error" class="error" role="alert">${escapeHtml(message)}</p>` : '');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const DASHBOARD_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/',
    auth: false,
    handle(ctx) {
      const d = dashboardOf(ctx);
      return {
        status: 200,
        body: undefined,
        stream: async (res) => {
          if (ctx.access.authorized) d.assets.serve('index.html', ctx.req, res);
          else sendHtml(ctx.req, res, 200, loginPage(d));
        },
      };
    },
  },
  ...Object.entries(FILES).map(([path, name]): Route => ({
    method: 'GET',
    path,
    auth: false,
    handle(ctx) {
      const d = dashboardOf(ctx);
      if (!d.assets.has(name)) throw new NotFoundError(`no dashboard file ${name}`);
      return { status: 200, body: undefined, stream: async (res) => d.assets.serve(name, ctx.req, res) };
    },
  })),
  {
    method: 'POST',
    path: '/login',
    auth: false,
    async handle(ctx) {
      const d = dashboardOf(ctx);
      const address = ctx.req.socket.remoteAddress ?? 'unknown';
      const wait = d.loginThrottle.retryAfterMs(address);
      // Checked before the token is even read: while refused, the right token is refused too (no oracle).
      if (wait > 0 && d.session) {
        d.counters.loginRefused('throttled');
        return throttled(ctx, d, wait);
      }
      const token = await readLoginToken(ctx.req);
      if (!d.session) return { status: 303, body: undefined, stream: async (res) => redirect(res, []) };
      if (!ctx.access.tokenMatches(token)) {
        d.counters.loginRefused('wrong_token');
        d.loginThrottle.failed(address);
        return { status: 401, body: undefined, stream: async (res) => sendHtml(ctx.req, res, 401, loginPage(d, WRONG_TOKEN_MESSAGE)) };
      }
      d.loginThrottle.succeeded(address);
      const cookie = d.session.setHeader();
      return { status: 303, body: undefined, stream: async (res) => redirect(res, [cookie]) };
    },
  },
  {
    method: 'POST',
    path: '/logout',
    auth: false,
    handle() {
      return { status: 303, body: undefined, stream: async (res) => redirect(res, [clearSessionHeader()]) };
    },
  },
  {
    method: 'GET',
    path: '/events',
    auth: true,
    handle(ctx) {
      const d = dashboardOf(ctx);
      return {
        status: 200,
        body: undefined,
        stream: (res) => streamEvents(ctx.req, res, ctx.url, { node: ctx.node, sent: d.sent, log: d.log, intervalMs: d.eventsIntervalMs, signal: d.signal, onSkip: d.counters.skippedTick, ...(ctx.shards ? { shards: ctx.shards } : {}) }),
      };
    },
  },
  {
    method: 'GET',
    path: '/session',
    auth: false,
    handle({ access }) {
      return { status: 200, body: { loginRequired: access.required, authorized: access.authorized } };
    },
  },
  {
    method: 'GET',
    path: '/sent',
    auth: true,
    handle(ctx) {
      return { status: 200, body: { entries: dashboardOf(ctx).sent.list(ctx.node) } };
    },
  },
];

/** 429 with Retry-After (whole seconds, rounded up) and the login form saying how long to wait. */
function throttled(ctx: RouteContext, d: Dashboard, waitMs: number): Reply {
  const seconds = Math.ceil(waitMs / 1000);
  return { status: 429, body: undefined, stream: async (res) => sendHtml(ctx.req, res, 429, loginPage(d, tooManyMessage(seconds)), { 'retry-after': String(seconds) }) };
}

/** The login page's text while an address is refused. */
export function tooManyMessage(seconds: number): string {
  return `Too many wrong tokens from this address: try again in ${seconds} s.`;
}

function redirect(res: import('node:http').ServerResponse, cookies: string[]): void {
  res.writeHead(303, { location: '/', 'content-length': 0, 'cache-control': 'no-store', ...(cookies.length ? { 'set-cookie': cookies } : {}) });
  res.end();
}
