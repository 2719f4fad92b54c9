/**
 * Stamps (the v2 DM nonce) are never handed out twice: in one process, after a restart, and when the process is
 * killed with SIGKILL in the middle of allocating, again and again (power cuts), with the clock stuck at the epoch.
 *
 * A SIGKILL keeps the page cache, so the kill test proves "persisted before handed out" and the restart rule; that
 * the mark reaches the disk itself rests on the fsync of file and directory before next() returns (the code).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP_FILE, StampAllocator } from './stamp-allocator.js';
import { STAMP_EPOCH_MS, stampAt } from '../../../bundle/stamp.js';

// test-runner: dist-safe. Compiled, the child is the .js beside this file in dist/ and starts as plain node; from
// source it runs through tsx (which costs each of the 8 starts ~0.3 s of CPU more).
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const CHILD = fileURLToPath(new URL(`./testing/stamp-child.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url));
const CHILD_ARGV = FROM_SOURCE ? ['--import', 'tsx', CHILD] : [CHILD];

test('strictly increasing, follows the clock, persisted a block ahead', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-stamps-'));
  try {
    let now = STAMP_EPOCH_MS + 5000_000;
    const a = await StampAllocator.open(dir, { now: () => now, block: 4 });
    const s1 = await a.next();
    assert.is(s1, stampAt(now));
    const s2 = await a.next();
    assert.is(s2, s1 + 1, 'two in the same second: the counter moves on');
    now += 100_000;
    const s3 = await a.next();
    assert.is(s3, stampAt(now));
    assert.ok(a.reservedMark > s3);
    now -= 1000_000; // the clock jumps back
    const s4 = await a.next();
    assert.is(s4, s3 + 1);
    const b = await StampAllocator.open(dir, { now: () => now, block: 4 });
    const s5 = await b.next();
    assert.ok(s5 > s4, `after restart ${s5} > ${s4}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt stamp file stops the allocator (StampFileError) instead of guessing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-stamps-'));
  try {
    writeFileSync(join(dir, STAMP_FILE), Buffer.from('0000001000000010', 'hex'));
    await StampAllocator.open(dir).then(() => assert.unreachable('opened'), (e: Error) => assert.is(e.name, 'StampFileError'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function runUntilKilled(dir: string, killAfter: number): Promise<number[]> {
  const child = spawn(process.execPath, [...CHILD_ARGV, dir, '8'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const used: number[] = [];
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l !== 'ready') used.push(Number(l));
      if (used.length >= killAfter && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('exit', () => resolve());
    child.on('error', reject);
  });
  // Lines the child wrote before it died but we had not split yet.
  for (const l of buf.split('\n')) if (l && l !== 'ready') used.push(Number(l));
  return used;
}

test('SIGKILL while allocating, 8 times: no stamp is ever handed out twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-stamps-kill-'));
  try {
    const all: number[] = [];
    for (let cycle = 0; cycle < 8; cycle++) {
      const used = await runUntilKilled(dir, 50 + ((cycle * 97) % 400));
      assert.ok(used.length > 0, `cycle ${cycle} used nothing`);
      if (all.length > 0) assert.ok(used[0]! > all[all.length - 1]!, `cycle ${cycle} restarted at ${used[0]} after ${all[all.length - 1]}`);
      all.push(...used);
    }
    assert.is(new Set(all).size, all.length, 'a stamp was reused');
    for (let i = 1; i < all.length; i++) assert.ok(all[i]! > all[i - 1]!);
    // The file holds a mark above everything used.
    const mark = readFileSync(join(dir, STAMP_FILE)).readUInt32BE(0);
    assert.ok(mark > all[all.length - 1]!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
