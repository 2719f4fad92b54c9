/**
 * One writer per data directory, with real `lattice run` processes: a second relay on the same data directory is
 * refused at start with DataDirInUseError naming the first (pid, start time) and the first keeps running; after the
 * first is SIGKILLed (a crash, a power cut) its stale lock is taken over by the next start.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayProcess } from './testing/relay-process.js';

let root = '';
const relays: RelayProcess[] = [];

test.before(() => {
  root = mkdtempSync(join(tmpdir(), 'lattice-dirlock-'));
});

test.after(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  if (process.env.LATTICE_KEEP_TMP === undefined) rmSync(root, { recursive: true, force: true });
});

const relay = (dataDir: string) => {
  const r = new RelayProcess({ dataDir });
  relays.push(r);
  return r;
};

test('a second lattice run on the same data directory is refused naming the first; a killed relay\'s lock is taken over', async () => {
  const dataDir = join(root, 'relay');
  const a = relay(dataDir);
  await a.start();
  const lock = JSON.parse(readFileSync(join(dataDir, 'lattice.lock'), 'utf8'));
  assert.is(lock.pid, a.child!.pid);

  const b = relay(dataDir);
  const err = await b.start().then(() => undefined, (e: Error) => e);
  assert.ok(err, 'the second relay must not start');
  assert.is(b.child!.exitCode, 1);
  const line = b.output.split('\n').find((l) => l.includes('DataDirInUseError'));
  assert.ok(line, `a log line names the error:\n${b.output.slice(-2000)}`);
  const logged = JSON.parse(line!);
  assert.is(logged.pid, a.child!.pid);
  assert.is(logged.startedAt, lock.startedAt);
  assert.match(logged.msg ?? logged.message ?? line!, String(a.child!.pid));
  // The first relay is untouched.
  assert.is((await a.get('/status')).nodeId, a.nodeId);

  await a.kill();
  const c = relay(dataDir);
  await c.start();
  assert.is(c.nodeId, a.nodeId, 'same data directory, same identity');
  assert.ok(c.output.includes('took over the data directory lock'), c.output.slice(-2000));
  assert.is(JSON.parse(readFileSync(join(dataDir, 'lattice.lock'), 'utf8')).pid, c.child!.pid);
  assert.is(await c.stop(), 0);
  assert.throws(() => readFileSync(join(dataDir, 'lattice.lock')), 'a clean stop removes the lock');
});

test.run();
