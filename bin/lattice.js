#!/usr/bin/env node
// The `lattice` command: runs the compiled CLI from dist/ (built by `npm install` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = fileURLToPath(new URL('../dist/runtime/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('lattice: dist/ is missing; run `npm install` (or `npm run build`) in the checkout first\n');
  process.exit(2);
}
await import(main);
