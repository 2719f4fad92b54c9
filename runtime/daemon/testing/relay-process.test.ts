/**
 * The multi-process test harness itself: a relay that does not come up is not left running (it kept the test
 * process alive until the runner's 300 s timeout), and the ports it hands out within one process are distinct (two
 * relays of one test were given the same port and the second failed with EADDRINUSE).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, RelayProcess } from './relay-process.js';

test('freePort never hands out the same port twice in one process (ports not yet bound by their relay)', async () => {
  const ports: number[] = [];
  for (let i = 0; i < 1000; i++) ports.push(await freePort());
  assert.is(new Set(ports).size, ports.length);
});

test('a relay that does not serve its API in time is killed, and start says so at once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'relay-process-'));
  try {
    // A process that never serves the API (stands for a relay stuck in its start).
    const r = new RelayProcess({ dataDir: dir, startTimeoutMs: 1_000, wrap: () => [process.execPath, '-e', 'setInterval(() => {}, 1000)'] });
    const t0 = Date.now();
    const err = await r.start().then(() => undefined, (e: Error) => e);
    assert.ok(err, 'start rejected');
    assert.match(err!.message, /did not serve its API within 1 s/);
    assert.ok(Date.now() - t0 < 10_000, 'failed fast');
    const c = r.child!;
    assert.ok(c.exitCode !== null || c.signalCode !== null, 'the child is gone, not left running');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
