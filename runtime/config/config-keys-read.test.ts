/**
 * Config that is read (issue 12 item 7): every key of the one schema is read somewhere in production code, so no key
 * is validated and documented but does nothing (as `vault.lifetimeDays` and `vault.maxBytes` once were).
 *
 * A static check with the TypeScript checker (testing/config-reads.ts), not a run of the relay: running the daemon
 * with a tracking Proxy over the Config sees only the paths a run takes (the bridge reads its attribution, DM and
 * duplicate settings only when a message comes), and counts a spread or a printed section as read. The checker sees
 * every read in the code through the types, wherever the section was handed. Reads in the config's own code
 * (runtime/config: validation, merging, printing `lattice config`) and in the bearers' schema pieces (files that
 * import schema-kit) do not count: checking a key is not using it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyPaths, list, num, object } from './schema-kit.js';
import { configSchema } from './schema.js';
import { configReads } from './testing/config-reads.js';

// test-runner: dist-safe. The check reads the TypeScript sources wherever this file runs from: compiled, it sits in
// dist/runtime/config and the sources in runtime/ beside dist/ (running compiled spares tsx's start-up).
const here = dirname(fileURLToPath(import.meta.url));
const runtime = resolve(here, basename(resolve(here, '../..')) === 'dist' ? '../../../runtime' : '..');

function productionFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'testing' && name !== 'node_modules') productionFiles(p, out);
    } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Production code that uses the config: not the config's own code, not the schema pieces beside the bearers. */
function reader(file: string): boolean {
  if (file.startsWith(join(runtime, 'config') + '/')) return false;
  return !/from '[./]*(config\/)?schema-kit\.js'/.test(readFileSync(file, 'utf8'));
}

test('every schema key is read by production code', () => {
  const paths = keyPaths(configSchema);
  assert.ok(paths.length > 80, `the schema walk finds the keys (${paths.length})`);
  for (const p of ['vault.lifetimeDays', 'vault.maxBytes', 'ip.peers[].host', 'lora[].pins.busy', 'bridge.limits.mtToMc.burst']) assert.ok(paths.includes(p), p);
  const r = configReads({ files: productionFiles(runtime), reader, configFile: join(runtime, 'config/config.ts'), paths });
  assert.equal(r.untyped, [], 'schema keys the Config type does not have');
  assert.equal(r.unread, [], 'schema keys no production code reads');
});

test('the check reports a key nobody reads, and follows a section handed over, an index and a destructuring', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-reads-'));
  try {
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const files = [
      file('config.ts', `export interface Limits { perMinute: number; burst: number }
export interface Config { a: { used: number; unused: number }; limits: { fast: Limits; slow: Limits }; list: Array<{ x: number; y: number }>; z: number }
`),
      file('user.ts', `import type { Config, Limits } from './config.js';
export function use(c: Config, which: 'fast' | 'slow'): number {
  const { x } = c.list[0]!;
  return c.a.used + x + take(c.limits[which]);
}
function take(l: Limits): number { return l.perMinute; }
export function write(c: Config): void { c.z = 1; }
`),
    ];
    const schema = object({
      a: object({ used: num(), unused: num() }),
      limits: object({ fast: object({ perMinute: num(), burst: num() }), slow: object({ perMinute: num(), burst: num() }) }),
      list: list(object({ x: num(), y: num() })),
      z: num(),
      nowhere: num(),
    });
    const r = configReads({ files, reader: (f) => f.endsWith('user.ts'), configFile: files[0]!, paths: keyPaths(schema) });
    assert.equal(r.untyped, ['nowhere']);
    assert.equal(r.unread, ['a.unused', 'limits.fast.burst', 'limits.slow.burst', 'list[].y', 'z']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
