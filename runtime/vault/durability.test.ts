/**
 * Committed before acknowledged: every ingest the writer saw resolve is found after a SIGKILL. A SIGKILL leaves the
 * page cache intact, so this does not show the commit was flushed (a vault opened with LMDB's noSync passes it);
 * flush-before-ack.test.ts shows that, from the writer's fdatasync calls.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Vault } from './vault.js';

const child = fileURLToPath(new URL('./testing/durability-child.ts', import.meta.url));

test('every acknowledged ingest survives SIGKILL of the writer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-kill-'));
  try {
    const acked: string[] = [];
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    const killed = new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error('child never acknowledged 2000 ingests')); }, 60_000);
      proc.stdout.setEncoding('utf8');
      proc.stdout.on('data', (d: string) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) if (/^[0-9a-f]{64}$/.test(l)) acked.push(l);
        if (acked.length >= 2000 && !proc.killed) {
          proc.kill('SIGKILL');
          clearTimeout(guard);
        }
      });
      proc.on('exit', () => resolve());
    });
    await killed;
    assert.ok(acked.length >= 2000);
    const v = new Vault({ path: dir, sweepIntervalMs: 0 });
    await v.start();
    const missing = acked.filter((h) => !v.get(Buffer.from(h, 'hex')));
    assert.equal(missing, [], 'acknowledged but lost');
    assert.ok(v.counts().stored >= acked.length);
    await v.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
