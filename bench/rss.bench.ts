/**
 * Memory of `lattice run` (issue 2): VmRSS of the real CLI process, idle, once it logged "relay running" and
 * settled, read from /proc/<pid>/status.
 *
 * - idle, empty vault, `--no-sim --no-discovery` (the IP bearer and the API up, nothing else), with and without the
 *   image's heap flags (images/Dockerfile.template: --max-old-space-size=64 --max-semi-space-size=1);
 * - the same over a vault holding N stored bundles (1,000,000; 100,000 with --quick), prefilled with the Vault API;
 * - baseline, same run: an idle bare `node` process (the floor any Node program pays: ~33-40 MiB of mapped binary).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './bench-row.js';
import { freePort } from '../lib/testing/free-port.js';
import { generateIdentity } from '../runtime/identity/identity.js';
import { createBundle } from '../runtime/bundle/create-bundle.js';
import { encodeBundle } from '../runtime/bundle/bundle-codec.js';
import { Vault } from '../runtime/vault/vault.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'lattice.js');
const HEAP_FLAGS = '--max-old-space-size=64 --max-semi-space-size=1';
const SETTLE_MS = 4000;

function vmRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** Starts a command, waits for `ready` on its output (or a fixed time when none), settles, reads VmRSS, stops it. */
async function measure(args: string[], env: NodeJS.ProcessEnv, ready?: RegExp): Promise<number> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${ready}" within 60 s: ${out.slice(-800)}`)), 60_000);
      const check = (d: Buffer) => {
        out += d.toString();
        if (ready?.test(out)) { clearTimeout(timer); resolve(); }
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}: ${out.slice(-800)}`)); });
      if (!ready) { clearTimeout(timer); resolve(); }
    });
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return vmRssMiB(child.pid!);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function runLattice(dataDir: string, heapFlags: boolean): Promise<number> {
  const port = await freePort();
  const env = { ...process.env, NODE_OPTIONS: heapFlags ? HEAP_FLAGS : '' };
  return measure([BIN, 'run', '--no-sim', '--no-discovery', '--data-dir', dataDir, '--api', `127.0.0.1:${port}`, '--metrics', 'off'], env, /relay running/);
}

async function prefill(dataDir: string, n: number): Promise<void> {
  const senders = Array.from({ length: 8 }, () => generateIdentity());
  const now = Date.now();
  const sample = Array.from({ length: 1000 }, (_, i) => encodeBundle(createBundle(senders[i % 8]!, { recipient: null, text: `stored message ${i} with a typical short text body`, sentAt: now, lifetimeMs: 7 * 86_400_000 })));
  const v = new Vault({ path: join(dataDir, 'vault'), sweepIntervalMs: 0 });
  await v.start();
  const chunk = 20_000;
  for (let i = 0; i < n; i += chunk) {
    const ps: Promise<unknown>[] = [];
    // Stored and done with: inbox copies of broadcasts, and relayed bundles whose outbox rows were delivered.
    for (let j = i; j < Math.min(n, i + chunk); j++) ps.push(v.ingest({ id: randomBytes(32), bytes: sample[j % sample.length]!, receivedAt: now, expiresAt: now + 7 * 86_400_000, inbox: j % 4 === 0, targets: [] }));
    await Promise.all(ps);
  }
  // The row claims n stored bundles: check the vault holds them before measuring.
  const stored = v.counts().stored;
  await v.stop();
  if (stored !== n) throw new Error(`prefill stored ${stored} bundles, expected ${n}`);
}

export async function benchRss(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  try {
    const bare = await measure(['-e', 'setInterval(() => {}, 1000)'], { ...process.env, NODE_OPTIONS: '' });
    const idle = await runLattice(join(dir, 'empty'), false);
    const idleFlags = await runLattice(join(dir, 'empty-flags'), true);
    const again = await runLattice(join(dir, 'empty-flags'), true);
    const n = options.quick ? 100_000 : 1_000_000;
    await prefill(join(dir, 'full'), n);
    const full = await runLattice(join(dir, 'full'), true);
    const note = `settled ${SETTLE_MS / 1000} s after "relay running"; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`;
    const base = { baseline: bare, baselineName: 'idle bare node process', note };
    return [
      { name: 'idle lattice run --no-sim, empty vault, no heap flags', value: idle, unit: 'MiB', ...base, goal: '≤ 60 MB', pass: idle * 2 ** 20 <= 60e6 },
      { name: "idle lattice run --no-sim, empty vault, the image's heap flags", value: idleFlags, unit: 'MiB', ...base, goal: '≤ 60 MB', pass: idleFlags * 2 ** 20 <= 60e6 },
      { name: "the same, second start on that data dir (dedupe snapshot loaded)", value: again, unit: 'MiB', ...base, goal: '≤ 60 MB', pass: again * 2 ** 20 <= 60e6 },
      { name: `idle lattice run --no-sim, ${n.toLocaleString('en-US')} stored bundles, heap flags`, value: full, unit: 'MiB', ...base, goal: '≤ 100 MB', pass: full * 2 ** 20 <= 100e6 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
