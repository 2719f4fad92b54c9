/**
 * Flushed before acknowledged, for the whole relay: `lattice run` runs under strace with every fdatasync held 30 ms
 * before it runs, and each `202 { bundleId }` the API writes to its client must come after the flush of the vault
 * commit that stored that bundle (runtime/storage/testing/flush-order.ts). power-cut.test.ts kills the relay with
 * SIGKILL, which keeps the page cache: it proves every acknowledged bundle was committed; this proves it was on disk.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity } from '../identity/identity.js';
import { checkFlushBeforeAck } from '../storage/testing/flush-order.js';
import { parseTrace, straceUnavailable, traceArgv, type WriteEvent } from '../storage/testing/syscall-trace.js';
import { RelayProcess } from './testing/relay-process.js';

const ACCEPTED = /HTTP\/1\.1 202 /;
const BUNDLE_ID = /"bundleId":"([0-9a-f]{64})"/g;
/** An API answer 202 with the bundle id, written to a client's socket. */
function acknowledged(w: WriteEvent): string[] {
  if (!w.target.startsWith('socket:')) return [];
  const text = w.bytes.toString('latin1');
  return ACCEPTED.test(text) ? [...text.matchAll(BUNDLE_ID)].map((m) => m[1]!) : [];
}

/** The process strace started (its only child). */
function tracee(stracePid: number): number {
  const children = readFileSync(`/proc/${stracePid}/task/${stracePid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  if (children.length !== 1 || !children[0]) throw new Error(`strace ${stracePid} has children [${children}]`);
  return children[0];
}

test('every POST /send is answered 202 only after the vault commit holding its bundle was flushed', async () => {
  const unavailable = straceUnavailable();
  if (unavailable) throw new Error(`this test watches the relay's system calls: ${unavailable}`);
  const root = mkdtempSync(join(tmpdir(), 'lattice-flush-'));
  const out = join(root, 'trace.txt');
  const relay = new RelayProcess({ dataDir: join(root, 'a'), wrap: (argv) => traceArgv(argv, out, { flushDelayUs: 30_000 }) });
  const to = generateIdentity().nodeIdHex; // nobody this relay can reach: each bundle stays queued
  const ids: string[] = [];
  try {
    await relay.start();
    for (let i = 0; i < 6; i++) ids.push(await relay.send(to, `one at a time ${i}`));
    for (let b = 0; b < 3; b++) ids.push(...(await Promise.all(Array.from({ length: 6 }, (_, i) => relay.send(to, `batch ${b} msg ${i}`)))));
    // Stop the relay itself (strace passes no signal on); strace ends when it does, with the trace complete.
    const exited = new Promise<void>((resolve) => relay.child!.once('exit', () => resolve()));
    process.kill(tracee(relay.child!.pid!), 'SIGINT');
    await exited;
    const report = checkFlushBeforeAck(parseTrace(readFileSync(out, 'utf8')), { dataFile: join(root, 'a', 'vault', 'data.mdb'), acknowledged });
    assert.is(report.acks, ids.length, 'every 202 is in the trace');
    assert.equal(report.violations, [], 'answered 202 before flushed');
    assert.ok(report.flushes > 0 && report.commits > 0, `${report.commits} commits, ${report.flushes} flushes traced`);
  } finally {
    await relay.kill();
    if (process.env.LATTICE_KEEP_TMP === undefined) rmSync(root, { recursive: true, force: true });
  }
});

test.run();
