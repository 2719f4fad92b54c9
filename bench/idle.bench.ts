/**
 * Idle cost of `lattice run` (issue 12 item 10): the CPU an idle relay uses, as a % of one core, over a window
 * starting a minute after it logged "relay running" (past start-up and the heap-shrinking GCs V8 runs in the first
 * tens of seconds once a process goes quiet, ~30-45 ms of CPU once); on a Pi Zero 2 W running on a battery each 0.1 % here is several times
 * that there. CPU is the sum over the process's threads of /proc/<pid>/task/<tid>/schedstat (ns on the CPU; the
 * ticks of /proc/<pid>/stat, 10 ms each, are given in the note); wake-ups are the main thread's voluntary context
 * switches (each sleep in epoll_wait that ended is one).
 *
 * - idle, `--no-sim --no-discovery`, the metrics endpoint on (the default) and off: the IP bearer, the API, the
 *   shard store, nothing to do;
 * - idle with discovery on: the IP bearer listens on 127.0.0.1 so its broadcasts stay on this machine (a LAN
 *   broadcast would leave it), so this row has the heartbeat timer but no LAN traffic;
 * - baseline, same run, same window: a bare `node` process waking once a second (setInterval 1 s), the least a
 *   program with a 1-s timer costs; references: a bare `node` that never wakes, and one sampling the event-loop delay
 *   every 10 ms as prom-client's default metrics did before (nearly all of the idle relay's CPU then).
 *
 * All processes run side by side over one window (`--quick`: 30 s, else 60 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './bench-row.js';
import { freePort } from '../runtime/daemon/testing/relay-process.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'lattice.js');
const WARMUP_MS = 60_000;
const GOAL_PERCENT = 0.1;

interface Cpu {
  ns: number;
  ticks: number;
  wakeups: number;
}

function readCpu(pid: number): Cpu {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  // Fields after the command name (which may hold spaces): utime and stime are the 14th and 15th of the whole line.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  const m = /voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'));
  return { ns, ticks, wakeups: Number(m?.[1] ?? NaN) };
}

interface Subject {
  name: string;
  child: ChildProcess;
  ready: Promise<void>;
  before?: Cpu;
  after?: Cpu;
}

function start(name: string, args: string[], ready?: RegExp): Subject {
  const child = spawn(process.execPath, args, { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const readyP = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no "${ready}" within 60 s: ${out.slice(-800)}`)), 60_000);
    const check = (d: Buffer) => {
      if (out.length < 64_000) out += d.toString();
      if (ready?.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited ${code}: ${out.slice(-800)}`));
    });
    if (!ready) {
      clearTimeout(timer);
      resolve();
    }
  });
  readyP.catch(() => undefined);
  return { name, child, ready: readyP };
}

async function lattice(name: string, dataDir: string, extra: string[]): Promise<Subject> {
  const api = await freePort();
  const ip = await freePort();
  return start(name, [BIN, 'run', '--no-sim', '--data-dir', dataDir, '--api', `127.0.0.1:${api}`, '--ip-listen', `127.0.0.1:${ip}`, ...extra], /relay running/);
}

async function stopAll(subjects: Subject[]): Promise<void> {
  await Promise.all(subjects.map((s) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return undefined;
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGTERM');
    return exited;
  }));
}

export async function benchIdle(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const windowMs = options.quick ? 30_000 : 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-idle-'));
  const subjects: Subject[] = [];
  try {
    const floor = start('bare node, 1 s timer', ['-e', 'setInterval(() => {}, 1000)']);
    const asleep = start('bare node, asleep', ['-e', 'setInterval(() => {}, 1e9)']);
    const eld = start('bare node, event-loop delay sampled every 10 ms', ['-e', "require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 }).enable(); setInterval(() => {}, 1e9)"]);
    subjects.push(floor, asleep, eld);
    const metricsPort = await freePort();
    const idle = await lattice('idle, metrics on', join(dir, 'a'), ['--no-discovery', '--metrics', `127.0.0.1:${metricsPort}`]);
    subjects.push(idle);
    const noMetrics = await lattice('idle, metrics off', join(dir, 'b'), ['--no-discovery', '--metrics', 'off']);
    subjects.push(noMetrics);
    const discovery = await lattice('idle, discovery on', join(dir, 'c'), ['--metrics', 'off']);
    subjects.push(discovery);
    await Promise.all(subjects.map((s) => s.ready));
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    const load0 = loadavg()[0]!;
    for (const s of subjects) s.before = readCpu(s.child.pid!);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, windowMs));
    for (const s of subjects) s.after = readCpu(s.child.pid!);
    const seconds = (performance.now() - t0) / 1000;
    const load1 = loadavg()[0]!;

    const pct = (s: Subject) => ((s.after!.ns - s.before!.ns) / 1e9 / seconds) * 100;
    const ticks = (s: Subject) => s.after!.ticks - s.before!.ticks;
    const wakeups = (s: Subject) => (s.after!.wakeups - s.before!.wakeups) / seconds;
    const note = (s: Subject) => `${ticks(s)} CPU ticks and ${wakeups(s).toFixed(1)} main-thread wake-ups/s in ${seconds.toFixed(0)} s, ${WARMUP_MS / 1000} s after start; load average ${load0.toFixed(1)} → ${load1.toFixed(1)} on ${cpus().length} CPUs`;
    const base = { baseline: pct(floor), baselineName: 'bare node waking once a second' };
    const row = (s: Subject, name: string, goal: boolean): BenchRow => ({
      name, value: pct(s), unit: '% of a core', ...base, note: note(s),
      ...(goal ? { goal: `≤ ${GOAL_PERCENT} %`, pass: pct(s) <= GOAL_PERCENT } : {}),
    });
    return [
      row(idle, 'idle lattice run --no-sim --no-discovery (metrics endpoint on, the default)', true),
      { name: 'the same: main-thread wake-ups', value: wakeups(idle), unit: '/s', baseline: wakeups(floor), baselineName: 'bare node waking once a second', note: note(idle) },
      row(noMetrics, 'idle lattice run --no-sim --no-discovery --metrics off', true),
      row(discovery, 'idle lattice run --no-sim --metrics off, discovery on (loopback listen)', true),
      row(asleep, 'reference: bare node that never wakes', false),
      row(eld, "reference: bare node sampling the event-loop delay every 10 ms (prom-client's default)", false),
    ];
  } finally {
    await stopAll(subjects);
    rmSync(dir, { recursive: true, force: true });
  }
}
