/**
 * Shard store benchmarks (issue 8):
 * - RS(3,2) encode and reconstruct (2 lost data shards) throughput, MB/s of file data, for 4 KB and 1 MB shards,
 *   pure TypeScript (runtime/shards/reed-solomon.ts) against @ronomon/reed-solomon (native C, threadpool, one call
 *   in flight) in the same run. Different codes (ronomon uses a Cauchy bit-matrix; ours the Backblaze GF(2^8)
 *   matrix), same work: k x shard bytes in, m x shard bytes out.
 * - Peak RSS (VmHWM) of one relay process while it puts, then gets, a 100 MB file with four other relay processes on
 *   loopback TCP (runtime/shards/testing/shard-relay-process.ts); HWM is reset between the two via clear_refs.
 * - Bytes on disk per byte stored across the five relays (slab slots and LMDB pages in use, and the sizes of their
 *   data.mdb and shards.slab files).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './bench-row.js';
import { ReedSolomon } from '../runtime/shards/reed-solomon.js';

const K = 3, M = 2;

function timeIt(fn: () => void, minMs: number): number {
  const warm = performance.now();
  while (performance.now() - warm < Math.min(200, minMs / 3)) fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) { fn(); n++; }
  return (performance.now() - t0) / n;
}

async function timeItAsync(fn: () => Promise<void>, minMs: number): Promise<number> {
  const warm = performance.now();
  while (performance.now() - warm < Math.min(200, minMs / 3)) await fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) { await fn(); n++; }
  return (performance.now() - t0) / n;
}

interface Ronomon {
  create(k: number, m: number): unknown;
  encode(ctx: unknown, sources: number, targets: number, buf: Buffer, bo: number, bs: number, par: Buffer, po: number, ps: number, cb: (err?: Error) => void): void;
}

function loadRonomon(): Ronomon | string {
  try {
    return createRequire(import.meta.url)('@ronomon/reed-solomon') as Ronomon;
  } catch (err) {
    return `@ronomon/reed-solomon did not load (${String(err).split('\n')[0]}); it is no longer a devDependency (its node-gyp build fails on Node 20, which broke \`npm ci\` on npm 10): \`npm install --no-save @ronomon/reed-solomon\` to compare`;
  }
}

export async function benchReedSolomon(opts: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const minMs = opts.quick ? 300 : 1500;
  const rows: BenchRow[] = [];
  const rs = new ReedSolomon(K, M);
  const ron = loadRonomon();
  for (const [label, size] of [['4 KB', 4096], ['1 MB', 2 ** 20]] as const) {
    const ab = new ArrayBuffer((K + M) * size);
    const shards = Array.from({ length: K + M }, (_, i) => new Uint8Array(ab, i * size, size));
    for (let i = 0; i < K; i++) shards[i]!.set(randomBytes(size));
    const mb = (ms: number) => (K * size) / (ms / 1000) / 1e6;
    const enc = mb(timeIt(() => rs.encode(shards), minMs));
    const original = shards.map((s) => Uint8Array.from(s));
    const present = [false, false, true, true, true];
    const rec = mb(timeIt(() => rs.reconstruct(shards, present, size, { dataOnly: true }), minMs));
    for (let i = 0; i < K; i++) if (!Buffer.from(shards[i]!).equals(Buffer.from(original[i]!))) throw new Error('reconstruct produced wrong data');
    let ronEnc: number | undefined, ronRec: number | undefined;
    if (typeof ron !== 'string') {
      const ctx = ron.create(K, M);
      const buf = Buffer.from(ab, 0, K * size);
      const par = Buffer.from(ab, K * size, M * size);
      const call = (sources: number, targets: number) => new Promise<void>((res, rej) => ron.encode(ctx, sources, targets, buf, 0, K * size, par, 0, M * size, (e) => (e ? rej(e) : res())));
      ronEnc = mb(await timeItAsync(() => call(0b00111, 0b11000), minMs));
      ronRec = mb(await timeItAsync(() => call(0b11100, 0b00011), minMs));
    }
    const note = typeof ron === 'string' ? ron : undefined;
    rows.push({ name: `RS(3,2) encode, ${label} shards`, value: enc, unit: 'MB/s', ...(ronEnc ? { baseline: ronEnc, baselineName: '@ronomon native' } : {}), ...(label === '4 KB' ? { goal: '>= 300 MB/s', pass: enc >= 300 } : {}), ...(note ? { note } : {}) });
    rows.push({ name: `RS(3,2) reconstruct 2 lost data shards, ${label}`, value: rec, unit: 'MB/s', ...(ronRec ? { baseline: ronRec, baselineName: '@ronomon native' } : {}), ...(note ? { note } : {}) });
  }
  return rows;
}

// ---- 100 MB put/get with five relay processes ------------------------------------------------------------------------

const here = fileURLToPath(new URL('.', import.meta.url));
const fromSource = import.meta.url.endsWith('.ts');
const RELAY = join(here, '..', 'runtime', 'shards', 'testing', `shard-relay-process.${fromSource ? 'ts' : 'js'}`);

class Relay {
  private seq = 0;
  private readonly waiting = new Map<number, (m: { ok: boolean; value?: unknown; error?: string }) => void>();
  port = 0;
  readonly ready: Promise<void>;
  constructor(readonly id: string, readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${id} exited (${code})`)));
      child.on('message', (m: { ready?: boolean; port?: number; seq?: number; ok: boolean; value?: unknown; error?: string }) => {
        if (m.ready) { this.port = m.port!; resolve(); return; }
        this.waiting.get(m.seq!)?.(m);
        this.waiting.delete(m.seq!);
      });
    });
    this.ready.catch(() => {});
  }
  call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(seq, (m) => (m.ok ? resolve(m.value as T) : reject(new Error(m.error))));
      this.child.send({ seq, cmd, ...args });
    });
  }
}

async function vm(pid: number, field: 'VmHWM' | 'VmRSS' | 'RssAnon' | 'RssFile'): Promise<number> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(s)![1]) * 1024;
}

/** Runs `op` while sampling the process's anonymous and file-backed RSS every 20 ms; VmHWM is reset first. */
async function measured<T>(pid: number, op: () => Promise<T>): Promise<{ value: T; hwm: number; anon: number; file: number; ms: number }> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
  let anon = 0, file = 0;
  const sample = async () => {
    anon = Math.max(anon, await vm(pid, 'RssAnon'));
    file = Math.max(file, await vm(pid, 'RssFile'));
  };
  const timer = setInterval(() => void sample().catch(() => {}), 20);
  const t0 = performance.now();
  try {
    const value = await op();
    const ms = performance.now() - t0;
    await sample();
    return { value, hwm: await vm(pid, 'VmHWM'), anon, file, ms };
  } finally {
    clearInterval(timer);
  }
}

async function writeRandomFile(path: string, size: number): Promise<void> {
  const fh = await open(path, 'w');
  try {
    for (let at = 0; at < size; at += 2 ** 20) await fh.write(randomBytes(Math.min(2 ** 20, size - at)));
  } finally {
    await fh.close();
  }
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [fa, fb] = [await open(a), await open(b)];
  try {
    const ba = Buffer.alloc(2 ** 20), bb = Buffer.alloc(2 ** 20);
    for (;;) {
      const [ra, rb] = [await fa.read(ba, 0, ba.length), await fb.read(bb, 0, bb.length)];
      if (ra.bytesRead !== rb.bytesRead || !ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
      if (ra.bytesRead === 0) return true;
    }
  } finally {
    await fa.close();
    await fb.close();
  }
}

/** Heap flags docs/measurements.md §6 recommends for the daemon on small boards (~45 % lower peak RSS). */
const SMALL_BOARD_FLAGS = ['--max-old-space-size=64', '--max-semi-space-size=1'];

export async function benchFileRss(opts: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const size = (opts.quick ? 20 : 100) * 2 ** 20;
  const dir = await mkdtemp(join(tmpdir(), 'lattice-shard-bench-'));
  const relays: Relay[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const flags = i === 0 ? SMALL_BOARD_FLAGS : [];
      const child = fork(RELAY, [`relay-${i}`, dir, '60000'], { execArgv: [...(fromSource ? ['--import', 'tsx'] : []), ...flags], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      relays.push(new Relay(`relay-${i}`, child));
    }
    await Promise.all(relays.map((r) => r.ready));
    const directory = relays.map((r) => ({ id: r.id, host: '127.0.0.1', port: r.port }));
    for (const r of relays) await r.call('peers', { peers: directory });
    const input = join(dir, 'input.bin');
    await writeRandomFile(input, size);
    const a = relays[0]!;
    const pid = a.child.pid!;
    const idle = await vm(pid, 'VmRSS');
    const put = await measured(pid, () => a.call<{ id: string }>('put', { path: input }));
    const get = await measured(pid, () => a.call('get', { id: put.value.id, out: join(dir, 'output.bin') }));
    if (!(await sameFile(input, join(dir, 'output.bin')))) throw new Error('file read back differs');
    let used = 0, files = 0;
    for (const r of relays) {
      used += (await r.call<{ diskUsedBytes: number }>('status')).diskUsedBytes;
      files += (await stat(join(dir, r.id, 'data.mdb'))).size + (await stat(join(dir, r.id, 'shards.slab'))).size;
    }
    const label = `${size / 2 ** 20} MB`;
    const mib = (n: number) => n / 2 ** 20;
    const mbps = (ms: number) => size / (ms / 1000) / 1e6;
    const flags = SMALL_BOARD_FLAGS.join(' ');
    return [
      { name: `peak RSS (VmHWM) putting a ${label} file`, value: mib(put.hwm), unit: 'MiB', goal: '< 100 MiB', pass: put.hwm < 100 * 2 ** 20,
        note: `one relay process (${flags}) + 4 relay processes on loopback TCP; idle ${mib(idle).toFixed(1)} MiB; peak anon ${mib(put.anon).toFixed(1)} MiB, peak file-backed ${mib(put.file).toFixed(1)} MiB (node binary + LMDB map pages; shard bytes are read with pread from shards.slab)` },
      { name: `peak RSS (VmHWM) getting a ${label} file`, value: mib(get.hwm), unit: 'MiB', goal: '< 100 MiB', pass: get.hwm < 100 * 2 ** 20,
        note: `peak anon ${mib(get.anon).toFixed(1)} MiB, peak file-backed ${mib(get.file).toFixed(1)} MiB` },
      { name: `peak anonymous RSS putting a ${label} file`, value: mib(put.anon), unit: 'MiB', note: 'heap + malloc; excludes reclaimable page-cache mappings' },
      { name: `peak anonymous RSS getting a ${label} file`, value: mib(get.anon), unit: 'MiB' },
      { name: `put ${label} throughput (5 relays, loopback TCP)`, value: mbps(put.ms), unit: 'MB/s', note: 'every promise acknowledged after LMDB fsync' },
      { name: `get ${label} throughput`, value: mbps(get.ms), unit: 'MB/s' },
      { name: 'bytes on disk per byte stored (slab slots + LMDB pages in use, 5 relays)', value: used / size, unit: 'B/B', note: `ideal (k+m)/k x 4096/4064 = ${((5 / 3) * (4096 / 4064)).toFixed(3)}; the rest is B-tree and metadata pages` },
      { name: 'bytes on disk per byte stored (data.mdb + shards.slab file sizes)', value: files / size, unit: 'B/B', note: 'both files keep freed pages/slots for reuse' },
    ];
  } finally {
    await Promise.all(relays.map((r) => new Promise<void>((res) => {
      if (r.child.exitCode !== null || r.child.signalCode !== null) return res();
      r.child.once('exit', () => res());
      r.child.kill('SIGKILL');
    })));
    await rm(dir, { recursive: true, force: true });
  }
}
