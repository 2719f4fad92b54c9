/**
 * generateIdentity under load: Node 20 could deadlock the main thread (a futex wait, no CPU, for ever) when a garbage
 * collection finalized the key-generation job while the generated KeyObject was being exported — about once in
 * 10^4 keys (identity.ts freshEd25519Key). The keys are made in a child process so that a deadlock shows as a
 * child that never exits instead of a hung test runner. With ~1e-4 per key this guard catches a regression in a
 * fraction of runs only (2000 keys: ~20 %; before the fix, 20000 keys in this child deadlocked in 2 of 3 runs); the 300-run loop of v2-link.test.ts is the firm check.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const KEYS = 2000;
const child = fileURLToPath(new URL('./testing/keygen-stress.ts', import.meta.url));

test(`${KEYS} identities in a row: all distinct, the process exits (no deadlock in key generation)`, async () => {
  const p = spawn(process.execPath, ['--import', 'tsx', child, String(KEYS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  // A deadlocked child never exits: the generous bound turns that into a failure (a normal run takes ~2 s).
  const bound = setTimeout(() => p.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => p.on('exit', (c) => resolve(c)));
  clearTimeout(bound);
  assert.is(code, 0, 'key generation deadlocked (killed after 60 s)');
  assert.is(out.trim(), String(KEYS));
});

test.run();
