/**
 * The data directory stays locked while a relay waits for its battery (run-powered.ts): the relay is stopped, the
 * process keeps sampling, and a second `lattice run` on the same directory is refused with the DataDirInUseError it
 * gets while the relay is up — it must not start radios on a vault and power state the waiting process owns.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayProcess, eventually } from '../daemon/testing/relay-process.js';

test('a relay waiting for its battery keeps the data directory: a second lattice run is refused naming it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lattice-lowbat-lock-'));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  const config = join(root, 'lattice.yaml');
  // The simulated battery starts at 45 %, far below resumeAbove: the saved shutdown keeps the relay stopped.
  writeFileSync(config, 'power:\n  sensor: ina3221\n  hal: sim\n  policies:\n    resumeAbove: 95\n');
  writeFileSync(join(dataDir, 'power-state.json'), JSON.stringify({
    version: 1, savedAt: Date.now(), stateOfCharge: 45, day: '2000-01-01', energy: { inWh: 0, outWh: 0, panelWh: 0, loadWh: 0 }, shutdown: true,
  }), { mode: 0o600 });
  const waiting = 'battery low: the relay stays stopped';
  const a = new RelayProcess({ dataDir, extraArgs: ['--config', config], ready: (out) => out.includes(waiting) });
  const b = new RelayProcess({ dataDir, extraArgs: ['--config', config], ready: (out) => out.includes(waiting) });
  try {
    await a.start();
    const lock = JSON.parse(readFileSync(join(dataDir, 'lattice.lock'), 'utf8'));
    assert.is(lock.pid, a.child!.pid, 'the waiting relay holds the lock');
    // A first sample was taken (the policies acted on it): a process whose wait let the event loop run empty had
    // exited by now, with code 13.
    await eventually('a first sample', () => a.output.includes('LoRa transmit power lowered'));

    const err = await b.start().then(() => undefined, (e: Error) => e);
    assert.ok(err, `the second relay must not start:\n${b.output.slice(-2000)}`);
    assert.is(b.child!.exitCode, 1);
    const line = b.output.split('\n').find((l) => l.includes('DataDirInUseError'));
    assert.ok(line, `a log line names the error:\n${b.output.slice(-2000)}`);
    const logged = JSON.parse(line!);
    assert.is(logged.pid, a.child!.pid);
    assert.is(logged.startedAt, lock.startedAt);
    assert.not.ok(b.output.includes('power monitor'), 'the refused process opened no power sensor');

    // The first is still waiting, and a clean stop releases the directory.
    assert.is(a.child!.exitCode, null);
    assert.is(await a.stop(), 0);
    assert.not.ok(existsSync(join(dataDir, 'lattice.lock')), 'a clean stop removes the lock');
  } finally {
    await b.kill();
    await a.kill();
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
