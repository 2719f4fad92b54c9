/**
 * Dependency direction (CONTRIBUTING.md): lib/ is the base layer and imports nothing of ours; drivers/ and
 * firmware-protocol/ import lib/ only, never runtime/ nor each other; runtime/ composes them all. Checked on every
 * import/export-from/dynamic import in their TypeScript sources. And production code never imports a `testing/`
 * folder: fakes and suites are for tests; what the product ships for simulation lives in `sim/` folders.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The top-level folders each layer may import from (itself included); any other folder of ours is a violation. */
const ALLOWED: Record<string, string[]> = {
  lib: ['lib'],
  drivers: ['drivers', 'lib'],
  'firmware-protocol': ['firmware-protocol', 'lib'],
};

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tsFiles(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const IMPORT_RE = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

export function violations(files: string[], base = root): string[] {
  const found: string[] = [];
  for (const file of files) {
    const layer = relative(base, file).split('/')[0]!;
    const allowed = ALLOWED[layer];
    if (!allowed) continue;
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (!spec.startsWith('.')) continue;
      const target = relative(base, resolve(dirname(file), spec)).split('/')[0]!;
      if (!allowed.includes(target))
        found.push(`${relative(base, file)} imports ${spec} (${layer}/ must not import ${target}/)`);
    }
  }
  return found;
}

/** The folders whose non-test files are production code (bench/ and hil-tests/ are harnesses and may use fakes). */
const PRODUCTION = ['lib', 'drivers', 'firmware-protocol', 'runtime'];

const isTestCode = (path: string): boolean => path.endsWith('.test.ts') || path.split('/').includes('testing');

/** Imports of a `testing/` folder from a production file (one that is neither a `*.test.ts` nor inside `testing/`). */
export function testingImports(files: string[], base = root): string[] {
  const found: string[] = [];
  for (const file of files) {
    const path = relative(base, file);
    if (isTestCode(path)) continue;
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (!spec.startsWith('.')) continue;
      const target = relative(base, resolve(dirname(file), spec));
      if (target.split('/').includes('testing')) found.push(`${path} imports ${spec} (production code must not import testing/)`);
    }
  }
  return found;
}

test('drivers/ and firmware-protocol/ import neither runtime/ nor each other', () => {
  const files = ['drivers', 'firmware-protocol'].flatMap((d) => tsFiles(join(root, d)));
  assert.ok(files.length > 0);
  assert.equal(violations(files), []);
});

test('lib/ imports nothing of ours', () => {
  const files = tsFiles(join(root, 'lib'));
  assert.ok(files.length > 0);
  assert.equal(violations(files), []);
});

test('no production file imports a testing/ folder', () => {
  const files = PRODUCTION.flatMap((d) => tsFiles(join(root, d)));
  assert.ok(files.some((f) => relative(root, f).split('/').includes('sim')), 'the sim/ folders are scanned');
  assert.equal(testingImports(files), []);
});

test('the testing/ check flags production files only', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const base = mkdtempSync(join(tmpdir(), 'layering-'));
  for (const d of ['runtime/sim', 'runtime/x/testing', 'firmware-protocol/m/sim', 'firmware-protocol/m/testing'])
    mkdirSync(join(base, d), { recursive: true });
  const write = (path: string, src: string): string => (writeFileSync(join(base, path), src), join(base, path));
  const files = [
    write('runtime/sim/sim-a.ts', "import { SimDevice } from '../../firmware-protocol/m/testing/sim-device.js';\n"),
    write('firmware-protocol/m/sim/dev.ts', "const s = await import('../testing/suite.js');\nexport { f } from '../testing/f.js';\n"),
    write('runtime/x/ok.ts', "import { SimDevice } from '../../firmware-protocol/m/sim/dev.js';\nimport './testing-notes.js';\n"),
    write('runtime/x/ok.test.ts', "import { fake } from './testing/fake.js';\n"),
    write('runtime/x/testing/fake.ts', "import { d } from '../../../firmware-protocol/m/testing/suite.js';\n"),
  ];
  const v = testingImports(files, base);
  assert.equal(v.map((line) => line.split(' ')[0]), ['runtime/sim/sim-a.ts', 'firmware-protocol/m/sim/dev.ts', 'firmware-protocol/m/sim/dev.ts'], v.join('\n'));
});

test('the check itself catches a violation', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const base = mkdtempSync(join(tmpdir(), 'layering-'));
  mkdirSync(join(base, 'drivers/x'), { recursive: true });
  mkdirSync(join(base, 'firmware-protocol/y'), { recursive: true });
  writeFileSync(join(base, 'drivers/x/a.ts'), "import { r } from '../../runtime/router/router.js';\n");
  writeFileSync(join(base, 'firmware-protocol/y/b.ts'), "export { d } from '../../drivers/x/a.js';\nconst m = await import('../../runtime/z.js');\n");
  const v = violations([join(base, 'drivers/x/a.ts'), join(base, 'firmware-protocol/y/b.ts')], base);
  assert.is(v.length, 3, v.join('\n'));
});

test('the check lets drivers/ and firmware-protocol/ import lib/, and lib/ import only itself', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const base = mkdtempSync(join(tmpdir(), 'layering-'));
  for (const d of ['lib/a', 'drivers/x', 'firmware-protocol/y']) mkdirSync(join(base, d), { recursive: true });
  writeFileSync(join(base, 'drivers/x/a.ts'), "import { sleep } from '../../lib/a/sleep.js';\n");
  writeFileSync(join(base, 'firmware-protocol/y/b.ts'), "export { sleep } from '../../lib/a/sleep.js';\n");
  writeFileSync(join(base, 'lib/a/sleep.ts'), "import { x } from './x.js';\nimport { y } from '../b/y.js';\n");
  writeFileSync(join(base, 'lib/a/bad.ts'), "import { d } from '../../drivers/x/a.js';\nimport { f } from '../../firmware-protocol/y/b.js';\nconst r = await import('../../runtime/z.js');\nexport { h } from '../../hil-tests/h.js';\n");
  const files = ['drivers/x/a.ts', 'firmware-protocol/y/b.ts', 'lib/a/sleep.ts', 'lib/a/bad.ts'].map((f) => join(base, f));
  const v = violations(files, base);
  assert.equal(v.map((line) => line.split(' ')[0]), ['lib/a/bad.ts', 'lib/a/bad.ts', 'lib/a/bad.ts', 'lib/a/bad.ts'], v.join('\n'));
});

test.run();
