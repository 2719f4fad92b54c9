/**
 * What the API server needs to serve the dashboard: its files, the login cookie (when a token is set), our sent
 * messages, the recent log events and the live stream's pace. Built by ApiServer; start()/stop() follow the server's.
 */
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import { RecentLog } from './recent-log.js';
import { SentLog } from './sent-log.js';
import { SessionCookie } from './session-cookie.js';
import { StaticAssets, defaultWebDir } from './static-assets.js';
import { EVENTS_INTERVAL_MS } from './event-stream.js';
import type { Metrics } from '../../metrics/metrics.js';

export interface DashboardOptions {
  /** Where the files are (default: the package's `web/`). */
  webDir?: string;
  /** Time between two ticks of GET /events (default EVENTS_INTERVAL_MS). */
  eventsIntervalMs?: number;
  /** POST /login's per-address limit on wrong tokens (login-throttle.ts; defaults: 5 a minute, back-off to 15 min). */
  login?: LoginThrottleOptions;
}

export interface DashboardCounters {
  /** A tick of an event stream not sent because its client had not read the previous ones. */
  skippedTick(): void;
  /** A login refused: a wrong token, or an address over its limit (429). */
  loginRefused(reason: 'wrong_token' | 'throttled'): void;
}

export class Dashboard {
  readonly assets: StaticAssets;
  readonly sent = new SentLog();
  readonly log = new RecentLog();
  readonly session?: SessionCookie;
  readonly loginThrottle: LoginThrottle;
  readonly eventsIntervalMs: number;
  readonly counters: DashboardCounters;
  private stopping = new AbortController();

  constructor(token: string | undefined, options: DashboardOptions = {}, metrics?: Metrics) {
    const skipped = metrics?.counter({ name: 'lattice_api_event_ticks_skipped_total', help: "Ticks of the dashboard's event stream not sent because the client had not read the previous ones" });
    const refused = metrics?.counter({ name: 'lattice_api_login_refusals_total', help: 'Dashboard logins refused, by reason (wrong_token; throttled: too many wrong tokens from that address, answered 429)', labelNames: ['reason'] });
    this.counters = { skippedTick: () => skipped?.inc(), loginRefused: (reason) => refused?.inc({ reason }) };
    this.loginThrottle = new LoginThrottle(options.login);
    this.assets = new StaticAssets(options.webDir ?? defaultWebDir());
    if (token !== undefined) this.session = new SessionCookie(token);
    this.eventsIntervalMs = options.eventsIntervalMs ?? EVENTS_INTERVAL_MS;
  }

  /** Aborted by stop(): open event streams end. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  start(): void {
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    this.log.start();
  }

  stop(): void {
    this.stopping.abort();
    this.log.stop();
  }
}
