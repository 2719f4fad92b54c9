#!/usr/bin/env node
// Runs several uvu test files one after the other in this one process, as uvu's own CLI does (UVU_DEFER: each
// file's suites queue up and run when exec() is called), so that files that only compute pay node's start and the
// loading of shared modules (protobufs, LMDB, noble) once per batch instead of once per file. scripts/run-tests.mjs
// chooses which files may share a process and reads the markers printed around each file:
//   @@test-file <path>                  before the file is loaded
//   @@test-end <path> <ms> <ok|fail>   after its tests ran
//   @@test-late-fail <path>             an error of an earlier file surfaced later (its stack names the file)
// An error thrown while a file loads, or an uncaught exception / unhandled rejection while it runs, fails that file
// (printed in its section); the batch goes on with the next file.
// Usage: node scripts/test-batch.mjs ROOT FILE...   (FILE: a path relative to ROOT, run as given: .js or .ts)
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [root, ...files] = process.argv.slice(2);
globalThis.UVU_DEFER = 1;
const uvu = await import('uvu');

let current = null;
let strayFailure = false;
// An error that surfaces after its file's tests ended (a timer it left behind) belongs to the file its stack names:
// that file is failed late (@@test-late-fail), not the innocent one running now.
const stray = (kind) => (err) => {
  const stack = String(err?.stack ?? err);
  const owner = files.filter((f) => stack.includes(join(root, f))).at(-1) ?? current;
  if (owner && owner !== current) process.stdout.write(`\n@@test-late-fail ${owner}\n`);
  else strayFailure = true;
  process.stdout.write(`\n${kind} from ${owner ?? 'the batch'}: ${stack}\n`);
};
process.on('uncaughtException', stray('uncaught exception'));
process.on('unhandledRejection', stray('unhandled rejection'));

for (const file of files) {
  current = file;
  strayFailure = false;
  process.stdout.write(`\n@@test-file ${file}\n`);
  globalThis.UVU_QUEUE.length = 0;
  globalThis.UVU_QUEUE.push([null]);
  globalThis.UVU_INDEX = 0;
  process.exitCode = 0;
  const t0 = performance.now();
  let ok = true;
  try {
    await import(pathToFileURL(join(root, file)).href);
    await uvu.exec();
    // A stray error of this file may surface a tick after its last test: give it the chance to land here.
    await new Promise((r) => setImmediate(r));
    ok = process.exitCode === 0 && !strayFailure;
  } catch (err) {
    ok = false;
    process.stdout.write(`\nerror loading ${file}: ${err?.stack ?? String(err)}\n`);
  }
  process.stdout.write(`\n@@test-end ${file} ${Math.round(performance.now() - t0)} ${ok ? 'ok' : 'fail'}\n`);
}
current = null;
process.exitCode = 0;
// Whatever a file left running (an unref'd timer, a socket in TIME_WAIT) must not hold the batch open.
process.exit(0);
