/**
 * The relay's other LMDB stores on a disk that fills (issue 11 item 3: "no unhandled rejection anywhere"): the bridge
 * queue and the shard store run in a child under a file-size limit (prlimit --fsize, no privileges needed) until
 * their files cannot grow. Each must report the failure to its caller (a rejected add, a `full` promise) and the
 * process must not die of an unhandled rejection (lmdb-commit.ts says where those came from).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./testing/stores-child.ts', import.meta.url));

test('bridge queue and shard store under a full disk: named failures, no unhandled rejection', () => {
  if (spawnSync('prlimit', ['--version']).error) throw new Error('this test needs prlimit (util-linux) to set RLIMIT_FSIZE');
  const dir = mkdtempSync(join(tmpdir(), 'stores-full-'));
  try {
    const r = spawnSync('prlimit', [`--fsize=${512 * 1024}:unlimited`, '--', process.execPath, '--import', 'tsx', child, dir], { encoding: 'utf8', timeout: 60_000 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    assert.ok(line, `no report (exit ${r.status}):\n${r.stderr.slice(-3000)}`);
    const report = JSON.parse(line!);
    assert.not.ok(report.unhandled, report.unhandled);
    assert.is(r.status, 0, r.stderr.slice(-2000));
    assert.ok(report.bridge, 'the bridge queue never failed');
    assert.ok(report.bridge.added > 10, `only ${report.bridge.added} entries before the limit`);
    assert.is(report.bridge.depth, report.bridge.added, 'the failed add left no phantom entry in the count');
    assert.ok(report.shards, 'the shard store never refused');
    assert.is(report.shards.result, 'full', 'a promise the disk cannot take is refused, not thrown');
    assert.ok(report.shards.held > 10);
    assert.is(report.manifest, 'StoreFullError');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
