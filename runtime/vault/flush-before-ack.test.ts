/**
 * Flushed before acknowledged, observed in the system calls. durability.test.ts kills the writer with SIGKILL, which
 * leaves the page cache intact: it proves "committed before acknowledged" only. Here the writer runs under strace,
 * each fdatasync held 30 ms before it runs, and every `ack <id>` it prints must come after the flush of the commit
 * that wrote the id (runtime/storage/testing/flush-order.ts says how that commit is found). A vault that resolved
 * an ingest at commit, not at flush, prints its acknowledgements while the held flush is still pending.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFlushBeforeAck } from '../storage/testing/flush-order.js';
import { parseTrace, straceUnavailable, traceArgv, type WriteEvent } from '../storage/testing/syscall-trace.js';

const child = fileURLToPath(new URL('./testing/flush-child.ts', import.meta.url));

const ACK = /^ack ([0-9a-f]{64})$/gm;
/** The child's `ack <id>` lines, written to its stdout (a pipe). */
function acknowledged(w: WriteEvent): string[] {
  if (w.fd !== 1) return [];
  return [...w.bytes.toString('latin1').matchAll(ACK)].map((m) => m[1]!);
}

test('every ingest is acknowledged only after the commit that stored it was flushed (fdatasync)', () => {
  const unavailable = straceUnavailable();
  if (unavailable) throw new Error(`this test watches the vault's system calls: ${unavailable}`);
  const dir = mkdtempSync(join(tmpdir(), 'vault-flush-'));
  try {
    const out = join(dir, 'trace.txt');
    const argv = traceArgv([process.execPath, '--import', 'tsx', child, join(dir, 'vault'), '8', '4'], out, { flushDelayUs: 30_000 });
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
    assert.is(r.status, 0, `child failed (${r.status ?? r.signal}):\n${r.stderr.slice(-3000)}`);
    const printed = [...r.stdout.matchAll(ACK)].length;
    assert.is(printed, 8 + 4 * 16);
    const report = checkFlushBeforeAck(parseTrace(readFileSync(out, 'utf8')), { dataFile: join(dir, 'vault', 'data.mdb'), acknowledged });
    assert.is(report.acks, printed, 'every printed acknowledgement is in the trace');
    assert.equal(report.violations, [], 'acknowledged before flushed');
    assert.ok(report.flushes > 0 && report.commits > 0, `${report.commits} commits, ${report.flushes} flushes traced`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
