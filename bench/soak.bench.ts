/**
 * Soak (issue 11): two `lattice run` processes on loopback, A sending to B over the IP bearer at 50 messages a second
 * (POST /send, ~200-byte texts, DMs to B's node id: A keeps custody until B took them, B keeps them in its inbox),
 * both vaults bounded by `vault.maxBytes`. Sampled from /proc/<pid>/status every few seconds: RssAnon (heap, buffers:
 * a leak shows here) and VmRSS (plus the mapped vault file's pages, which grow with the file until the budget is
 * reached, then must stay flat), with each vault's bytes and data file size from GET /status.
 *
 * Figures are least-squares slopes in MB/h over the steady part: from when that relay's vault reached 90 % of its
 * budget (and at least a fifth into the run; before, the V8 heap and the mapped file are still growing into their
 * working size). The goals (anonymous ≤ 2 MB/h, total flat) are judged on an hour-long run
 * (`--soak-minutes 60`, 64 MiB budgets); the default is a scaled run (5 minutes, 4 MiB budgets; `--quick`:
 * 2 minutes) whose few minutes of steady state make the slopes only indicative (±1 MiB of GC noise over 3 minutes
 * is ±20 MB/h), so its rows carry no pass/fail; each row also gives the change in MiB over the steady state.
 *
 *   npm run bench -- --only soak [--soak-minutes N] [--json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './bench-row.js';
import { freePort } from '../lib/testing/free-port.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'lattice.js');
const RATE = 50;
const MiB = 2 ** 20;

interface Relay {
  name: string;
  child: ChildProcess;
  api: string;
  ipPort: number;
  dataDir: string;
  nodeId: string;
}

async function startRelay(name: string, root: string, maxBytes: number, ipPeers: number[]): Promise<Relay> {
  const dataDir = join(root, name);
  const config = join(root, `${name}.yaml`);
  writeFileSync(config, `vault:\n  maxBytes: ${maxBytes}\n`);
  const [apiPort, ipPort] = [await freePort(), await freePort()];
  const args = [BIN, 'run', '--config', config, '--no-sim', '--no-discovery', '--no-shards', '--data-dir', dataDir,
    '--api', `127.0.0.1:${apiPort}`, '--metrics', 'off', '--ip-listen', `127.0.0.1:${ipPort}`, ...ipPeers.flatMap((p) => ['--ip-peer', `127.0.0.1:${p}`])];
  // Logs go nowhere: at the default level every message is a line, which a pipe left unread would stall.
  const child = spawn(process.execPath, args, { env: { ...process.env, NODE_OPTIONS: '' }, stdio: 'ignore' });
  const api = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relay ${name} exited with ${child.exitCode}`);
    try {
      const s = (await (await fetch(`${api}/status`, { signal: AbortSignal.timeout(2000) })).json()) as { nodeId: string };
      return { name, child, api, ipPort, dataDir, nodeId: s.nodeId };
    } catch {
      if (Date.now() > deadline) throw new Error(`relay ${name} did not serve its API within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function stopRelay(r: Relay): Promise<void> {
  if (r.child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => r.child.kill('SIGKILL'), 15_000);
    r.child.once('exit', () => { clearTimeout(t); resolve(); });
    r.child.kill('SIGINT');
  });
}

interface Sample {
  t: number;
  rssAnon: number;
  rss: number;
  usedBytes: number;
  fileBytes: number;
  stored: number;
  inbox: number;
}

function procStatus(pid: number): { rssAnon: number; rss: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { rssAnon: kb('RssAnon'), rss: kb('VmRSS') };
}

async function sample(r: Relay, t: number): Promise<Sample> {
  const s = (await (await fetch(`${r.api}/status`, { signal: AbortSignal.timeout(5000) })).json()) as { stored: number; inbox: number; vault: { usedBytes: number; fileBytes: number } };
  return { t, ...procStatus(r.child.pid!), usedBytes: s.vault.usedBytes, fileBytes: statSync(join(r.dataDir, 'vault', 'data.mdb')).size, stored: s.stored, inbox: s.inbox };
}

/** Least-squares slope of `y` over time, in MB (10^6 B) per hour. */
function slopeMBh(points: Sample[], y: (s: Sample) => number): number {
  if (points.length < 3) return NaN;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + y(p), 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mx) * (y(p) - my);
    den += (p.t - mx) ** 2;
  }
  return ((num / den) * 3_600_000) / 1e6;
}

function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function benchSoak(options: { quick?: boolean; args?: readonly string[] } = {}): Promise<BenchRow[]> {
  const minutes = Number(argValue(options.args ?? [], '--soak-minutes') ?? (options.quick ? 2 : 5));
  if (!(minutes > 0)) throw new RangeError('--soak-minutes takes a positive number');
  // 64 MiB for runs of half an hour or more (reached after ~12 min by the sender, ~22 min by the receiver, which
  // keeps less per message); scaled runs get 0.8 MiB a minute, at least 4 MiB, so both reach it within a third.
  const maxBytes = (minutes >= 30 ? 64 : Math.max(4, Math.round(minutes * 0.8))) * MiB;
  const durationMs = minutes * 60_000;
  const sampleMs = Math.max(2_000, Math.min(15_000, durationMs / 200));
  const root = mkdtempSync(join(tmpdir(), 'bench-soak-'));
  const load0 = loadavg()[0]!;
  let a: Relay | undefined;
  let b: Relay | undefined;
  try {
    b = await startRelay('b', root, maxBytes, []);
    a = await startRelay('a', root, maxBytes, [b.ipPort]);
    const samples: Record<'a' | 'b', Sample[]> = { a: [], b: [] };
    const sent = { acked: 0, refused: 0, failed: 0, inFlight: 0, skipped: 0 };
    const start = Date.now();
    const body = (i: number) => JSON.stringify({ to: b!.nodeId, text: `soak ${i} `.padEnd(200, 'lorem ipsum dolor sit amet ') });
    let i = 0;
    const sender = setInterval(() => {
      // Paced at RATE per second from the start time (a late timer sends the backlog), at most 200 in flight.
      const due = Math.floor(((Date.now() - start) * RATE) / 1000);
      while (i < due) {
        if (sent.inFlight >= 200) {
          sent.skipped += due - i;
          i = due;
          break;
        }
        sent.inFlight++;
        fetch(`${a!.api}/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i++), signal: AbortSignal.timeout(30_000) })
          .then(async (r) => {
            await r.arrayBuffer();
            if (r.status === 202) sent.acked++;
            else if (r.status === 507) sent.refused++;
            else sent.failed++;
          }, () => { sent.failed++; })
          .finally(() => { sent.inFlight--; });
      }
    }, 20);
    while (Date.now() - start < durationMs) {
      await new Promise((r) => setTimeout(r, sampleMs));
      const t = Date.now() - start;
      samples.a.push(await sample(a, t));
      samples.b.push(await sample(b, t));
      if (process.env.LATTICE_BENCH_SOAK_PROGRESS) {
        const [sa, sb] = [samples.a.at(-1)!, samples.b.at(-1)!];
        process.stderr.write(`soak ${(t / 60_000).toFixed(1)} min: A anon ${(sa.rssAnon / MiB).toFixed(1)} rss ${(sa.rss / MiB).toFixed(1)} vault ${(sa.usedBytes / MiB).toFixed(1)}/${(sa.fileBytes / MiB).toFixed(1)} MiB; B anon ${(sb.rssAnon / MiB).toFixed(1)} rss ${(sb.rss / MiB).toFixed(1)} vault ${(sb.usedBytes / MiB).toFixed(1)}/${(sb.fileBytes / MiB).toFixed(1)} MiB; acked ${sent.acked} refused ${sent.refused} failed ${sent.failed}\n`);
      }
    }
    clearInterval(sender);
    while (sent.inFlight > 0) await new Promise((r) => setTimeout(r, 50));
    // Delivered bundles are evicted under the budget, so what is left to count is what is not delivered yet.
    const queued = ((await (await fetch(`${a.api}/status`)).json()) as { outbox: { queued: number } }).outbox.queued;
    const note = `${minutes} min at ${RATE} msgs/s, vault.maxBytes ${maxBytes / MiB} MiB each, samples every ${sampleMs / 1000} s; load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs; no heap flags`;
    const rows: BenchRow[] = [];
    for (const name of ['a', 'b'] as const) {
      const s = samples[name];
      const who = name === 'a' ? 'sender A' : 'receiver B';
      const full = s.findIndex((p) => p.usedBytes >= maxBytes * 0.9);
      const steady = full < 0 ? [] : s.filter((p, k) => k >= full && p.t >= durationMs / 5);
      const anon = slopeMBh(steady, (p) => p.rssAnon);
      const total = slopeMBh(steady, (p) => p.rss);
      const file = slopeMBh(steady, (p) => p.fileBytes);
      const last = s.at(-1)!;
      const judged = minutes >= 30;
      const min = (t: number | undefined) => (t === undefined ? '?' : (t / 60_000).toFixed(1));
      // First and last three samples averaged: one GC cycle more or less at either end moves a single sample ±1 MiB.
      const change = (y: (p: Sample) => number) => {
        if (steady.length < 6) return '';
        const avg = (ps: Sample[]) => ps.reduce((a, p) => a + y(p), 0) / ps.length;
        const d = (avg(steady.slice(-3)) - avg(steady.slice(0, 3))) / MiB;
        return ` (${d >= 0 ? '+' : ''}${d.toFixed(1)} MiB over ${min(steady.at(-1)!.t - steady[0]!.t)} min)`;
      };
      const at = full < 0 ? 'the budget was never reached' : `steady from ${min(steady[0]?.t)} min (budget reached at ${min(s[full]!.t)} min)`;
      rows.push(
        { name: `${who}: anonymous RSS growth, steady state${change((p) => p.rssAnon)}`, value: anon, unit: 'MB/h', goal: '≤ 2 MB/h (hour-long run)', ...(judged ? { pass: anon <= 2 } : {}), note: `${at}; ${note}` },
        { name: `${who}: total RSS growth, steady state (vault at its budget)${change((p) => p.rss)}`, value: total, unit: 'MB/h', goal: 'flat (≤ 2 MB/h, hour-long run)', ...(judged ? { pass: total <= 2 } : {}), note: `${at}; ${note}` },
        { name: `${who}: vault data file growth, steady state${change((p) => p.fileBytes)}`, value: file, unit: 'MB/h', goal: 'flat', ...(judged ? { pass: file <= 2 } : {}), note },
        { name: `${who}: RSS at the end (anonymous ${(last.rssAnon / MiB).toFixed(1)} MiB; at the start of the steady state ${((steady[0]?.rss ?? NaN) / MiB).toFixed(1)} MiB)`, value: last.rss / MiB, unit: 'MiB' },
        { name: `${who}: vault at the end, pages in use (data file ${(last.fileBytes / MiB).toFixed(1)} MiB)`, value: last.usedBytes / MiB, unit: 'MiB', baseline: maxBytes / MiB, baselineName: 'budget' },
      );
    }
    rows.push(
      { name: 'messages acknowledged (202)', value: sent.acked, unit: 'msgs', baseline: i, baselineName: 'sent' },
      { name: 'messages refused (507 StoreFullError) or failed', value: sent.refused + sent.failed + sent.skipped, unit: 'msgs', goal: '0: delivered bundles make room', pass: sent.refused + sent.failed + sent.skipped === 0 },
      { name: "A's outbox still queued at the end (B has the rest)", value: queued, unit: 'bundles', goal: '≤ 2 s of traffic', pass: queued <= 2 * RATE },
    );
    return rows;
  } finally {
    if (a) await stopRelay(a);
    if (b) await stopRelay(b);
    rmSync(root, { recursive: true, force: true });
  }
}
