/**
 * One writer per ledger file, with real processes: a second process opening the ledger a first one writes is
 * refused with LedgerLockedError naming the first; after the first is SIGKILLed its stale lock is taken over and
 * the new writer sees everything the first saved.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./testing/ledger-child.ts', import.meta.url));
const children: ChildProcess[] = [];

/** Starts a ledger process and resolves with its first output line (parsed) and the process. */
function open(path: string): Promise<{ line: Record<string, unknown>; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ line: JSON.parse(out.slice(0, nl)), child });
    });
    child.once('exit', (code) => reject(new Error(`ledger child exited ${code} before a line: ${out}`)));
  });
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

test('two processes on one ledger file: the second is refused naming the first; a killed writer\'s lock is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-ledger2-'));
  try {
    const path = join(dir, 'airtime.json');
    const a = await open(path);
    assert.is(a.line.started, a.child.pid);
    const b = await open(path);
    assert.is(b.line.error, 'LedgerLockedError');
    assert.is(b.line.holder, a.child.pid);
    assert.match(String(b.line.message), String(a.child.pid));
    assert.is(await exited(b.child), 1);
    // A is still the only writer: its records keep growing.
    const count = async () => JSON.parse(await readFile(path, 'utf8')).records.length as number;
    const before = await count();
    for (let i = 0; i < 200 && (await count()) <= before; i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok((await count()) > before);
    a.child.kill('SIGKILL');
    await exited(a.child);
    const saved = await count();
    const c = await open(path);
    assert.is(c.line.started, c.child.pid);
    assert.is(c.line.tookOver, a.child.pid, 'the dead writer\'s lock was taken over');
    assert.ok((await count()) >= saved, 'the new writer kept what the first saved');
    c.child.kill('SIGTERM');
    await exited(c.child);
  } finally {
    for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
