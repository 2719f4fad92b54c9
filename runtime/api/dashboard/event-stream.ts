/**
 * GET /events: the dashboard's one live stream (Server-Sent Events, the browser's EventSource). Each tick it sends
 * the relay's status, the inbox entries received since the last tick, our sent messages when a state changed, and
 * the log events since the last one sent; the page polls only when this stream fails.
 *
 * Events (`event:` name, `data:` one JSON line):
 *   status  NodeStatus (as GET /status)           every tick
 *   inbox   { entries: InboxEntry[] } (new ones)  when any arrived
 *   sent    { entries: SentMessage[] }            on open and when any state changed
 *   log     { events: LogEvent[] }                on open (recent ones) and when any came
 *   shards  ShardsStatus (as GET /shards)         on open and every fifth tick, when the relay runs a shard store
 * Query: `inboxSince` (ms, the newest receivedAt the page holds), `logSince` (the last log seq it holds).
 *
 * Compressed with gzip when accepted, flushed after every tick so nothing waits in the compressor.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGzip, type Gzip } from 'node:zlib';
import type { RelayNode } from '../../node/relay-node.js';
import type { ShardsService } from '../shard-routes.js';
import { negotiateEncoding } from '../compression.js';
import type { RecentLog } from './recent-log.js';
import type { SentLog } from './sent-log.js';

/** Default time between two ticks: live enough to watch airtime move, cheap on a Pi Zero. */
export const EVENTS_INTERVAL_MS = 2_000;

export interface EventStreamInit {
  node: RelayNode;
  sent: SentLog;
  log: RecentLog;
  intervalMs: number;
  shards?: ShardsService;
  /** Counts a tick skipped because the client had not read the previous ones. */
  onSkip?: () => void;
  /** Aborted when the API stops: the stream ends cleanly. */
  signal: AbortSignal;
}

export function streamEvents(req: IncomingMessage, res: ServerResponse, url: URL, init: EventStreamInit): Promise<void> {
  const gzip = negotiateEncoding(req.headers['accept-encoding']) !== undefined && /\bgzip\b/i.test(String(req.headers['accept-encoding']));
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Reverse proxies (nginx) must pass each event on at once.
    'x-accel-buffering': 'no',
    ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
  });
  const z: Gzip | undefined = gzip ? createGzip({ level: 6 }) : undefined;
  if (z) z.pipe(res);
  const out = z ?? res;
  let inboxSince = finiteOr(url.searchParams.get('inboxSince'), undefined);
  let logSeq = finiteOr(url.searchParams.get('logSince'), 0)!;
  let lastSent = '';
  let ticks = 0;
  const send = (event: string, data: unknown) => {
    out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const tick = () => {
    // A client that does not read (a phone gone to sleep on weak Wi-Fi) gets no more until it catches up: what it
    // missed is a snapshot (status) or still after its `since` marks (inbox, log), so nothing is lost, and the
    // relay never buffers more than a tick or two for it.
    if (res.writableNeedDrain || (z?.writableNeedDrain ?? false)) {
      init.onSkip?.();
      return;
    }
    send('status', init.node.status());
    const inbox = init.node.inbox(inboxSince === undefined ? {} : { since: inboxSince });
    if (inbox.length > 0) {
      inboxSince = Math.max(inboxSince ?? 0, ...inbox.map((e) => e.receivedAt));
      send('inbox', { entries: inbox });
    }
    const sent = init.sent.list(init.node);
    const sentJson = JSON.stringify(sent);
    if (sentJson !== lastSent) {
      lastSent = sentJson;
      send('sent', { entries: sent });
    }
    const logs = init.log.since(logSeq);
    if (logs.length > 0) {
      logSeq = logs[logs.length - 1]!.seq;
      send('log', { events: logs });
    }
    if (init.shards && ticks++ % 5 === 0) send('shards', init.shards.status());
    z?.flush();
  };
  return new Promise<void>((resolve) => {
    // The browser reconnects after `retry` ms when the stream breaks.
    out.write('retry: 3000\n\n');
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearInterval(timer);
      init.signal.removeEventListener('abort', finish);
      res.off('close', finish);
      if (!res.writableEnded) out.end();
      resolve();
    };
    try {
      tick();
    } catch (err) {
      // A relay that cannot answer (stopping) ends the stream; the page reconnects or falls back to polling.
      res.destroy(err as Error);
      return resolve();
    }
    timer = setInterval(() => {
      try {
        tick();
      } catch {
        finish();
      }
    }, init.intervalMs);
    init.signal.addEventListener('abort', finish);
    res.once('close', finish);
  });
}

function finiteOr(s: string | null, fallback: number | undefined): number | undefined {
  if (s === null || s === '') return fallback;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}
