/**
 * Connections, not requests: a client that goes away is not a server error (status="499", a debug line), a failure of
 * the relay's own still is (500); and a connection that sends nothing is closed within seconds, not held ~30 s.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Socket } from 'node:net';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { captureLogs } from '../log/testing/capture-logs.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { ApiServer, API_TIMEOUTS } from './api-server.js';
import { ROUTES, type Route } from './routes.js';
import { FakeRelayNode } from './testing/fake-relay-node.js';
import { MetricsServer } from '../metrics/metrics-server.js';

const logs = captureLogs('debug');
test.after(() => logs.restore());

async function withServer(init: { routes?: Route[]; token?: string }, fn: (port: number, metrics: Metrics, node: FakeRelayNode) => Promise<void>): Promise<void> {
  const node = new FakeRelayNode();
  const metrics = createMetrics({ defaultMetrics: false });
  const server = new ApiServer({ node, host: '127.0.0.1', port: 0, metrics, ...init });
  await server.start();
  try {
    await fn(server.address()!.port, metrics, node);
  } finally {
    await server.stop();
  }
}

async function requests(metrics: Metrics): Promise<Record<string, number>> {
  const m = (await metrics.read('lattice_api_requests_total'))!;
  return Object.fromEntries(m.map((v) => [`${v.labels.route} ${v.labels.status}`, v.value]));
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

const apiErrors = () => logs.of('api').filter((r) => r.level === 'error' || r.level === 'warn');

test('a client that hangs up mid-body: counted as 499, logged at debug, not a 500', () =>
  withServer({}, async (port, metrics, node) => {
    const s = await open(port);
    // Expect: 100-continue makes the server say when the request reached its handler (Node answers 100, then runs it).
    const continued = new Promise<void>((resolve) => s.on('data', (d) => String(d).startsWith('HTTP/1.1 100') && resolve()));
    s.write('POST /send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n');
    await continued;
    s.write('{"to":"*","te');
    s.destroy();
    await waitFor('the request counted', async () => (await requests(metrics))['POST /send 499'] === 1);
    assert.is((await requests(metrics))['POST /send 500'], undefined);
    assert.equal(apiErrors(), [], 'nothing above debug');
    assert.ok(logs.of('api').some((r) => r.level === 'debug' && r.message === 'the client went away before the answer'));
    assert.is(node.sent.length, 0);
  }));

test('a client that stops waiting while the relay works: 499; a failure of the relay itself is still a 500', async () => {
  let started!: () => void;
  const working = new Promise<void>((r) => (started = r));
  const slow: Route = {
    method: 'GET', path: '/slow', auth: false,
    // Like a shard download: the work is abandoned when the client goes away, which rejects it.
    handle: ({ res }) => new Promise((_, reject) => {
      started();
      res.once('close', () => reject(new Error('the API client disconnected')));
    }),
  };
  const broken: Route = {
    method: 'GET', path: '/broken', auth: false,
    handle: () => ({
      status: 200, body: undefined,
      async stream(out) {
        out.writeHead(200, { 'content-type': 'application/octet-stream' });
        out.write('partial');
        const err = new Error('EIO reading the spool file');
        out.destroy(err); // what pipeline() does to the response when its source fails
        throw err;
      },
    }),
  };
  await withServer({ routes: [...ROUTES, slow, broken] }, async (port, metrics) => {
    const s = await open(port);
    s.write('GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await working;
    s.destroy();
    await waitFor('the abandoned request counted', async () => (await requests(metrics))['GET /slow 499'] === 1);
    assert.equal(apiErrors(), []);
    const b = await open(port);
    b.on('error', () => {});
    b.write('GET /broken HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor('the failed stream counted', async () => (await requests(metrics))['GET /broken 500'] === 1);
    assert.ok(apiErrors().some((r) => r.message === 'streamed response failed'));
    b.destroy();
  });
});

/** Resolves with what the server sent once it closes the connection; rejects if it is still open after 15 s. */
function closedByServer(s: Socket): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let got = '';
    s.on('data', (d) => (got += d));
    const t = setTimeout(() => reject(new Error('still open after 15 s')), 15_000);
    s.once('close', () => {
      clearTimeout(t);
      resolve(got);
    });
  });
}

test('idle and trickling connections are answered 408 and closed once the header timeout passes, before any token check', () =>
  withServer({ token: 'a-token-of-sixteen-chars' }, async (port, metrics) => {
    assert.is(API_TIMEOUTS.headersMs, 5_000);
    // The metrics endpoint shares the settings (http-listener.ts).
    const scrape = new MetricsServer({ metrics, host: '127.0.0.1', port: 0 });
    await scrape.start();
    const t0 = Date.now();
    const idle = await open(port);
    const idleScrape = await open(scrape.address()!.port);
    const slow = await open(port);
    slow.write('GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const timer = setInterval(() => slow.writable && slow.write('X-Slow: 1\r\n'), 500);
    try {
      // Positive events: the server closes both. Node's defaults (10 s, checked every 30 s) held them ~30 s.
      const [fromIdle, fromSlow, fromScrape] = await Promise.all([closedByServer(idle), closedByServer(slow), closedByServer(idleScrape)]);
      assert.ok(Date.now() - t0 >= API_TIMEOUTS.headersMs - 50, 'not before the timeout');
      assert.match(fromIdle, /^HTTP\/1\.1 408 /);
      assert.match(fromSlow, /^HTTP\/1\.1 408 /);
      assert.match(fromScrape, /^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(timer);
      await scrape.stop();
    }
  }));

test.run();
