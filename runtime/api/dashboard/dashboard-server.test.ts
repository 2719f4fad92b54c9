/**
 * The dashboard's server side over HTTP, in process against the fake relay (fast; the browser test proves the page):
 * files compressed and revalidated, the login form and its cookie, the token rules for the stream and the writes,
 * GET /sent, the event stream's events (gzip-flushed per tick), and a stream that ends when the server stops.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request, type IncomingMessage } from 'node:http';
import { createGunzip, brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ApiServer } from '../api-server.js';
import { FakeRelayNode } from '../testing/fake-relay-node.js';
import { createMetrics, type Metrics } from '../../metrics/metrics.js';
import type { LoginThrottleOptions } from './login-throttle.js';
import { createLogger } from '../../log/logger.js';
import { captureLogs } from '../../log/testing/capture-logs.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { tooManyMessage, WRONG_TOKEN_MESSAGE } from './dashboard-routes.js';
import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { streamEvents } from './event-stream.js';
import { RecentLog } from './recent-log.js';
import { SentLog } from './sent-log.js';

const TOKEN = 'dashboard-token-0123456789abcdef';
captureLogs('info');

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

function http(url: string, method: string, path: string, opts: { body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: opts.headers, signal: AbortSignal.timeout(10_000) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function withServer(init: { token?: string; host?: string; eventsIntervalMs?: number; login?: LoginThrottleOptions }, fn: (url: string, node: FakeRelayNode, server: ApiServer, metrics: Metrics) => Promise<void>): Promise<void> {
  const node = new FakeRelayNode();
  const metrics = createMetrics({ defaultMetrics: false });
  const server = new ApiServer({ node, host: init.host ?? '127.0.0.1', port: 0, token: init.token, metrics, dashboard: { eventsIntervalMs: init.eventsIntervalMs ?? 50, ...(init.login ? { login: init.login } : {}) } });
  await server.start();
  try {
    await fn(server.url!, node, server, metrics);
  } finally {
    await server.stop();
  }
}

const login = (url: string, token: string) => http(url, 'POST', '/login', { body: `token=${encodeURIComponent(token)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

test('GET / on loopback without a token: the page, brotli when accepted, gzip otherwise, 304 on revalidation', () =>
  withServer({}, async (url) => {
    const br = await http(url, 'GET', '/', { headers: { 'accept-encoding': 'gzip, br' } });
    assert.is(br.status, 200);
    assert.is(br.headers['content-encoding'], 'br');
    assert.match(br.headers['content-type'] ?? '', /^text\/html/);
    const html = brotliDecompressSync(br.body).toString('utf8');
    assert.match(html, /<label for="send-to">To<\/label>/);
    assert.match(html, /<label for="send-text">Message<\/label>/);
    assert.match(html, />Send<\/button>/);
    const js = await http(url, 'GET', '/app.js', { headers: { 'accept-encoding': 'gzip' } });
    assert.is(js.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(js.body).toString('utf8'), /new EventSource/);
    const again = await http(url, 'GET', '/app.js', { headers: { 'if-none-match': String(js.headers.etag) } });
    assert.is(again.status, 304);
    assert.is(again.body.length, 0);
    const plain = await http(url, 'GET', '/app.css');
    assert.is(plain.headers['content-encoding'], undefined);
    assert.is(Number(plain.headers['content-length']), plain.body.length);
  }));

test('GET /status is compressed when the client accepts it and large enough, plain otherwise', () =>
  withServer({}, async (url, node) => {
    for (let i = 0; i < 40; i++) node.addPeer({ id: i.toString(16).padStart(64, '0'), shortId: `peer${String(i).padStart(8, '0')}`, bearers: ['ip'], lastSeen: node.now() });
    const gz = await http(url, 'GET', '/status', { headers: { 'accept-encoding': 'gzip' } });
    assert.is(gz.headers['content-encoding'], 'gzip');
    assert.is(JSON.parse(gunzipSync(gz.body).toString('utf8')).nodeId, node.nodeId);
    const plain = await http(url, 'GET', '/status');
    assert.is(plain.headers['content-encoding'], undefined);
    assert.ok(gz.body.length < plain.body.length / 2, `${gz.body.length} of ${plain.body.length}`);
  }));

test('with a token: / is a login form without node data, a wrong token gets 401 and a visible message, the right one an HttpOnly cookie that opens the API', () =>
  withServer({ token: TOKEN, host: '0.0.0.0' }, async (url, node) => {
    url = url.replace('0.0.0.0', '127.0.0.1');
    const form = await http(url, 'GET', '/');
    assert.is(form.status, 200);
    const html = form.body.toString('utf8');
    assert.match(html, /<form method="post" action="\/login">/);
    assert.not.match(html, new RegExp(`${node.shortId}|${node.nodeId}`));
    assert.is((await http(url, 'GET', '/events')).status, 401);

    const wrong = await login(url, 'wrong-token');
    assert.is(wrong.status, 401);
    assert.ok(wrong.body.toString('utf8').includes(WRONG_TOKEN_MESSAGE));
    assert.is(wrong.headers['set-cookie'], undefined);

    const ok = await login(url, TOKEN);
    assert.is(ok.status, 303);
    assert.is(ok.headers.location, '/');
    const setCookie = ok.headers['set-cookie']![0]!;
    assert.match(setCookie, /^lattice_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    assert.not.ok(setCookie.includes(TOKEN));
    const cookie = setCookie.split(';')[0]!;

    const page = await http(url, 'GET', '/', { headers: { cookie } });
    assert.match(page.body.toString('utf8'), /id="send-form"/);
    assert.is((await http(url, 'GET', '/status', { headers: { cookie } })).status, 200);
    const sent = await http(url, 'POST', '/send', { headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ to: '*', text: 'from the page' }) });
    assert.is(sent.status, 202);
    const { bundleId } = JSON.parse(sent.body.toString('utf8'));
    const list = JSON.parse((await http(url, 'GET', '/sent', { headers: { cookie } })).body.toString('utf8'));
    assert.equal(list.entries.map((e: { id: string; state: string; text: string }) => [e.id, e.state, e.text]), [[bundleId, 'queued', 'from the page']]);
    node.setState(bundleId, 'delivered');
    const later = JSON.parse((await http(url, 'GET', '/sent', { headers: { cookie } })).body.toString('utf8'));
    assert.is(later.entries[0].state, 'delivered');
    // A forged or stale cookie opens nothing.
    assert.is((await http(url, 'GET', '/status', { headers: { cookie: 'lattice_session=' + 'A'.repeat(43) } })).status, 401);
    const out = await http(url, 'POST', '/logout', { headers: { cookie } });
    assert.is(out.status, 303);
    assert.match(out.headers['set-cookie']![0]!, /^lattice_session=; .*Max-Age=0/);
  }));

test('POST /login: 5 wrong tokens a minute from an address and it gets 429 with Retry-After (the right token too), counted; the right token works after the wait', () => {
  let now = 1_000_000;
  return withServer({ token: TOKEN, host: '0.0.0.0', login: { now: () => now } }, async (url, _node, _server, metrics) => {
    url = url.replace('0.0.0.0', '127.0.0.1');
    for (let i = 0; i < 5; i++) {
      now += 1000;
      const wrong = await login(url, `guess-${i}`);
      assert.is(wrong.status, 401, `guess ${i}`);
      assert.ok(wrong.body.toString('utf8').includes(WRONG_TOKEN_MESSAGE));
    }
    const refused = await login(url, TOKEN);
    assert.is(refused.status, 429, 'refused while the address waits, even with the right token');
    assert.is(refused.headers['retry-after'], '60');
    assert.is(refused.headers['set-cookie'], undefined);
    assert.ok(refused.body.toString('utf8').includes(tooManyMessage(60)), 'the form says how long to wait');
    now += 30_000;
    const half = await login(url, 'guess-again');
    assert.is(half.status, 429);
    assert.is(half.headers['retry-after'], '30');
    const text = await metrics.render();
    assert.match(text, /lattice_api_login_refusals_total\{reason="wrong_token"\} 5/);
    assert.match(text, /lattice_api_login_refusals_total\{reason="throttled"\} 2/);
    now += 30_000;
    const ok = await login(url, TOKEN);
    assert.is(ok.status, 303, 'the right token works once the wait is over');
    assert.match(ok.headers['set-cookie']![0]!, /^lattice_session=/);
  });
});

test('a login cookie of another token is refused', async () => {
  let cookie = '';
  await withServer({ token: TOKEN }, async (url) => {
    cookie = (await login(url, TOKEN)).headers['set-cookie']![0]!.split(';')[0]!;
  });
  await withServer({ token: TOKEN + '-rotated' }, async (url) => {
    assert.is((await http(url, 'GET', '/status', { headers: { cookie } })).status, 401);
  });
});

/** Reads an event stream (gzip or not) until `until` holds for the events seen; returns them. */
function readEvents(url: string, path: string, headers: Record<string, string>, until: (events: Array<{ event: string; data: any }>) => boolean): Promise<{ events: Array<{ event: string; data: any }>; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const events: Array<{ event: string; data: any }> = [];
    const ac = new AbortController();
    const timer = setTimeout(() => {
      ac.abort();
      reject(new Error(`events seen: ${events.map((e) => e.event).join(',')}`));
    }, 10_000);
    const req = request(`${url}${path}`, { headers, signal: ac.signal }, (res) => {
      const stream = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
      let text = '';
      stream.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
        }
        if (until(events)) {
          clearTimeout(timer);
          resolve({ events, headers: res.headers });
          ac.abort();
        }
      });
      stream.on('error', () => {});
    });
    req.on('error', () => {});
    req.end();
  });
}

test('GET /events: status at once, new inbox entries, sent-state changes and log events, gzip-flushed per tick', () =>
  withServer({}, async (url, node) => {
    const old = node.receive({ from: 'a'.repeat(64), fromShortId: 'aaaaaaaaaaaa', to: node.nodeId, sentAt: node.now(), text: 'old', hops: 1 });
    const { bundleId } = await node.send({ to: '*', text: 'mine' });
    // Both listed: the node's own sent messages (the vault's), not only those sent through this API.
    await http(url, 'POST', '/send', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: '*', text: 'via api' }) });
    void bundleId;
    let fired = false;
    const { events, headers } = await readEvents(url, `/events?inboxSince=${old.receivedAt}`, { 'accept-encoding': 'gzip' }, (evs) => {
      if (!fired && evs.some((e) => e.event === 'status')) {
        fired = true;
        node.advance(10);
        node.receive({ from: 'b'.repeat(64), fromShortId: 'bbbbbbbbbbbb', to: node.nodeId, sentAt: node.now(), text: 'new one', hops: 2 });
        createLogger('dashboard-test').warn('a warning the page shows', { bearer: 'lora0' });
      }
      return evs.some((e) => e.event === 'inbox') && evs.some((e) => e.event === 'log' && e.data.events.some((l: { message: string }) => l.message === 'a warning the page shows'));
    });
    assert.is(headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.is(headers['content-encoding'], 'gzip');
    assert.is(events[0]!.event, 'status');
    assert.is(events[0]!.data.nodeId, node.nodeId);
    const inbox = events.filter((e) => e.event === 'inbox').flatMap((e) => e.data.entries.map((x: { text: string }) => x.text));
    assert.equal(inbox, ['new one'], 'only what came after inboxSince');
    const sent = events.find((e) => e.event === 'sent')!;
    assert.equal(sent.data.entries.map((e: { text: string }) => e.text), ['mine', 'via api']);
    const log = events.filter((e) => e.event === 'log').flatMap((e) => e.data.events).find((l: { message: string }) => l.message === 'a warning the page shows');
    assert.is(log.level, 'warn');
    assert.is(log.namespace, 'dashboard-test');
    assert.match(log.detail, /bearer=lora0/);
  }));

test('an open event stream ends when the server stops (stop does not wait out the grace period)', async () => {
  const node = new FakeRelayNode();
  const server = new ApiServer({ node, host: '127.0.0.1', port: 0, dashboard: { eventsIntervalMs: 50 } });
  await server.start();
  let ended = false;
  let open = false;
  const req = request(`${server.url}/events`, (res) => {
    res.on('data', () => {});
    res.on('close', () => (ended = true));
    res.once('data', () => (open = true));
    res.on('error', () => {});
  });
  req.on('error', () => {});
  req.end();
  await waitFor('the stream open', () => open, 5_000, 10);
  const t0 = Date.now();
  await server.stop();
  assert.ok(Date.now() - t0 < 1_500, `stop took ${Date.now() - t0} ms`);
  await waitFor('the stream ended', () => ended, 5_000, 10);
});

test('a client that does not read gets no more ticks (counted) and nothing piles up for it', async () => {
  const node = new FakeRelayNode();
  const written: string[] = [];
  // A socket whose peer never reads: the first write stays pending, so every later one is over the high-water mark.
  const res = Object.assign(new Writable({ highWaterMark: 64, write: (chunk: Buffer, _enc, _cb) => void written.push(chunk.toString('utf8')) }), {
    writeHead: () => res,
  }) as unknown as ServerResponse;
  let skipped = 0;
  const ac = new AbortController();
  const done = streamEvents({ headers: {} } as IncomingMessage, res, new URL('http://relay/events'), { node, sent: new SentLog(), log: new RecentLog(), intervalMs: 5, signal: ac.signal, onSkip: () => skipped++ });
  await waitFor('ticks skipped', () => skipped >= 5, 5_000, 5);
  ac.abort();
  await done;
  // What reached the socket: the retry line only (everything else waits behind it in the stream's buffer: the
  // first tick, nothing more).
  assert.is(written.length, 1);
  assert.ok((res as unknown as Writable).writableLength < 16 * 1024, `${(res as unknown as Writable).writableLength} bytes buffered`);
});

test('the dashboard files missing (a broken install): a warning, and the JSON API still serves', async () => {
  const logs = captureLogs('info');
  const node = new FakeRelayNode();
  const server = new ApiServer({ node, host: '127.0.0.1', port: 0, dashboard: { webDir: '/nonexistent/lattice-web' } });
  await server.start();
  try {
    assert.is(server.dashboard, undefined);
    assert.is((await http(server.url!, 'GET', '/status')).status, 200);
    const page = await http(server.url!, 'GET', '/');
    assert.is(page.status, 404);
    assert.is(JSON.parse(page.body.toString('utf8')).error.name, 'NotFoundError');
    assert.ok(logs.records.some((r) => r.level === 'warn' && /dashboard's files are missing/.test(r.message)), 'warned');
  } finally {
    await server.stop();
  }
});

test.run();
