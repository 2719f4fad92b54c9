/**
 * package.json says what production needs: every package a production file loads at run time is a dependency (or
 * an optional one, for native modules only some boards have), and every dependency is loaded by a production file.
 * A package that only tests, simulator fidelity checks, benchmarks or type declarations use is a devDependency, so
 * the image's `npm prune --omit=dev` drops it. Production files: bin/, lib/, drivers/, firmware-protocol/ and
 * runtime/, outside `*.test.ts` and `testing/` folders. Type-only imports need the package at build time only.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PRODUCTION = ['bin', 'lib', 'drivers', 'firmware-protocol', 'runtime'];
/** Loaded by production code only in circumstances that have the dev tree installed. */
const DEV_ONLY_LOADS: Record<string, string> = {
  // VerifyPool's worker registers tsx's loader only when it runs from the TypeScript sources (the tests); from
  // dist/ the worker is plain JavaScript.
  tsx: 'runtime/router/verify-pool.ts',
};

function codeFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) codeFiles(p, out);
    else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const isTestCode = (path: string): boolean => path.endsWith('.test.ts') || path.split('/').includes('testing');

/** Static imports and re-exports (type-only ones apart), dynamic imports, require() through createRequire, and
 * drivers/hal/module-loader.ts's loadOptional('name'). */
const LOAD_RE =
  /(?:import|export)(\s+type)?\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]|\)\(\s*['"]([^'"]+)['"]\s*\)|loadOptional(?:<[^>]*>)?\(\s*['"]([^'"]+)['"]/g;

const packageName = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
const builtin = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(packageName(spec));

/** Package name → the production files that load it at run time. */
export function runtimeLoads(files: string[], base = root): Map<string, string[]> {
  const loads = new Map<string, string[]>();
  for (const file of files) {
    const path = relative(base, file);
    if (isTestCode(path)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(LOAD_RE)) {
      if (m[1]) continue; // import type / export type
      const spec = m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6]!;
      if (spec.startsWith('.') || spec.startsWith('/') || builtin(spec)) continue;
      const name = packageName(spec);
      loads.set(name, [...(loads.get(name) ?? []), path]);
    }
  }
  return loads;
}

export function dependencyProblems(pkg: Record<string, Record<string, string> | undefined>, loads: Map<string, string[]>): string[] {
  const deps = Object.keys(pkg.dependencies ?? {});
  const declared = new Set([...deps, ...Object.keys(pkg.optionalDependencies ?? {})]);
  const problems: string[] = [];
  for (const [name, files] of loads) {
    if (declared.has(name)) continue;
    if (DEV_ONLY_LOADS[name] && files.every((f) => f === DEV_ONLY_LOADS[name])) continue;
    problems.push(`${name} is loaded by ${files[0]} but is not a dependency`);
  }
  for (const name of deps) if (!loads.has(name)) problems.push(`${name} is a dependency that no production file loads`);
  return problems;
}

test('dependencies are exactly what production code loads', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const loads = runtimeLoads(PRODUCTION.flatMap((d) => codeFiles(join(root, d))));
  assert.ok(loads.has('lmdb') && loads.has('node-ble') && loads.has('spi-device'), [...loads.keys()].join(', '));
  assert.equal(dependencyProblems(pkg, loads), []);
});

test('the check sees every way of loading, ignores types and tests, and reports both directions', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const base = mkdtempSync(join(tmpdir(), 'deps-'));
  mkdirSync(join(base, 'runtime/x/testing'), { recursive: true });
  const write = (path: string, src: string): string => (writeFileSync(join(base, path), src), join(base, path));
  const files = [
    write('runtime/x/a.ts', [
      "import { open } from 'lmdb';",
      "import type { Msg } from 'only-types';",
      "import { readFile } from 'node:fs/promises';",
      "import { x } from './b.js';",
      "const m = await import('@scope/pkg/sub/path.js');",
      "const d = createRequire(import.meta.url)('node-ble/src/Device.js');",
      "const s = await loadOptional<Spi>('spi-device', 'SPI');",
      "export { y } from 'reexported';",
    ].join('\n')),
    write('runtime/x/a.test.ts', "import { test } from 'uvu';\n"),
    write('runtime/x/testing/fake.ts', "import fc from 'fast-check';\n"),
  ];
  const loads = runtimeLoads(files, base);
  assert.equal([...loads.keys()].sort(), ['@scope/pkg', 'lmdb', 'node-ble', 'reexported', 'spi-device']);
  const pkg = {
    dependencies: { lmdb: '1', '@scope/pkg': '1', 'node-ble': '1', unused: '1' },
    optionalDependencies: { 'spi-device': '1' },
  };
  assert.equal(dependencyProblems(pkg, loads), [
    'reexported is loaded by runtime/x/a.ts but is not a dependency',
    'unused is a dependency that no production file loads',
  ]);
});

test.run();
