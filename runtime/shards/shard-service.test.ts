import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMetrics } from '../metrics/metrics.js';
import { ShardCluster } from './testing/shard-cluster.js';
import { ShardNode } from './shard-node.js';
import { DEFAULT_SHARD_PAYLOAD_BYTES } from './shard-format.js';
import type { ShardRequest } from './shard-network.js';

const CHUNK = 3 * DEFAULT_SHARD_PAYLOAD_BYTES;

test('hostile requests get error answers and change nothing', async () => {
  const c = await new ShardCluster({ size: 2 }).start();
  try {
    const net = c.hub.network('outsider');
    net.onRequest(async () => ({ op: 'error', reason: 'n/a' }));
    const target = c.id(0);
    const bad: unknown[] = [
      { op: 'store', shard: 'nope', expiresAt: 1 },
      { op: 'store', shard: new Uint8Array(10), expiresAt: c.clock + 1000 },
      { op: 'store', shard: Uint8Array.of(1, 3, 2, 9, 0, 0, 0, 0), expiresAt: c.clock + 1000 },
      { op: 'fetch', hash: 'x' },
      { op: 'challenge', hash: new Uint8Array(32), offset: -5, length: 1, nonce: new Uint8Array(16) },
      { op: 'put-manifest', id: 'ab', bytes: new Uint8Array(3), expiresAt: 0 },
      { op: 'get-manifest', id: 42 },
      { op: 'placement', entries: 'x' },
      { op: 'explode' },
    ];
    for (const req of bad) {
      const res = await net.request(target, req as ShardRequest);
      assert.ok(['error', 'fetch', 'challenge', 'put-manifest', 'get-manifest'].includes(res.op), JSON.stringify(res));
      if (res.op === 'fetch') assert.not.ok(res.shard);
      if (res.op === 'challenge') assert.ok('missing' in res);
      if (res.op === 'put-manifest') assert.not.ok(res.ok);
    }
    assert.is(c.nodes[0]!.status().heldShards, 0);
    assert.is(c.nodes[0]!.status().manifests, 0);
    // A well-formed manifest of shards this relay does not hold is not kept either.
    const { encodeManifest, manifestId } = await import('./manifest.js');
    const bytes = encodeManifest({ v: 1, name: 'x', size: 10, k: 3, m: 2, payload: 4064, createdAt: 0, expiresAt: c.clock + 1e6, origin: 'o',
      chunkHashes: randomBytes(32), shardHashes: randomBytes(160), peers: ['o'], placement: new Uint8Array(10) });
    assert.equal(await net.request(target, { op: 'put-manifest', id: manifestId(bytes), bytes, expiresAt: c.clock + 1e6 }), { op: 'put-manifest', ok: false });
    assert.is(c.nodes[0]!.status().manifests, 0);
    // An expired promise is refused, not stored.
    const shard = new Uint8Array(8 + 16);
    shard.set([1, 3, 2, 0, 0, 16, 0, 0]);
    const res = await net.request(target, { op: 'store', shard, expiresAt: c.clock - 1 });
    assert.equal(res, { op: 'store', result: 'rejected' });
  } finally {
    await c.stop();
  }
});

test('placement requests beyond the disk budget are refused; malformed entries are skipped', async () => {
  const { placementBudget } = await import('./shard-store.js');
  const diskBytes = 2 ** 20 + 10 * 4072;
  const c = await new ShardCluster({ size: 1, settings: { diskBytes } }).start();
  try {
    const net = c.hub.network('outsider');
    net.onRequest(async () => ({ op: 'error', reason: 'n/a' }));
    const holders = Array.from({ length: 64 }, (_, i) => i.toString(16).padStart(2, '0').repeat(32));
    const request = () => ({ op: 'placement' as const, entries: Array.from({ length: 50 }, () => ({ hash: new Uint8Array(randomBytes(32)), holders })) });
    const answers: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await net.request(c.id(0), request());
      assert.is(res.op, 'placement');
      answers.push((res as { ok: boolean }).ok);
    }
    assert.equal(answers.slice(0, 2), [true, true]);
    assert.equal(answers.slice(3), [false, false], '50 entries of ~8 KB on disk each: the third request overflows the 1 MiB share and the rest are refused');
    const kept = c.nodes[0]!.status().recordBytes;
    assert.ok(kept > 0 && kept <= placementBudget(diskBytes), `${kept} bytes of placement kept`);
    // Malformed entries change nothing and the answer says so.
    const bad = [
      { hash: new Uint8Array(31), holders: ['a'] },
      { hash: new Uint8Array(32), holders: [] },
      { hash: new Uint8Array(32), holders: [...holders, 'x'] },
      { hash: new Uint8Array(32), holders: ['y'.repeat(65)] },
      { hash: new Uint8Array(32), holders: [7] },
      null,
    ];
    assert.equal(await net.request(c.id(0), { op: 'placement', entries: bad as never }), { op: 'placement', ok: false });
    assert.is(c.nodes[0]!.status().recordBytes, kept);
  } finally {
    await c.stop();
  }
});

test('timers: a started node challenges holders by itself', async () => {
  const c = new ShardCluster({ size: 5, tuning: { challengeIntervalMs: 20 } });
  await c.start();
  try {
    const p = join(c.dir, 'f');
    await writeFile(p, randomBytes(CHUNK));
    await c.nodes[0]!.putFile(p);
    const deadline = Date.now() + 20_000;
    while (c.nodes[0]!.status().challengesSent === 0) {
      if (Date.now() > deadline) assert.unreachable('no challenge within 20 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.is(c.nodes[0]!.status().challengesFailed, 0);
  } finally {
    await c.stop();
  }
});

test('timers: a started origin repairs by itself once a holder has been gone past the grace period', async () => {
  const c = new ShardCluster({ size: 5, tuning: { repairIntervalMs: 20, offlineGraceMs: 60_000 } });
  await c.start();
  try {
    const p = join(c.dir, 'f');
    await writeFile(p, randomBytes(2 * CHUNK));
    await c.nodes[0]!.putFile(p);
    c.hub.setOnline(c.id(4), false);
    c.clock += 120_000;
    const deadline = Date.now() + 20_000;
    while (c.nodes[0]!.status().repairs < 2) {
      if (Date.now() > deadline) assert.unreachable(`only ${c.nodes[0]!.status().repairs} repairs within 20 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.is(c.nodes[0]!.status().repairs, 2, 'one shard per chunk, once');
  } finally {
    await c.stop();
  }
});

test('repair paused (a relay short of power): passes are skipped until it is lifted, then the repair happens', async () => {
  const c = new ShardCluster({ size: 5, tuning: { repairIntervalMs: 20, offlineGraceMs: 60_000 } });
  await c.start();
  try {
    const p = join(c.dir, 'f');
    await writeFile(p, randomBytes(2 * CHUNK));
    await c.nodes[0]!.putFile(p);
    c.nodes[0]!.repairPaused = true;
    c.hub.setOnline(c.id(4), false);
    c.clock += 120_000;
    const deadline = Date.now() + 20_000;
    while (c.nodes[0]!.repairPassesSkipped < 3) {
      if (Date.now() > deadline) assert.unreachable('no repair pass skipped within 20 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.is(c.nodes[0]!.status().repairs, 0, 'three passes came and went without a repair');
    c.nodes[0]!.repairPaused = false;
    while (c.nodes[0]!.status().repairs < 2) {
      if (Date.now() > deadline) assert.unreachable(`only ${c.nodes[0]!.status().repairs} repairs within 20 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await c.stop();
  }
});

test('metrics: lattice_shards_* are registered and follow the store', async () => {
  const c = await new ShardCluster({ size: 5 }).start();
  const registry = createMetrics({ defaultMetrics: false });
  const node = new ShardNode({
    network: c.hub.network('metered'), settings: { k: 3, m: 2, cacheBytes: 2 ** 20, diskBytes: 2 ** 26, lifetimeDays: 30 },
    store: { path: join(c.dir, 'metered') }, metrics: registry, tuning: { challengeIntervalMs: 0, repairIntervalMs: 0, sweepIntervalMs: 0 },
  });
  try {
    // Put before the metered relay joins, so it holds nothing and every shard it reads comes from elsewhere.
    const p = join(c.dir, 'f');
    await writeFile(p, randomBytes(2 * CHUNK));
    const put = await c.nodes[0]!.putFile(p);
    await node.start();
    await node.getFile(put.id, join(c.dir, 'o'));
    await node.getFile(put.id, join(c.dir, 'o2'));
    // The second read's cache copies are written in the background (slab write, fdatasync, record commit): wait for
    // them, or a loaded machine reads some of them remotely a third time.
    for (let i = 0; i < 200 && node.status().cachedShards < 6; i++) await new Promise((r) => setTimeout(r, 25));
    assert.is(node.status().cachedShards, 6, 'the six shards read twice were admitted to the cache');
    await node.getFile(put.id, join(c.dir, 'o3'));
    await node.auditPeer(c.id(1), 1);
    const text = await registry.render();
    for (const name of ['lattice_shards_stored', 'lattice_shards_bytes_stored', 'lattice_shards_cache_hit_ratio', 'lattice_shards_cache_hits_total',
      'lattice_shards_challenges_sent_total', 'lattice_shards_challenges_failed_total', 'lattice_shards_repairs_total']) {
      assert.match(text, new RegExp(`^${name} `, 'm'), name);
    }
    // Reads fetch exactly k = 3 shards per chunk. The first read caches nothing (a one-off scan); the second
    // read of the same shards admits them; the third is served locally.
    assert.match(text, /^lattice_shards_cache_misses_total 12$/m);
    assert.match(text, /^lattice_shards_cache_hits_total 6$/m);
    assert.match(text, /^lattice_shards_cache_hit_ratio 0.3333/m);
    assert.match(text, /^lattice_shards_challenges_sent_total 1$/m);
    assert.match(text, /^lattice_shards_bytes_stored 24432$/m);
    // A restart on the same registry replaces the metrics instead of throwing "already registered".
    await node.stop();
    await node.start();
    assert.match(await registry.render(), /^lattice_shards_cache_hits_total 0$/m);
  } finally {
    await node.stop();
    await c.stop();
  }
});

test.run();
