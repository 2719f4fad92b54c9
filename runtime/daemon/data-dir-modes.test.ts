/**
 * The data directory holds the relay's key and, in its stores, every message it carries in clear: after
 * `lattice run` starts, the directory and every directory in it are 0700 and every file 0600 — new ones (the
 * simulated default creates the most: vault, shard store, bridge queue, the simulated relays' keys and vaults) and
 * existing ones left readable by an older version or a careless copy, fixed at start with one log line. What is
 * not the relay's is left alone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayProcess } from './testing/relay-process.js';
import { tightenDataDir } from './data-dir-modes.js';

let root = '';
test.before(() => {
  root = mkdtempSync(join(tmpdir(), 'lattice-modes-'));
});
test.after(() => rmSync(root, { recursive: true, force: true }));

/** Every entry under `dir` (and `dir` itself) whose mode is not 0700 (directories) / 0600 (files). */
function loose(dir: string): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o7777) !== want) out.push(`${p} ${(st.mode & 0o7777).toString(8)}`);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
  };
  visit(dir);
  return out;
}

function count(dir: string): number {
  let n = 0;
  const visit = (p: string) => {
    n++;
    if (lstatSync(p).isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
  };
  visit(dir);
  return n;
}

function tightenLines(output: string): string[] {
  return output.split('\n').filter((l) => l.startsWith('{') && JSON.parse(l).ns === 'relay' && /permissions/.test(JSON.parse(l).msg));
}

test('after a start of the simulated default, every directory is 0700 and every file 0600', async () => {
  const dataDir = join(root, 'sim');
  const relay = new RelayProcess({ dataDir, sim: true });
  try {
    await relay.start();
    assert.ok(count(dataDir) > 20, `the simulated default created ${count(dataDir)} entries`);
    assert.ok(readdirSync(dataDir).includes('bridge'), readdirSync(dataDir).join(' '));
    assert.equal(loose(dataDir), []);
  } finally {
    assert.is(await relay.stop(), 0);
  }
  assert.equal(loose(dataDir), [], 'and after a clean stop');
});

test('existing files and directories readable by others are fixed at start, with one log line', async () => {
  // The data directory the first test's relay left (the simulated default's: the most entries, power-state.json
  // among them), opened by a relay without the simulator; creating one with a start of its own costs ~0.5 s of CPU.
  const dataDir = join(root, 'sim');
  assert.ok(count(dataDir) > 20, 'the first test left its data directory');
  const relay = new RelayProcess({ dataDir });
  // What an older version (or `cp -r` with a 022 umask) left behind.
  const loosen = (p: string) => {
    const st = lstatSync(p);
    chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) for (const name of readdirSync(p)) loosen(join(p, name));
  };
  loosen(dataDir);
  assert.ok(loose(dataDir).length >= 6, loose(dataDir).join('\n'));
  relay.output = '';
  await relay.start();
  try {
    assert.equal(loose(dataDir), []);
    const lines = tightenLines(relay.output);
    assert.is(lines.length, 1, relay.output);
    assert.match(JSON.parse(lines[0]!).msg, /^tightened permissions under .*: \d+ files? to 0600 and \d+ director(y|ies) to 0700/);
  } finally {
    assert.is(await relay.stop(), 0);
  }
  relay.output = '';
  await relay.start();
  assert.equal(tightenLines(relay.output), [], 'nothing to fix the next time: no line');
  assert.is(await relay.stop(), 0);
});

test('tightenDataDir: the directory and the relay\'s entries, counted; other files and symbolic links left alone', async () => {
  const dataDir = join(root, 'unit');
  const outside = join(root, 'outside.txt');
  writeFileSync(outside, 'not ours', { mode: 0o644 });
  chmodSync(outside, 0o644);
  mkdirSync(join(dataDir, 'sub'), { recursive: true, mode: 0o755 });
  chmodSync(dataDir, 0o755);
  chmodSync(join(dataDir, 'sub'), 0o755);
  writeFileSync(join(dataDir, 'sub', 'a'), 'a', { mode: 0o644 });
  writeFileSync(join(dataDir, 'b'), 'b', { mode: 0o600 });
  symlinkSync(outside, join(dataDir, 'vault'));
  assert.equal(await tightenDataDir(dataDir), { files: 0, dirs: 1, failed: [] }, 'only the directory itself: the rest is not the relay\'s');
  assert.is(statSync(outside).mode & 0o777, 0o644, 'a link is not followed');
  assert.is(statSync(join(dataDir, 'sub', 'a')).mode & 0o777, 0o644);
  rmSync(join(dataDir, 'vault'));
  for (const [name, mode] of [['node.key.replaced-2026-01-01T00-00-00-000Z', 0o644], ['airtime-lora0.json', 0o644], ['power-state.json', 0o644], ['lora-v2-stamp', 0o644], ['vault.damaged-2026-01-01T00-00-00-000Z', 0o755]] as const) {
    if (name.startsWith('vault')) mkdirSync(join(dataDir, name), { mode });
    else writeFileSync(join(dataDir, name), 'x', { mode });
    chmodSync(join(dataDir, name), mode);
  }
  writeFileSync(join(dataDir, 'vault.damaged-2026-01-01T00-00-00-000Z', 'data.mdb'), 'x', { mode: 0o644 });
  writeFileSync(join(dataDir, 'tool.sh'), '#!/bin/sh\n', { mode: 0o755 });
  chmodSync(join(dataDir, 'tool.sh'), 0o755);
  assert.equal(await tightenDataDir(dataDir), { files: 5, dirs: 1, failed: [] });
  assert.is(statSync(join(dataDir, 'tool.sh')).mode & 0o777, 0o755, 'not the relay\'s: left alone');
  assert.equal(await tightenDataDir(dataDir), { files: 0, dirs: 0, failed: [] });
  const fresh = join(root, 'fresh', 'data');
  await tightenDataDir(fresh);
  assert.is(statSync(fresh).mode & 0o777, 0o700);
});

test.run();
