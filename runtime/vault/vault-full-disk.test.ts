/**
 * A full disk under the vault (issue 11 item 3), in a child process whose file-size limit (RLIMIT_FSIZE, set with
 * util-linux prlimit) makes the kernel refuse to grow data.mdb, the way a full filesystem does; the limit is lifted
 * later, as space returning. Needs no privileges, so it runs everywhere; the daemon test
 * (runtime/daemon/full-disk.test.ts) fills a real tmpfs when it may mount one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./testing/full-disk-child.ts', import.meta.url));
const LIMIT = 512 * 1024;

test('disk full: sends refused with StoreFullError, nothing acknowledged lost, no unhandled rejection, writes again once space returns', async () => {
  if (spawnSync('prlimit', ['--version']).error) throw new Error('this test needs prlimit (util-linux) to set and lift RLIMIT_FSIZE');
  const dir = mkdtempSync(join(tmpdir(), 'vault-full-'));
  const proc = spawn('prlimit', [`--fsize=${LIMIT}:unlimited`, '--', process.execPath, '--import', 'tsx', child, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr += d; });
  const lines = createInterface({ input: proc.stdout! });
  const queue: Array<Record<string, any>> = [];
  let wake: (() => void) | undefined;
  lines.on('line', (l) => {
    try {
      queue.push(JSON.parse(l));
    } catch {
      return; // the relay's own log lines
    }
    wake?.();
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => { wake?.(); r(code); }));
  const next = async (what: string): Promise<Record<string, any>> => {
    const deadline = Date.now() + 60_000;
    while (queue.length === 0) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`no "${what}" from the child (exit ${proc.exitCode}):\n${stderr.slice(-3000)}`);
      await new Promise<void>((r) => { wake = r; setTimeout(r, 500); });
    }
    const m = queue.shift()!;
    if (m.unhandled || m.error) throw new Error(`child: ${m.unhandled ?? m.error}`);
    return m;
  };
  try {
    const { full } = await next('full');
    assert.ok(full, 'first report is the refusal');
    assert.is(full.name, 'StoreFullError');
    assert.is(full.reason, 'disk');
    assert.ok(full.acked > 20, `only ${full.acked} bundles stored before the limit`);
    assert.is(full.usage.full, 'disk');
    const { whileFull } = await next('whileFull');
    assert.is(whileFull.refused, 'StoreFullError', 'a send while full is refused');
    assert.is(whileFull.deliveredSeen, 'delivered', 'a delivery recorded while full is seen');
    // Space returns: the soft limit is lifted on the running process, no restart.
    const raised = spawnSync('prlimit', ['--pid', String(proc.pid), '--fsize=unlimited:unlimited']);
    assert.is(raised.status, 0, String(raised.stderr));
    proc.stdin!.end('raised\n');
    const { after } = await next('after');
    assert.is(after.storedAfter, true, 'a bundle is taken again without a restart');
    assert.is(after.missing, 0, `${after.missing} of ${after.acked} acknowledged bundles missing after the restart`);
    assert.is(after.delivered, 'delivered', 'the delivery recorded while full reached the disk');
    assert.is(after.traced, true, 'the trace event written while full reached the disk');
    assert.is(after.counts.stored, after.acked);
    assert.is(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 30 s'), 30_000).unref())]), 0);
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('disk full: a vault stopped while its disk is full closes (its last commit failed, lmdb-js would wait for ever)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-full-'));
  try {
    const r = spawnSync('prlimit', [`--fsize=${LIMIT}:unlimited`, '--', process.execPath, '--import', 'tsx', child, dir, 'stop-while-full'], { encoding: 'utf8', timeout: 60_000 });
    const reports = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    assert.ok(reports.find((m) => m.full), `never full (exit ${r.status}): ${r.stderr.slice(-2000)}`);
    const stopped = reports.find((m) => m.stopped);
    assert.ok(stopped, `stop() did not return (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}): ${r.stderr.slice(-2000)}`);
    assert.ok(stopped.stopped.ms < 10_000, `stop took ${stopped.stopped.ms} ms`);
    assert.is(r.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
