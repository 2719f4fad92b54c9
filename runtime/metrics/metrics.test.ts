import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import perfHooks from 'node:perf_hooks';
import { createMetrics, EVENT_LOOP_SAMPLE_MS } from './metrics.js';
import { MetricsServer } from './metrics-server.js';
import { VERSION } from '../version.js';

function get(url: string, method = 'GET'): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, signal: AbortSignal.timeout(20_000) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('uptime, peers by bearer, default process metrics', async () => {
  let t = 1_000_000;
  const m = createMetrics({ now: () => t });
  t += 42_500;
  const remove = m.addPeerSource(() => ({ ip: 2, lora0: 1 }));
  m.addPeerSource(() => ({ ip: 1 }));
  m.addPeerSource(() => { throw new Error('broken source'); });
  let text = await m.render();
  assert.match(text, /^lattice_uptime_seconds 42\.5$/m);
  assert.match(text, new RegExp(`^lattice_build_info\\{version="${VERSION}",node="${process.version}"\\} 1$`, 'm'));
  assert.match(text, /^lattice_peers\{bearer="ip"\} 3$/m);
  assert.match(text, /^lattice_peers\{bearer="lora0"\} 1$/m);
  assert.match(text, /^process_cpu_user_seconds_total /m);
  remove();
  text = await m.render();
  assert.match(text, /^lattice_peers\{bearer="ip"\} 1$/m);
  assert.not.match(text, /lora0/);
  assert.not.match(await createMetrics({ defaultMetrics: false }).render(), /process_/);
});

test('get-or-create helpers share a metric and enforce the naming convention', async () => {
  const m = createMetrics({ defaultMetrics: false });
  const a = m.counter({ name: 'lattice_lora_rx_frames_total', help: 'frames received', labelNames: ['bearer'] });
  const b = m.counter({ name: 'lattice_lora_rx_frames_total', help: 'frames received', labelNames: ['bearer'] });
  assert.is(a, b);
  a.inc({ bearer: 'lora0' });
  b.inc({ bearer: 'lora1' }, 2);
  assert.match(await m.render(), /lattice_lora_rx_frames_total\{bearer="lora1"\} 2/);
  assert.throws(() => m.counter({ name: 'lora_rx_total', help: 'x' }), (e: Error) => e instanceof TypeError);
  assert.throws(() => m.counter({ name: 'lattice_lora_rx', help: 'x' }), /must end in _total/);
  assert.throws(() => m.gauge({ name: 'lattice_queue_total', help: 'x' }), /only counters/);
  assert.throws(() => m.gauge({ name: 'lattice_lora_rx_frames_total', help: 'x' }), (e: Error) => e instanceof TypeError);
  assert.throws(() => m.counter({ name: 'lattice_lora_rx_frames_total', help: 'x', labelNames: ['other'] }), /different/);
  const h = m.histogram({ name: 'lattice_router_send_seconds', help: 'x', buckets: [0.1, 1] });
  h.observe(0.5);
  assert.match(await m.render(), /lattice_router_send_seconds_bucket\{le="1"\} 1/);
});

test('read gives the samples of one metric; remove drops metrics so they register anew from zero', async () => {
  const m = createMetrics({ defaultMetrics: false });
  assert.is(await m.read('lattice_test_things_total'), undefined);
  const c = m.counter({ name: 'lattice_test_things_total', help: 'x', labelNames: ['kind'] });
  c.inc({ kind: 'a' }, 3);
  c.inc({ kind: 'b' });
  assert.equal(await m.read('lattice_test_things_total'), [
    { name: 'lattice_test_things_total', labels: { kind: 'a' }, value: 3 },
    { name: 'lattice_test_things_total', labels: { kind: 'b' }, value: 1 },
  ]);
  let depth = 0;
  m.gauge({ name: 'lattice_test_depth', help: 'x', collect() { this.set(depth); } });
  depth = 7;
  assert.equal(await m.read('lattice_test_depth'), [{ name: 'lattice_test_depth', labels: {}, value: 7 }]);
  const h = m.histogram({ name: 'lattice_test_seconds', help: 'x', buckets: [1] });
  h.observe(0.5);
  const samples = (await m.read('lattice_test_seconds'))!;
  assert.equal(samples.filter((s) => s.name === 'lattice_test_seconds_count').map((s) => s.value), [1]);
  m.remove('lattice_test_things_total', 'lattice_test_depth');
  assert.is(await m.read('lattice_test_things_total'), undefined);
  m.counter({ name: 'lattice_test_things_total', help: 'x', labelNames: ['kind'] }).inc({ kind: 'a' });
  assert.equal((await m.read('lattice_test_things_total'))!.map((s) => s.value), [1]);
  assert.not.match(await m.render(), /lattice_test_depth/);
});

test('components count through Metrics only: nothing outside runtime/metrics imports prom-client', () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const own = resolve(root, 'runtime/metrics');
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mjs|js)$/.test(name) && dirname(p) !== own && /from\s*['"]prom-client['"]|import\(\s*['"]prom-client['"]/.test(readFileSync(p, 'utf8'))) found.push(relative(root, p));
    }
  };
  for (const top of ['lib', 'drivers', 'firmware-protocol', 'runtime', 'bench', 'hil-tests', 'scripts', 'bin']) walk(join(root, top));
  assert.equal(found, []);
});

test('metrics server answers on its path only', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const server = new MetricsServer({ metrics, host: '127.0.0.1', port: 0, path: '/metrics' });
  await server.start();
  try {
    const url = server.url!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const ok = await get(url);
    assert.is(ok.status, 200);
    assert.match(ok.type!, /^text\/plain/);
    assert.match(ok.body, /lattice_uptime_seconds/);
    assert.is((await get(url, 'HEAD')).body, '');
    assert.is((await get(url.replace('/metrics', '/other'))).status, 404);
    assert.is((await get(url, 'POST')).status, 405);
    // A second listener on the same port is refused with a ListenError that says why.
    const clash = new MetricsServer({ metrics, host: '127.0.0.1', port: server.address()!.port });
    try {
      await clash.start();
      assert.unreachable('second listener started');
    } catch (err) {
      assert.is((err as Error).name, 'ListenError');
      assert.match((err as Error).message, /already in use/);
    }
  } finally {
    await server.stop();
  }
  await server.stop();
});

test('the event-loop delay is sampled once a second, not every 10 ms: an idle relay must not wake 100 times a second', () => {
  // prom-client's default metrics sample it with perf_hooks.monitorEventLoopDelay (a timer inside Node).
  const asked: Array<number | undefined> = [];
  const real = perfHooks.monitorEventLoopDelay;
  perfHooks.monitorEventLoopDelay = (options) => {
    asked.push(options?.resolution);
    return real(options);
  };
  try {
    createMetrics();
  } finally {
    perfHooks.monitorEventLoopDelay = real;
  }
  assert.equal(asked, [EVENT_LOOP_SAMPLE_MS]);
  assert.ok(EVENT_LOOP_SAMPLE_MS >= 1000);
});

test.run();
