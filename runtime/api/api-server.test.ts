import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { ApiServer } from './api-server.js';
import { ApiClient, apiUrl } from './api-client.js';
import { FakeRelayNode } from './testing/fake-relay-node.js';
import { rawRequest } from './testing/raw-request.js';
import { createMetrics } from '../metrics/metrics.js';
import { captureLogs } from '../log/testing/capture-logs.js';

const TOKEN = 'test-token-0123456789abcdef';
const logs = captureLogs('info');

const raw = rawRequest;

async function withServer(init: { token?: string; host?: string; maxBodyBytes?: number }, fn: (url: string, node: FakeRelayNode, server: ApiServer) => Promise<void>): Promise<void> {
  const node = new FakeRelayNode();
  const server = new ApiServer({ node, host: init.host ?? '127.0.0.1', port: 0, token: init.token, maxBodyBytes: init.maxBodyBytes, metrics: createMetrics({ defaultMetrics: false }) });
  await server.start();
  try {
    await fn(server.url!, node, server);
  } finally {
    await server.stop();
  }
}

const json = { 'content-type': 'application/json' };

test('GET /status returns the node status', () =>
  withServer({}, async (url, node) => {
    node.addPeer({ id: 'b'.repeat(64), shortId: 'peerb0000000', bearers: ['ip'], lastSeen: node.now() });
    node.addBearer({ name: 'ip', kind: 'ip', mode: 'sync', state: 'up', peers: ['b'.repeat(64)] });
    node.advance(5000);
    const r = await raw(url, 'GET', '/status');
    assert.is(r.status, 200);
    assert.is(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.is(r.headers['cache-control'], 'no-store');
    assert.is(r.json.nodeId, node.nodeId);
    assert.is(r.json.shortId, node.shortId);
    assert.is(r.json.uptimeSeconds, 5);
    assert.is(r.json.peers[0].shortId, 'peerb0000000');
    assert.is(r.json.bearers[0].name, 'ip');
  }));

test('POST /send → 202 with the bundle id, then GET /bundles/:id traces it', () =>
  withServer({}, async (url, node) => {
    const r = await raw(url, 'POST', '/send', { headers: json, body: JSON.stringify({ to: '*', text: 'hello mesh', lifetimeMs: 3_600_000 }) });
    assert.is(r.status, 202);
    assert.match(r.json.bundleId, /^[0-9a-f]{64}$/);
    assert.equal(node.sent, [{ to: '*', text: 'hello mesh', lifetimeMs: 3_600_000 }]);
    node.setState(r.json.bundleId, 'delivered', { bearer: 'ip', custody: 'peerb0000000' });
    const b = await raw(url, 'GET', `/bundles/${r.json.bundleId.toUpperCase()}`);
    assert.is(b.status, 200);
    assert.is(b.json.state, 'delivered');
    assert.equal(b.json.custody, ['peerb0000000']);
    assert.equal(b.json.events.map((e: { event: string }) => e.event), ['created', 'stored', 'delivered']);
  }));

test('GET /bundles/:id: 404 when unknown, 400 when not an id', () =>
  withServer({}, async (url) => {
    const unknown = await raw(url, 'GET', `/bundles/${'a'.repeat(64)}`);
    assert.is(unknown.status, 404);
    assert.is(unknown.json.error.name, 'NotFoundError');
    const bad = await raw(url, 'GET', '/bundles/xyz');
    assert.is(bad.status, 400);
    assert.is(bad.json.error.name, 'ValidationError');
  }));

test('GET /inbox pages with limit and since', () =>
  withServer({}, async (url, node) => {
    for (let i = 0; i < 5; i++) {
      node.receive({ from: 'c'.repeat(64), fromShortId: 'peerc0000000', to: node.nodeId, sentAt: node.now(), text: `m${i}`, hops: 1 });
      node.advance(1000);
    }
    const all = await raw(url, 'GET', '/inbox');
    assert.equal(all.json.entries.map((m: { text: string }) => m.text), ['m0', 'm1', 'm2', 'm3', 'm4']);
    const last2 = await raw(url, 'GET', '/inbox?limit=2');
    assert.equal(last2.json.entries.map((m: { text: string }) => m.text), ['m3', 'm4']);
    const since = await raw(url, 'GET', `/inbox?since=${all.json.entries[2].receivedAt}`);
    assert.equal(since.json.entries.map((m: { text: string }) => m.text), ['m3', 'm4']);
    for (const q of ['limit=0', 'limit=abc', 'limit=1001', 'since=-1', 'since=soon', 'limt=3']) {
      const r = await raw(url, 'GET', `/inbox?${q}`);
      assert.is(r.status, 400, q);
      assert.is(r.json.error.name, 'ValidationError', q);
    }
    assert.match((await raw(url, 'GET', '/inbox?limt=3')).json.error.message, /did you mean "limit"/);
  }));

test('bad send bodies get a 400 naming every problem; nothing is sent', () =>
  withServer({ maxBodyBytes: 1024 }, async (url, node) => {
    const cases: [string | Buffer, Record<string, string>, number, string][] = [
      ['{"to": "*", "text": ', json, 400, 'BadJsonError'],
      ['', json, 400, 'BadJsonError'],
      ['[1,2]', json, 400, 'ValidationError'],
      ['{"to": "", "text": ""}', json, 400, 'ValidationError'],
      ['{"to": "*", "txt": "hi"}', json, 400, 'ValidationError'],
      ['{"to": "*", "text": "hi", "lifetimeMs": 5}', json, 400, 'ValidationError'],
      ['{"to": "nobody", "text": "hi"}', json, 400, 'UnknownPeerError'],
      ['{"__proto__": {"admin": true}, "to": "*", "text": "hi"}', json, 400, 'ValidationError'],
      ['{"to": ["*"], "text": {"a": 1}}', json, 400, 'ValidationError'],
      ['"just a string"', json, 400, 'ValidationError'],
      ['null', json, 400, 'ValidationError'],
      ['{"to": "*", "text": "hi", "lifetimeMs": 1e400}', json, 400, 'ValidationError'],
      [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), json, 400, 'InvalidUtf8Error'],
      ['{"to": "*", "text": "hi"}', { 'content-type': 'text/plain' }, 415, 'UnsupportedMediaTypeError'],
      ['{"to": "*", "text": "hi"}', {}, 415, 'UnsupportedMediaTypeError'],
      [JSON.stringify({ to: '*', text: 'x'.repeat(2000) }), json, 413, 'BodyTooLargeError'],
    ];
    for (const [body, headers, status, name] of cases) {
      const r = await raw(url, 'POST', '/send', { body, headers });
      assert.is(r.status, status, String(body).slice(0, 40));
      assert.is(r.json.error.name, name, String(body).slice(0, 40));
      assert.type(r.json.error.message, 'string');
    }
    const multi = await raw(url, 'POST', '/send', { headers: json, body: '{"to": 5, "txt": "hi"}' });
    assert.match(multi.json.error.message, /unknown field "txt"; did you mean "text"\?.*"to" must be.*"text" must be/);
    // A streamed (chunked) body over the limit is cut off too.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/send`, { method: 'POST', headers: json }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err)));
      req.write('{"to":"*","text":"');
      req.write('y'.repeat(4096));
      req.end('"}');
    });
    assert.is(chunked, 413);
    assert.is(node.sent.length, 0);
  }));

test('unknown routes 404, wrong methods 405 with Allow, daemon failures 500 without details', () =>
  withServer({}, async (url, node) => {
    const nf = await raw(url, 'GET', '/nope');
    assert.is(nf.status, 404);
    assert.is(nf.json.error.name, 'NotFoundError');
    const m = await raw(url, 'GET', '/send');
    assert.is(m.status, 405);
    assert.is(m.headers.allow, 'POST');
    assert.is(m.json.error.name, 'MethodNotAllowedError');
    node.failNextSend(new Error('disk on fire at /secret/path'));
    const r = await raw(url, 'POST', '/send', { headers: json, body: '{"to":"*","text":"x"}' });
    assert.is(r.status, 500);
    assert.is(r.json.error.name, 'InternalError');
    assert.not.match(r.json.error.message, /secret/);
    assert.ok(logs.of('api').some((rec) => rec.level === 'error' && rec.message === 'request failed'));
    assert.is((await raw(url, 'GET', '/health')).json.ok, true);
  }));

test('token: enforced on every route but /health when configured', () =>
  withServer({ token: TOKEN }, async (url) => {
    const none = await raw(url, 'GET', '/status');
    assert.is(none.status, 401);
    assert.is(none.json.error.name, 'UnauthorizedError');
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    assert.is((await raw(url, 'POST', '/send', { headers: { ...json, authorization: 'Bearer wrong' }, body: '{"to":"*","text":"x"}' })).status, 401);
    assert.is((await raw(url, 'GET', '/inbox', { headers: { authorization: TOKEN } })).status, 401);
    assert.is((await raw(url, 'GET', '/status', { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    assert.is((await raw(url, 'POST', '/send', { headers: { ...json, authorization: `bearer ${TOKEN}` }, body: '{"to":"*","text":"x"}' })).status, 202);
    assert.is((await raw(url, 'GET', '/health')).status, 200);
  }));

test('non-loopback bind without a token is refused; with one it starts', async () => {
  const node = new FakeRelayNode();
  const open = new ApiServer({ node, host: '0.0.0.0', port: 0 });
  try {
    await open.start();
    assert.unreachable('started without a token');
  } catch (err) {
    assert.is((err as Error).name, 'TokenRequiredError');
    assert.match((err as Error).message, /LATTICE_API_TOKEN/);
  }
  await withServer({ host: '0.0.0.0', token: TOKEN }, async (url, _node, server) => {
    assert.is(server.address()!.host, '0.0.0.0');
    const local = `http://127.0.0.1:${server.address()!.port}`;
    assert.is((await raw(local, 'GET', '/status')).status, 401);
    // Any Host is fine off loopback: the token is the protection there.
    assert.is((await raw(local, 'GET', '/status', { headers: { host: 'relay.lan', authorization: `Bearer ${TOKEN}` } })).status, 200);
    assert.ok(url.startsWith('http://0.0.0.0:'));
  });
});

test('loopback API refuses foreign Host headers (DNS rebinding)', () =>
  withServer({}, async (url) => {
    const port = new URL(url).port;
    assert.is((await raw(url, 'GET', '/status', { headers: { host: `localhost:${port}` } })).status, 200);
    assert.is((await raw(url, 'GET', '/status', { headers: { host: `[::1]:${port}` } })).status, 200);
    const evil = await raw(url, 'GET', '/inbox', { headers: { host: `evil.example.com:${port}` } });
    assert.is(evil.status, 403);
    assert.is(evil.json.error.name, 'ForbiddenHostError');
  }));

test('client: happy path, typed errors, unreachable relay', async () => {
  await withServer({ token: TOKEN }, async (url, node) => {
    const client = new ApiClient({ url, token: TOKEN });
    const status = await client.status();
    assert.is(status.nodeId, node.nodeId);
    const { bundleId } = await client.send({ to: '*', text: 'hi' });
    assert.is((await client.bundle(bundleId)).state, 'queued');
    node.receive({ from: 'd'.repeat(64), fromShortId: 'peerd0000000', to: node.nodeId, sentAt: node.now(), text: 'yo', hops: 2 });
    assert.equal((await client.inbox({ limit: 1 })).map((m) => m.text), ['yo']);
    try {
      await client.bundle('0'.repeat(64));
      assert.unreachable();
    } catch (err) {
      assert.is((err as Error).name, 'ApiResponseError');
      assert.is((err as { status: number }).status, 404);
      assert.is((err as { errorName: string }).errorName, 'NotFoundError');
    }
    try {
      await new ApiClient({ url }).status();
      assert.unreachable();
    } catch (err) {
      assert.is((err as { errorName: string }).errorName, 'UnauthorizedError');
    }
  });
  // The server above is stopped: its port now refuses connections.
  const node = new FakeRelayNode();
  const s = new ApiServer({ node, host: '127.0.0.1', port: 0 });
  await s.start();
  const port = s.address()!.port;
  await s.stop();
  try {
    await new ApiClient({ url: `http://127.0.0.1:${port}` }).status();
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'RelayUnreachableError');
    assert.is((err as Error).message, `no relay answering at http://127.0.0.1:${port} — start one with \`lattice run\``);
  }
  assert.is(apiUrl({ host: '0.0.0.0', port: 8080 }), 'http://127.0.0.1:8080');
  assert.is(apiUrl({ host: '::', port: 8080 }), 'http://[::1]:8080');
});

test.after(() => logs.restore());
test.run();
