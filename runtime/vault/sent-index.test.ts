/**
 * A vault written before the `sent` index: its own bundles (live and tombstones) are listed at the first start,
 * once (the `sent-index` mark), and what other relays sent is not.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { open } from 'lmdb';
import { Vault, type IngestRecord } from './vault.js';

const hex = (id: Uint8Array) => Buffer.from(id).toString('hex');
const rec = (at: number, created: boolean): IngestRecord => ({ id: randomBytes(32), bytes: randomBytes(80), receivedAt: at, expiresAt: at + 3_600_000, created, targets: ['*'] });

test('a vault from before the sent index lists its own bundles at the first start, once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-sent-'));
  try {
    const t0 = Date.now();
    const mine = [rec(t0, true), rec(t0 + 1, true)];
    const theirs = rec(t0 + 2, false);
    let v = new Vault({ path: dir, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
    await v.start();
    for (const r of [...mine, theirs]) await v.ingest(r);
    assert.equal(v.sentIds().map((e) => hex(e.id)), [hex(mine[1]!.id), hex(mine[0]!.id)]);
    await v.stop();

    // As an older relay left it: no entries, no mark.
    const env = open({ path: dir, maxDbs: 16 });
    await env.openDB('sent', { keyEncoding: 'binary', encoding: 'binary' }).clearAsync();
    await env.openDB('meta', {}).remove('sent-index');
    await env.close();
    v = new Vault({ path: dir, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
    await v.start();
    try {
      assert.equal(v.sentIds().map((e) => hex(e.id)), [hex(mine[1]!.id), hex(mine[0]!.id)], 'listed again from the rows');
    } finally {
      await v.stop();
    }
    // Marked: later starts do not scan the rows again (entries removed behind its back stay removed).
    const again = open({ path: dir, maxDbs: 16 });
    await again.openDB('sent', { keyEncoding: 'binary', encoding: 'binary' }).clearAsync();
    await again.close();
    v = new Vault({ path: dir, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
    await v.start();
    try {
      assert.equal(v.sentIds(), [], 'no second scan');
    } finally {
      await v.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
