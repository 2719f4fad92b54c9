/**
 * `npm run bench` — runs every bench/*.bench.js module (each exports async functions returning BenchRow[]) and
 * prints one table; `npm run bench -- --json` prints JSON; `--markdown` prints the table BENCHMARKS.md records;
 * `--only NAME` runs the modules whose file name contains NAME; `--quick` runs smaller workloads. Every module also
 * gets the command line (`args`) for its own flags, e.g. `--soak-minutes 60` (bench/soak.bench.ts).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpus } from 'node:os';
import type { BenchRow } from './bench-row.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const markdown = args.includes('--markdown');
const quick = args.includes('--quick');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => /\.bench\.js$/.test(f) && (!only || f.includes(only))).sort();

const rows: BenchRow[] = [];
const errors: { module: string; error: string }[] = [];
/** Modules may export `markdown()`: a table of their own (e.g. lora's side-by-side), printed after ours with --markdown. */
const extraMarkdown: Array<() => string | undefined> = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as Record<string, unknown>;
  if (typeof mod.markdown === 'function') extraMarkdown.push(mod.markdown as () => string | undefined);
  const fns = Object.entries(mod).filter(([name, v]) => typeof v === 'function' && (name === 'default' || /^(bench|run)/i.test(name)));
  for (const [name, fn] of fns) {
    const group = f.replace(/\.bench\.js$/, '');
    if (!json) process.stderr.write(`bench ${group}:${name} ...\n`);
    try {
      const out = (await (fn as (o: { quick: boolean; args: readonly string[] }) => Promise<BenchRow[]>)({ quick, args })) ?? [];
      for (const r of out) rows.push({ group, ...r, ratio: r.ratio ?? (r.baseline ? r.value / r.baseline : undefined) });
    } catch (err) {
      errors.push({ module: `${f}:${name}`, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  }
}

const env = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, date: new Date().toISOString(), command: `npm run bench${args.length ? ' -- ' + args.join(' ') : ''}` };
const fmt = (n: number | undefined) => (n === undefined ? '' : Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(4)).toString());

if (json) {
  process.stdout.write(JSON.stringify({ env, rows, errors }, null, 2) + '\n');
} else {
  const header = ['group', 'name', 'value', 'unit', 'baseline', 'ratio', 'goal', 'ok'];
  const table = rows.map((r) => [r.group ?? '', r.name, fmt(r.value), r.unit, r.baseline === undefined ? '' : `${fmt(r.baseline)}${r.baselineName ? ` (${r.baselineName})` : ''}`, r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`, r.goal ?? '', r.pass === undefined ? '' : r.pass ? 'yes' : 'NO']);
  if (markdown) {
    process.stdout.write(`Command: \`${env.command}\` — ${env.date}, Node ${env.node}, ${env.cpus} × ${env.cpu}\n\n`);
    process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
    for (const t of table) process.stdout.write(`| ${t.join(' | ')} |\n`);
    for (const extra of extraMarkdown) {
      const md = extra();
      if (md) process.stdout.write(`\n${md}`);
    }
  } else {
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
    for (const t of table) process.stdout.write(`${line(t)}\n`);
  }
  for (const e of errors) process.stderr.write(`bench error in ${e.module}:\n${e.error}\n`);
}
process.exitCode = errors.length ? 1 : 0;
