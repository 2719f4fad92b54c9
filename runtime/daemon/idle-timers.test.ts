/**
 * An idle relay sleeps (issue 12 item 10): the real Daemon, in process, with the IP bearer, the API, the metrics
 * endpoint and the shard store up and nothing to do (no radios, no discovery, no peers) holds no timer of the
 * runtime shorter than the 30-s heartbeats (IP heartbeat, delivery blooms, shard peer notes). Before: the router's
 * 5-s retry tick, the TCP sweep and each HTTP server's timeout check (1 s) ran forever. The CPU it costs is measured
 * in `npm run bench -- --only idle` (bench/idle.bench.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config/parse-config.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { watchTimers } from '../testing/timer-watch.js';
import { Daemon } from './daemon.js';
import { freePort } from './testing/relay-process.js';

async function withDaemon(metrics: boolean, fn: (d: Daemon) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'idle-daemon-'));
  const config = parseConfig({
    dataDir: dir,
    api: { host: '127.0.0.1', port: await freePort() },
    metrics: metrics ? { host: '127.0.0.1', port: await freePort() } : false,
    ip: { listen: `127.0.0.1:${await freePort()}`, discovery: false },
    sim: false,
    log: { level: 'warn' },
  });
  const d = new Daemon(config);
  await d.start();
  try {
    await fn(d);
  } finally {
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an idle relay holds no runtime timer shorter than 30 s', async () => {
  // Our files (not the test's own waitFor), and Node's HTTP server (its connections-checking interval).
  const timers = watchTimers(/[/\\]runtime[/\\](?!testing[/\\])|node:_http_server/);
  try {
    await withDaemon(true, async (d) => {
      assert.ok(d.metricsServer, 'the metrics endpoint is up');
      await waitFor('no timer under 30 s armed', () => timers.armed({ under: 30_000 }) === 0, 20_000).catch((err: Error) => {
        throw new Error(`${err.message}; armed: ${timers.describe().join(' | ')}`);
      });
      assert.ok(timers.armed() > 0, 'the 30-s heartbeats are armed');
    });
  } finally {
    timers.stop();
  }
});

test('process metrics (and their event-loop sampling) only when the metrics endpoint is on', async () => {
  await withDaemon(true, async (d) => {
    assert.ok(await d.metrics!.read('nodejs_eventloop_lag_seconds'), 'collected for the endpoint');
  });
  await withDaemon(false, async (d) => {
    assert.is(await d.metrics!.read('nodejs_eventloop_lag_seconds'), undefined, 'nobody could read them');
    assert.ok(await d.metrics!.read('lattice_uptime_seconds'), 'the relay still keeps its own');
  });
});

test.run();
