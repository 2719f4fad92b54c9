import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardStore } from './shard-store.js';
import { rotStoredShard } from './testing/rot-shard.js';
import { shardHash } from './shard-hash.js';
import { DEFAULT_SHARD_PAYLOAD_BYTES, LMDB_ONE_PAGE_VALUE_BYTES, SHARD_HEADER_BYTES, writeShardHeader } from './shard-format.js';

const SIZE = SHARD_HEADER_BYTES + DEFAULT_SHARD_PAYLOAD_BYTES;

function shard(): { hash: Uint8Array; bytes: Uint8Array } {
  const bytes = new Uint8Array(SIZE);
  bytes.set(randomBytes(DEFAULT_SHARD_PAYLOAD_BYTES), SHARD_HEADER_BYTES);
  writeShardHeader(bytes, { k: 3, m: 2, index: 0, payloadLength: DEFAULT_SHARD_PAYLOAD_BYTES });
  return { hash: shardHash(bytes), bytes };
}

async function withStore(opts: { diskBytes: number; cacheBytes: number }, fn: (s: ShardStore, dir: string, clock: { t: number }) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-shard-store-'));
  const clock = { t: 1_000_000 };
  const s = new ShardStore({ path: join(dir, 'db'), ...opts, now: () => clock.t });
  await s.start();
  try {
    await fn(s, dir, clock);
  } finally {
    await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

test('a default shard with its header is exactly one LMDB overflow page worth of value', () => {
  assert.is(SIZE, LMDB_ONE_PAGE_VALUE_BYTES);
  assert.is(SIZE, 4072);
});

test('lmdb really keeps a 4,072-B value in one overflow page and a 4,073-B value in two', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-lmdb-page-'));
  const { open } = await import('lmdb');
  const env = open({ path: join(dir, 'db'), maxDbs: 4 });
  try {
    for (const [name, size, pages] of [['fits', 4072, 1], ['spills', 4073, 2]] as const) {
      const db = env.openDB({ name, encoding: 'binary', keyEncoding: 'binary' });
      for (let i = 0; i < 50; i++) await db.put(Buffer.of(i), Buffer.alloc(size, i));
      assert.is((db.getStats() as { overflowPages: number }).overflowPages, 50 * pages, `${size} B`);
    }
  } finally {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('map size: twice the budget, capped on 32-bit ARM', async () => {
  const { defaultMapSize } = await import('./shard-store.js');
  assert.is(defaultMapSize(2 ** 30, 'arm64'), 2 ** 31 + 64 * 2 ** 20);
  assert.is(defaultMapSize(2 ** 30, 'arm'), 1.5 * 2 ** 30);
  assert.is(defaultMapSize(2 ** 28, 'arm'), 2 ** 29 + 64 * 2 ** 20);
});

test('held shards survive cache pressure; the cache is LRU under its budget', async () => {
  await withStore({ diskBytes: 6 * SIZE, cacheBytes: 3 * SIZE }, async (s) => {
    const held = [shard(), shard()];
    for (const h of held) assert.is(await s.hold(h.hash, h.bytes, 2_000_000), 'stored');
    const cached = [shard(), shard(), shard()];
    for (const c of cached) assert.ok(await s.cache(c.hash, c.bytes));
    assert.is(s.stats().cachedShards, 3);
    // Touch the oldest so the middle one is least recently used.
    assert.ok(s.get(cached[0]!.hash));
    const extra = shard();
    assert.ok(await s.cache(extra.hash, extra.bytes));
    assert.ok(s.get(cached[0]!.hash), 'recently used stays');
    assert.not.ok(s.get(cached[1]!.hash), 'least recently used went');
    // Promises push the cache out of the disk budget, never the other way round.
    const more = [shard(), shard(), shard(), shard()];
    for (const h of more) assert.is(await s.hold(h.hash, h.bytes, 2_000_000), 'stored');
    assert.is(s.stats().heldShards, 6);
    assert.is(s.stats().cachedShards, 0);
    const over = shard();
    assert.is(await s.hold(over.hash, over.bytes, 2_000_000), 'full');
    assert.not.ok(await s.cache(over.hash, over.bytes), 'no room for cache either');
    for (const h of [...held, ...more]) assert.ok(s.get(h.hash), 'every promised shard is still there');
  });
});

test('caching never downgrades a held shard; holding a cached shard upgrades it', async () => {
  await withStore({ diskBytes: 10 * SIZE, cacheBytes: 2 * SIZE }, async (s) => {
    const a = shard();
    await s.cache(a.hash, a.bytes);
    assert.is(s.metaOf(a.hash)?.role, 'cache');
    await s.hold(a.hash, a.bytes, 5_000_000);
    assert.is(s.metaOf(a.hash)?.role, 'held');
    assert.equal(s.stats().cachedShards, 0);
    await s.cache(a.hash, a.bytes);
    assert.is(s.metaOf(a.hash)?.role, 'held');
    // A second promise for the same content keeps the later expiry.
    await s.hold(a.hash, a.bytes, 4_000_000);
    assert.is(s.metaOf(a.hash)?.expiresAt, 5_000_000);
  });
});

test('expiry: promises end at their lifetime and are swept', async () => {
  await withStore({ diskBytes: 10 * SIZE, cacheBytes: 0 }, async (s, _dir, clock) => {
    const a = shard(), b = shard();
    await s.hold(a.hash, a.bytes, 2_000_000);
    await s.hold(b.hash, b.bytes, 3_000_000);
    clock.t = 2_500_000;
    assert.is(await s.sweepExpired(), 1);
    assert.not.ok(s.get(a.hash));
    assert.ok(s.get(b.hash));
    assert.is(s.stats().heldBytes, SIZE);
  });
});

test('expired manifests go with the placement entries of their shards; meta records round-trip', async () => {
  const { encodeManifest, manifestId } = await import('./manifest.js');
  const { decodeShardMeta, encodeShardMeta, META_BYTES } = await import('./shard-meta-codec.js');
  await withStore({ diskBytes: 10 * SIZE, cacheBytes: 0 }, async (s, _dir, clock) => {
    const shardHashes = randomBytes(5 * 32);
    const bytes = encodeManifest({ v: 1, name: 'x', size: 10, k: 3, m: 2, payload: 4064, createdAt: 0, expiresAt: 2_000_000, origin: 'o',
      chunkHashes: randomBytes(32), shardHashes, peers: ['o'], placement: new Uint8Array(10) });
    const id = manifestId(bytes);
    await s.putManifest(id, bytes, { own: true, expiresAt: 2_000_000 });
    await s.setHolders(shardHashes.subarray(32, 64), ['p', 'q']);
    assert.equal(s.holdersOf(shardHashes.subarray(32, 64)), ['p', 'q']);
    clock.t = 1_999_999;
    await s.sweepExpired();
    assert.ok(s.getManifest(id));
    clock.t = 2_000_000;
    await s.sweepExpired();
    await s.flushed();
    assert.not.ok(s.getManifest(id));
    assert.is(s.holdersOf(shardHashes.subarray(32, 64)), undefined);
    assert.is([...s.manifestEntries()].length, 0);
  });
  const meta = { role: 'held' as const, size: 4072, expiresAt: 1.7e12 + 0.5, lastUsed: 123, ref: { manifest: 'ab'.repeat(32), chunk: 70000, index: 4 } };
  const enc = encodeShardMeta(meta);
  assert.is(enc.length, META_BYTES);
  assert.equal(decodeShardMeta(enc), meta);
  assert.equal(decodeShardMeta(encodeShardMeta({ role: 'cache', size: 9, expiresAt: 0, lastUsed: 1 })), { role: 'cache', size: 9, expiresAt: 0, lastUsed: 1 });
  assert.is(decodeShardMeta(new Uint8Array(59)), undefined);
  assert.is(decodeShardMeta(new Uint8Array(60)), undefined);
});

test('placement entries and manifest copies count against the disk budget: refused when spent, own ones always kept', async () => {
  const { placementBudget, placementRecordBytes } = await import('./shard-store.js');
  const { encodeManifest, manifestId } = await import('./manifest.js');
  const dir = await mkdtemp(join(tmpdir(), 'lattice-shard-store-'));
  try {
    // The placement share is its 1 MiB floor, and about 20 shards fit beside it.
    const opts = { path: join(dir, 'db'), diskBytes: 2 ** 20 + 20 * SIZE, cacheBytes: 0 };
    const s = new ShardStore(opts);
    await s.start();
    // The most an entry may name (k + m = 64 holders of 64 hex digits): ~4.3 KB, two overflow pages, 127 fit.
    const holder = Array.from({ length: 64 }, (_, i) => i.toString(16).padStart(2, '0').repeat(32));
    const per = placementRecordBytes(holder);
    const fit = Math.floor(placementBudget(opts.diskBytes) / per);
    for (let i = 0; i < fit; i++) assert.is(await s.setHolders(randomBytes(32), holder), 'stored');
    assert.is(await s.setHolders(randomBytes(32), holder), 'full', 'past the placement share');
    assert.is(s.stats().recordBytes, fit * per);
    // Rewriting an entry that exists at the same size needs no room; this relay's own repairs are always kept.
    const again = randomBytes(32);
    assert.is(await s.setHolders(again, holder, { own: true }), 'stored');
    assert.is(await s.setHolders(again, holder), 'stored');
    // Records and promises share the budget: with the records counted, one promise less fits.
    const promises: HoldCase[] = [];
    for (;;) {
      const sh = shard();
      if ((await s.hold(sh.hash, sh.bytes, 1e12)) === 'full') break;
      promises.push(sh);
    }
    assert.is(promises.length, Math.floor((opts.diskBytes - s.stats().recordBytes) / SIZE));
    // A manifest copy from another relay (40 chunks, bigger than what is left) no longer fits; an own manifest is
    // kept (and counted) anyway.
    const bytes = encodeManifest({ v: 1, name: 'x', size: 40 * 3 * 4064, k: 3, m: 2, payload: 4064, createdAt: 0, expiresAt: 2e12, origin: 'o',
      chunkHashes: randomBytes(40 * 32), shardHashes: randomBytes(40 * 5 * 32), peers: ['o'], placement: new Uint8Array(40 * 5 * 2) });
    assert.ok(bytes.length > SIZE);
    assert.is(await s.putManifest(manifestId(bytes), bytes, { own: false, expiresAt: 2e12 }), 'full');
    assert.is(s.getManifest(manifestId(bytes)), undefined);
    assert.is(await s.putManifest(manifestId(bytes), bytes, { own: true, expiresAt: 2e12 }), 'stored');
    const counted = s.stats().recordBytes;
    assert.is(counted, (fit + 1) * per + bytes.length);
    await s.stop();
    // The count comes back from disk.
    const s2 = new ShardStore(opts);
    await s2.start();
    assert.is(s2.stats().recordBytes, counted);
    await s2.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

type HoldCase = ReturnType<typeof shard>;

test('reads verify the hash: rotten bytes are dropped and reported', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-shard-store-'));
  const reported: string[] = [];
  const { open } = await import('lmdb');
  const env = open({ path: join(dir, 'db'), maxDbs: 12 });
  const s = new ShardStore({ env, diskBytes: 10 * SIZE, cacheBytes: 0, onCorrupt: (h, m) => reported.push(`${Buffer.from(h).toString('hex')}:${m?.role}`) });
  await s.start();
  try {
    const a = shard();
    await s.hold(a.hash, a.bytes, Date.now() + 1e6);
    rotStoredShard(s, a.hash, SIZE - 1, 1);
    assert.not.ok(s.get(a.hash));
    assert.equal(reported, [`${Buffer.from(a.hash).toString('hex')}:held`]);
    assert.is(s.stats().heldShards, 0);
    assert.is(s.stats().corruptFound, 1);
  } finally {
    await s.stop();
    await env.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('restart: promises, cache order and counters come back from disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-shard-store-'));
  try {
    const opts = { path: join(dir, 'db'), diskBytes: 10 * SIZE, cacheBytes: 2 * SIZE };
    const held = shard(), c1 = shard(), c2 = shard();
    let t = 10;
    const s1 = new ShardStore({ ...opts, now: () => t++ });
    await s1.start();
    await s1.hold(held.hash, held.bytes, 1e12);
    await s1.cache(c1.hash, c1.bytes);
    await s1.cache(c2.hash, c2.bytes);
    await s1.stop();
    const s2 = new ShardStore({ ...opts, now: () => t++ });
    await s2.start();
    const { diskBudgetBytes: _budget, diskFreeBytes: _free, ...counters } = s2.stats();
    assert.equal({ ...counters, corruptFound: 0 }, { heldShards: 1, heldBytes: SIZE, recordBytes: 0, cachedShards: 2, cachedBytes: 2 * SIZE, diskBytes: 10 * SIZE, cacheBytes: 2 * SIZE, corruptFound: 0 });
    const c3 = shard();
    await s2.cache(c3.hash, c3.bytes);
    assert.not.ok(s2.has(c1.hash), 'oldest cached went first after restart');
    assert.ok(s2.get(held.hash));
    await s2.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('disk budget: never more than the filesystem has free above its reserve, whatever diskBytes says', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-shard-store-'));
  const clock = { t: 1_000_000 };
  const reserve = 64 * SIZE;
  let free = reserve + 3 * SIZE;
  const s = new ShardStore({ path: join(dir, 'db'), diskBytes: 1000 * SIZE, cacheBytes: 10 * SIZE, now: () => clock.t, freeBytes: () => free, reserveBytes: reserve });
  await s.start();
  try {
    const held = Array.from({ length: 4 }, shard);
    // Each one stored takes its room off the disk, as the real filesystem would show.
    for (const a of held.slice(0, 3)) {
      assert.is(await s.hold(a.hash, a.bytes, 1e12), 'stored');
      free -= SIZE;
      clock.t += 1000;
    }
    assert.is(s.stats().diskBudgetBytes, 3 * SIZE, 'the budget is what is stored plus the room above the reserve');
    assert.is(await s.hold(held[3]!.hash, held[3]!.bytes, 1e12), 'full', 'diskBytes would take it, the disk would not');
    const c = shard();
    assert.is(await s.cache(c.hash, c.bytes), false, 'no read copy either');
    // Room returns (another program freed space): the next promise is taken.
    free += 10 * SIZE;
    clock.t += 1000;
    assert.is(await s.hold(held[3]!.hash, held[3]!.bytes, 1e12), 'stored');
    // A removed promise leaves a free slab slot: reused before the file grows, so it counts as room.
    free = reserve;
    clock.t += 1000;
    await s.remove(held[0]!.hash);
    assert.is(await s.hold(held[0]!.hash, held[0]!.bytes, 1e12), 'stored', 'the freed slot is room');
  } finally {
    await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('bytes on disk: 200 default shards take about one page each', async () => {
  await withStore({ diskBytes: 1000 * SIZE, cacheBytes: 0 }, async (s) => {
    for (let i = 0; i < 200; i++) { const a = shard(); await s.hold(a.hash, a.bytes, 1e12); }
    const perShard = s.usedBytes() / 200;
    assert.ok(perShard < 4096 * 1.15, `${perShard} B per shard`);
  });
});

test('slab: shard bytes live in 4 KB slots read with pread, not in the LMDB map; freed slots are reused', async () => {
  await withStore({ diskBytes: 100 * SIZE, cacheBytes: 0 }, async (s, dir) => {
    const { stat } = await import('node:fs/promises');
    const { open } = await import('lmdb');
    const a = Array.from({ length: 10 }, shard);
    for (const x of a) assert.is(await s.hold(x.hash, x.bytes, 2_000_000), 'stored');
    assert.is(Math.ceil((await stat(s.slabPath())).size / 4096), 10);
    assert.is(s.slabPath(), join(dir, 'db', 'shards.slab'));
    for (const x of a) assert.equal(Buffer.from(s.get(x.hash)!), Buffer.from(x.bytes));
    const slots = a.map((x) => s.metaOf(x.hash)!.slot!);
    assert.equal([...slots].sort((p, q) => p - q), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // No shard bytes in LMDB: its `shards` database holds nothing.
    const env = open({ path: join(dir, 'db'), maxDbs: 12, readOnly: true });
    try {
      assert.is((env.openDB({ name: 'shards', encoding: 'binary', keyEncoding: 'binary' }).getStats() as { entryCount: number }).entryCount, 0);
    } finally {
      await env.close();
    }
    await s.remove(a[3]!.hash);
    await s.remove(a[7]!.hash);
    await s.flushed();
    const b = [shard(), shard(), shard()];
    for (const x of b) await s.hold(x.hash, x.bytes, 2_000_000);
    assert.equal(b.map((x) => s.metaOf(x.hash)!.slot).sort(), [10, slots[3], slots[7]].sort(), 'both freed slots reused before the file grows');
    assert.is(Math.ceil((await stat(s.slabPath())).size / 4096), 11);
    assert.is(s.usedBytes() >= 11 * 4096, true);
    for (const x of [...a.filter((_, i) => i !== 3 && i !== 7), ...b]) assert.equal(Buffer.from(s.get(x.hash)!), Buffer.from(x.bytes));
  });
});

test('slab: a restart rebuilds the free slots from the records (and unnamed slots of a crash are free)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-shard-store-'));
  try {
    const { appendFile, stat } = await import('node:fs/promises');
    const opts = { path: join(dir, 'db'), diskBytes: 100 * SIZE, cacheBytes: 0 };
    const s1 = new ShardStore(opts);
    await s1.start();
    const a = [shard(), shard(), shard()];
    for (const x of a) await s1.hold(x.hash, x.bytes, 1e12);
    await s1.remove(a[0]!.hash);
    const slab = s1.slabPath();
    await s1.stop();
    // A crash after a slot was written but before its record committed leaves an unnamed slot at the end.
    await appendFile(slab, Buffer.alloc(4096, 0xee));
    const s2 = new ShardStore(opts);
    await s2.start();
    const b = [shard(), shard()];
    for (const x of b) await s2.hold(x.hash, x.bytes, 1e12);
    assert.equal(b.map((x) => s2.metaOf(x.hash)!.slot).sort(), [0, 3]);
    assert.is(Math.ceil((await stat(slab)).size / 4096), 4);
    for (const x of [a[1]!, a[2]!, ...b]) assert.ok(s2.get(x.hash));
    await s2.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('slab: two holds of the same shard at once store and count it once', async () => {
  await withStore({ diskBytes: 10 * SIZE, cacheBytes: 0 }, async (s) => {
    const a = shard();
    assert.equal(await Promise.all([s.hold(a.hash, a.bytes, 2_000_000), s.hold(a.hash, a.bytes, 3_000_000)]), ['stored', 'stored']);
    assert.is(s.stats().heldShards, 1);
    assert.is(s.stats().heldBytes, SIZE);
    assert.is(s.metaOf(a.hash)?.expiresAt, 3_000_000);
    assert.is(s.usedBytes() < 2 * 4096 + 16 * 4096, true);
    const other = shard();
    await s.hold(other.hash, other.bytes, 2_000_000);
    assert.is(s.metaOf(other.hash)?.slot, 1, 'the duplicate took no second slot');
  });
});

test('slab: shards bigger than a slot, and records written before the slab, keep their bytes in LMDB', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-shard-store-'));
  const { open } = await import('lmdb');
  const { encodeShardMeta } = await import('./shard-meta-codec.js');
  const env = open({ path: join(dir, 'db'), maxDbs: 12 });
  const s = new ShardStore({ env, diskBytes: 100 * SIZE, cacheBytes: 0 });
  await s.start();
  try {
    const payload = 8000;
    const big = new Uint8Array(SHARD_HEADER_BYTES + payload);
    big.set(randomBytes(payload), SHARD_HEADER_BYTES);
    writeShardHeader(big, { k: 3, m: 2, index: 1, payloadLength: payload });
    const bigHash = shardHash(big);
    assert.is(await s.hold(bigHash, big, 2_000_000), 'stored');
    assert.is(s.metaOf(bigHash)?.slot, undefined);
    assert.equal(Buffer.from(s.get(bigHash)!), Buffer.from(big));
    // An old store: 60-byte record, bytes in the `shards` database.
    const old = shard();
    await env.openDB({ name: 'shards', encoding: 'binary', keyEncoding: 'binary' }).put(Buffer.from(old.hash), Buffer.from(old.bytes));
    await env.openDB({ name: 'shard-meta', encoding: 'binary', keyEncoding: 'binary' }).put(Buffer.from(old.hash), encodeShardMeta({ role: 'held', size: SIZE, expiresAt: 2_000_000, lastUsed: 1 }));
    assert.equal(Buffer.from(s.get(old.hash)!), Buffer.from(old.bytes));
    await s.remove(bigHash);
    await s.remove(old.hash);
    await s.flushed();
    assert.is((env.openDB({ name: 'shards', encoding: 'binary', keyEncoding: 'binary' }).getStats() as { entryCount: number }).entryCount, 0);
  } finally {
    await s.stop();
    await env.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('slab: holding a shard whose bytes rotted writes it to a fresh slot and frees the rotten one', async () => {
  await withStore({ diskBytes: 10 * SIZE, cacheBytes: 0 }, async (s) => {
    const a = shard();
    await s.hold(a.hash, a.bytes, 2_000_000);
    assert.is(s.metaOf(a.hash)?.slot, 0);
    rotStoredShard(s, a.hash, 10, 0x80);
    // A second promise for it (e.g. a repair) rewrites it; learning its ref at the same time must not undo that.
    const ref = { manifest: 'cd'.repeat(32), chunk: 3, index: 1 };
    assert.equal(await Promise.all([s.hold(a.hash, a.bytes, 3_000_000), s.setRef(a.hash, ref)]), ['stored', undefined]);
    assert.equal(s.metaOf(a.hash), { role: 'held', size: SIZE, expiresAt: 3_000_000, lastUsed: 1_000_000, ref, slot: 1 });
    assert.equal(Buffer.from(s.get(a.hash)!), Buffer.from(a.bytes));
    assert.is(s.stats().heldShards, 1);
    await s.flushed();
    const b = shard();
    await s.hold(b.hash, b.bytes, 2_000_000);
    assert.is(s.metaOf(b.hash)?.slot, 0, 'the rotten slot was freed and reused');
    assert.is(s.stats().corruptFound, 0, 'found on write, not on a read');
  });
});

test.run();
