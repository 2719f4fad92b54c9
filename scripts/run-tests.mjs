#!/usr/bin/env node
// Test runner: builds dist/ (tsc, strict), then runs every *.test.ts file as its own uvu process three at a time
// (on 2 cores most files wait on I/O and timers, not the CPU), and ends with one plain line
// `N passed, M failed[, K skipped]`. A file runs compiled from dist/ (tsx costs ~0.3 s of CPU per process, a minute
// of the suite over 260 files) unless it or a local module it imports finds files by its own path
// (`import.meta.url`, `.ts` names, tsx children): those run from source through tsx. With --no-build every file runs
// through tsx (dist/ may be stale).
// Usage: npm test [-- PATH_FILTER ...] [--no-build] [-j N]
//
// Files that only compute share a process in batches (scripts/test-batch.mjs, BATCH_SIZE at a time, as uvu's own CLI
// runs files): node's start and the loading of shared modules are paid once per batch, not once per file. A file
// stays in its own process when it starts processes, servers or relays (the slow kinds below), runs from source, or
// touches process-wide state (process.on, process.exit, module hooks, globals); `test-runner: own-process` in a file
// says so explicitly, and so does a file slower than LIGHT_MS in scripts/test-durations.json. Results are still
// reported per file. TEST_BATCH_SIZE=1 runs every file alone.
//
// The longest files start first, so that the last minute is not one slow file running alone: each run records
// how long every file took (a small JSON file in the system's temp dir, one per checkout); without a record (a fresh
// checkout, CI) the files that start relays, radios or brokers as processes or over real links go first.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const jIdx = args.indexOf('-j');
const jobs = jIdx >= 0 ? Number(args[jIdx + 1]) : Number(process.env.TEST_JOBS ?? 3);
const filters = args.filter((a, i) => !a.startsWith('-') && !(jIdx >= 0 && i === jIdx + 1));
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 300_000);
const DIRS = ['lib', 'runtime', 'drivers', 'firmware-protocol', 'hil-tests', 'bench', 'scripts'];

function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Test processes still running, each the leader of its own process group. */
const live = new Set();
// Killed (Ctrl-C, timeout(1), CI cancelling): take every test process group along, or they run on as orphans.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    for (const pid of live) { try { process.kill(-pid, 'SIGKILL'); } catch {} }
    process.exit(130);
  });
}

function run(cmd, argv, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    live.add(child.pid);
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    let timedOut = false;
    const timer = opts.timeoutMs ? setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    }, opts.timeoutMs) : null;
    child.on('close', (code, signal) => {
      live.delete(child.pid);
      if (timer) clearTimeout(timer);
      // Kill whatever the test left behind in its process group (simulators, socat, brokers).
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
      resolve({ code, signal, output, timedOut });
    });
  });
}

const strip = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
function parseUvu(output) {
  const text = strip(output);
  const total = [...text.matchAll(/Total:\s+(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  const passed = [...text.matchAll(/Passed:\s+(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  const skipped = [...text.matchAll(/Skipped:\s+(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  return { total, passed, skipped, seen: /Total:\s+\d+/.test(text) };
}

let passed = 0, failed = 0, skipped = 0;
const failures = [];

if (!noBuild) {
  const t0 = Date.now();
  const r = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
  if (r.code === 0) { passed++; console.log(`ok   build (tsc strict) ${Date.now() - t0} ms`); }
  else { failed++; failures.push(['build (tsc strict)', r.output]); console.log(`FAIL build (tsc strict)`); }
}

const DURATIONS = join(tmpdir(), `lattice-test-durations-${createHash('sha256').update(root).digest('hex').slice(0, 12)}.json`);
let recorded = {};
try {
  recorded = JSON.parse(readFileSync(DURATIONS, 'utf8'));
} catch {
  // no record yet
}
/** Each file's time alone in a full parallel run on 2 cores (committed; regenerate by copying a run's record): the
 * order without a local record (a fresh checkout, CI), and which files are light enough to share a process. */
let committed = {};
try {
  committed = JSON.parse(readFileSync(join(root, 'scripts', 'test-durations.json'), 'utf8'));
} catch {
  // no committed record: the kind below decides
}
/** Without a record: multi-process, end-to-end and real-link tests are the slow kind. */
const SLOW = /(^runtime\/daemon\/|-e2e\.test|^hil-tests\/|^runtime\/links\/|^runtime\/sim\/|processes)/;
const expected = (f) => recorded[f] ?? committed[f] ?? (SLOW.test(f) ? 5_000 : 1_000);
/** A file that took longer than this alone gains little from sharing a process and would hold its batch up. */
const LIGHT_MS = 1_500;
const files = DIRS.flatMap((d) => walk(join(root, d), []))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((flt) => f.includes(flt)))
  .sort()
  .sort((a, b) => expected(b) - expected(a));
const durations = { ...recorded };

// Whether a test must run from source: it, or a local module it imports (transitively), locates files by its own
// path or starts tsx children; compiled to dist/ those paths would point at .js files or the wrong folder.
const SOURCE_BOUND = /import\.meta\.url|\.ts['"`]|\btsx\b/;
const boundCache = new Map();
function sourceBound(file, seen = new Set()) {
  if (boundCache.has(file)) return boundCache.get(file);
  if (seen.has(file)) return false;
  seen.add(file);
  let text;
  try { text = readFileSync(join(root, file), 'utf8'); } catch { return false; }
  // A module that says it works both ways (`test-runner: dist-safe`), and createRequire(import.meta.url) (package
  // resolution, the same from dist/), do not bind a test to its source.
  const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '').replaceAll('createRequire(import.meta.url)', '');
  let bound = !text.includes('test-runner: dist-safe') && SOURCE_BOUND.test(code);
  if (!bound) {
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      const dep = relative(root, join(root, file, '..', `${m[1]}.ts`));
      if (sourceBound(dep, seen)) { bound = true; break; }
    }
  }
  boundCache.set(file, bound);
  return bound;
}
function command(file) {
  const compiled = join(root, 'dist', file.replace(/\.ts$/, '.js'));
  if (noBuild || sourceBound(file)) return ['--import', 'tsx', file];
  try { statSync(compiled); } catch { return ['--import', 'tsx', file]; }
  return [compiled];
}

const BATCH_SIZE = Math.max(1, Number(process.env.TEST_BATCH_SIZE ?? 20));
/** Process-wide state a file may touch that would leak into the next file of a batch. */
const OWN_PROCESS = /test-runner: own-process|process\.(on|once|exit|chdir)\(|module\.register|countCalls|globalThis\.\w+\s*=[^=]|console\.\w+\s*=[^=]|process\.env(\.\w+|\[[^\]]+\])\s*=[^=]|delete process\.env/;
function batchable(file) {
  if (BATCH_SIZE === 1 || SLOW.test(file) || sourceBound(file) || (committed[file] ?? 0) > LIGHT_MS) return false;
  if (!noBuild) {
    try { statSync(join(root, 'dist', file.replace(/\.ts$/, '.js'))); } catch { return false; }
  }
  return !OWN_PROCESS.test(readFileSync(join(root, file), 'utf8'));
}

/** Work units: a batch of files sharing a process, or one file alone; the longest expected first. */
const units = [];
const shared = files.filter(batchable).sort();
for (let i = 0; i < shared.length; i += BATCH_SIZE) units.push(shared.slice(i, i + BATCH_SIZE));
for (const f of files) if (!shared.includes(f)) units.push([f]);
const unitTime = (u) => u.reduce((a, f) => a + expected(f), 0);
units.sort((a, b) => unitTime(b) - unitTime(a));
console.log(`${files.length} test files: ${shared.length} in ${Math.ceil(shared.length / BATCH_SIZE)} shared processes, ${files.length - shared.length} alone`);

function report(file, output, ms, code, timedOut, note = '') {
  const u = parseUvu(output);
  // uvu counts skipped tests outside Total (Total = run = passed + failed).
  let bad = u.total - u.passed;
  if (code !== 0 && bad === 0) bad = 1; // crashed, timed out, or failed outside a test
  if (!u.seen && code === 0) bad = 1;   // ran no test at all: that is a failure, not a pass
  passed += u.passed; skipped += u.skipped; failed += bad;
  durations[file] = ms;
  const why = timedOut ? ` (timed out after ${FILE_TIMEOUT_MS} ms)` : '';
  console.log(`${bad ? 'FAIL' : 'ok  '} ${file}  ${u.passed} passed${bad ? `, ${bad} failed` : ''}${u.skipped ? `, ${u.skipped} skipped` : ''}  ${ms} ms${why}`);
  if (bad) failures.push([file, output + note]);
  if (u.skipped) for (const line of strip(output).split('\n')) if (/^SKIP\b/.test(line.trim())) console.log(`     ${line.trim()}`);
}

async function runAlone(file) {
  const t0 = Date.now();
  const r = await run(process.execPath, command(file), { timeoutMs: FILE_TIMEOUT_MS });
  report(file, r.output, Date.now() - t0, r.code, r.timedOut);
}

/** Runs a batch; each file is reported from its own section of the output. Files the batch never reached (it
 * crashed or timed out in an earlier one) run alone afterwards; the one it was in fails. */
async function runBatch(batch) {
  const paths = batch.map((f) => noBuild ? f : join('dist', f.replace(/\.ts$/, '.js')));
  const argv = [...(noBuild ? ['--import', 'tsx'] : []), join(root, 'scripts', 'test-batch.mjs'), root, ...paths];
  const t0 = Date.now();
  const r = await run(process.execPath, argv, { timeoutMs: FILE_TIMEOUT_MS * 2 });
  const text = strip(r.output);
  const left = [];
  batch.forEach((file, i) => {
    const start = text.indexOf(`@@test-file ${paths[i]}\n`);
    if (start < 0) return left.push(file);
    const endAt = text.indexOf(`@@test-end ${paths[i]} `, start);
    const section = endAt >= 0 ? text.slice(start, endAt) : text.slice(start);
    if (endAt < 0) return report(file, `${section}\n(the batch process ended in this file: exit ${r.code ?? r.signal})`, Date.now() - t0, 1, r.timedOut);
    const [ms, verdict] = text.slice(endAt, text.indexOf('\n', endAt)).split(' ').slice(2);
    const lateFail = text.includes(`@@test-late-fail ${paths[i]}\n`);
    const late = lateFail ? `\n(an error of this file surfaced after its tests, while a later file of the batch ran:\n${text.slice(text.indexOf(`@@test-late-fail ${paths[i]}\n`)).split('\n').slice(1, 8).join('\n')}\n)` : '';
    report(file, section, Number(ms), verdict === 'ok' && !lateFail ? 0 : 1, false, late);
  });
  for (const f of left) await runAlone(f);
}

let next = 0;
async function worker() {
  while (next < units.length) {
    const unit = units[next++];
    if (unit.length === 1) await runAlone(unit[0]);
    else await runBatch(unit);
  }
}
await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
try {
  writeFileSync(DURATIONS, JSON.stringify(durations, null, 1));
} catch {
  // no writable temp dir: the next run orders by kind again
}

for (const [name, output] of failures) {
  console.log(`\n===== ${name} =====\n${strip(output).slice(-8000)}`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed ? 1 : 0;
