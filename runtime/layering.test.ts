/**
 * Dependency direction (STYLE.md): drivers/ and firmware-protocol/ never import runtime/ nor each other; runtime/
 * composes them. Checked on every import/export-from/dynamic import in their TypeScript sources.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FORBIDDEN: Record<string, string[]> = {
  drivers: ['runtime', 'firmware-protocol'],
  'firmware-protocol': ['runtime', 'drivers'],
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
    const forbidden = FORBIDDEN[layer];
    if (!forbidden) continue;
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (!spec.startsWith('.')) continue;
      const target = relative(base, resolve(dirname(file), spec)).split('/')[0]!;
      if (forbidden.includes(target))
        found.push(`${relative(base, file)} imports ${spec} (${layer}/ must not import ${target}/)`);
    }
  }
  return found;
}

test('drivers/ and firmware-protocol/ import neither runtime/ nor each other', () => {
  const files = ['drivers', 'firmware-protocol'].flatMap((d) => tsFiles(join(root, d)));
  assert.ok(files.length > 0);
  assert.equal(violations(files), []);
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

test.run();
