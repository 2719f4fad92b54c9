import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShardCluster } from './testing/shard-cluster.js';
import { chunkCount, shardHashOf } from './manifest.js';
import { DEFAULT_SHARD_PAYLOAD_BYTES } from './shard-format.js';

const CHUNK = 3 * DEFAULT_SHARD_PAYLOAD_BYTES;

async function withCluster(size: number, fn: (c: ShardCluster) => Promise<void>, opts: Partial<ConstructorParameters<typeof ShardCluster>[0]> = {}): Promise<void> {
  const c = await new ShardCluster({ size, ...opts }).start();
  try {
    await fn(c);
  } finally {
    await c.stop();
  }
}

async function writeTemp(c: ShardCluster, name: string, bytes: Uint8Array): Promise<string> {
  const p = join(c.dir, name);
  await writeFile(p, bytes);
  return p;
}

test('round trip of many sizes on five relays, shards on five distinct relays', async () => {
  await withCluster(5, async (c) => {
    const [a, b] = c.nodes;
    for (const size of [0, 1, 2, DEFAULT_SHARD_PAYLOAD_BYTES - 1, DEFAULT_SHARD_PAYLOAD_BYTES, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * 2 ** 20 + 17]) {
      const data = randomBytes(size);
      const path = await writeTemp(c, `in-${size}`, data);
      const progress: number[] = [];
      const put = await a!.putFile(path, { onProgress: (p) => progress.push(p.bytes) });
      assert.is(put.size, size);
      assert.is(put.chunks, Math.ceil(size / CHUNK));
      assert.is(progress.at(-1), size, 'progress ends at the file size');
      const m = (await a!.manifest(put.id))!;
      assert.is(m.expiresAt - m.createdAt, 30 * 86_400_000, 'default lifetime 30 days');
      for (let ch = 0; ch < chunkCount(m); ch++) {
        const holders = new Set(Array.from({ length: 5 }, (_, i) => a!.holders(m, ch, i)[0]));
        assert.is(holders.size, 5, `chunk ${ch} spread over 5 relays`);
      }
      const out = join(c.dir, `out-${size}`);
      const got = await b!.getFile(put.id, out);
      assert.is(got.size, size);
      assert.equal(await readFile(out), data, `size ${size}`);
    }
  });
});

test('any 2 of 5 relays lost: every file still reads', async () => {
  await withCluster(5, async (c) => {
    const data = randomBytes(5 * CHUNK + 123);
    const put = await c.nodes[0]!.putFile(await writeTemp(c, 'f', data));
    for (let x = 0; x < 5; x++) {
      for (let y = x + 1; y < 5; y++) {
        c.hub.setOnline(c.id(x), false);
        c.hub.setOnline(c.id(y), false);
        const reader = c.nodes.findIndex((_, i) => i !== x && i !== y);
        const out = join(c.dir, `out-${x}-${y}`);
        const got = await c.nodes[reader]!.getFile(put.id, out);
        assert.equal(await readFile(out), data, `lost ${x},${y}`);
        const m = (await c.nodes[reader]!.manifest(put.id))!;
        let needRebuild = 0;
        for (let ch = 0; ch < chunkCount(m); ch++) {
          if ([0, 1, 2].some((i) => [c.id(x), c.id(y)].includes(c.nodes[reader]!.holders(m, ch, i)[0]!))) needRebuild++;
        }
        assert.is(got.rebuiltChunks, needRebuild, 'chunks missing a data shard were rebuilt by Reed-Solomon');
        c.hub.setOnline(c.id(x), true);
        c.hub.setOnline(c.id(y), true);
      }
    }
  });
});

test('three relays lost: the read fails with NotEnoughShardsError and leaves no file', async () => {
  await withCluster(5, async (c) => {
    const put = await c.nodes[0]!.putFile(await writeTemp(c, 'f', randomBytes(CHUNK)));
    for (const i of [1, 2, 3]) c.hub.setOnline(c.id(i), false);
    const out = join(c.dir, 'out');
    try {
      await c.nodes[0]!.getFile(put.id, out);
      assert.unreachable();
    } catch (err) {
      assert.is((err as Error).name, 'NotEnoughShardsError');
    }
    await readFile(out).then(() => assert.unreachable('no output file'), () => {});
    await readFile(`${out}.part`).then(() => assert.unreachable('no part file'), () => {});
  });
});

test('unknown manifest id: ManifestNotFoundError', async () => {
  await withCluster(2, async (c) => {
    try {
      await c.nodes[0]!.getFile('00'.repeat(32), join(c.dir, 'x'));
      assert.unreachable();
    } catch (err) {
      assert.is((err as Error).name, 'ManifestNotFoundError');
    }
  });
});

test('five relays, two stopped: still readable, repaired onto the three left, then survives another loss', async () => {
  await withCluster(5, async (c) => {
    const data = randomBytes(4 * CHUNK + 99);
    const [a, b] = c.nodes;
    const put = await a!.putFile(await writeTemp(c, 'f', data));
    c.hub.setOnline(c.id(3), false);
    c.hub.setOnline(c.id(4), false);
    await b!.getFile(put.id, join(c.dir, 'o1'));
    assert.equal(await readFile(join(c.dir, 'o1')), data);
    // Within the grace period nothing moves: a reboot is not a loss.
    assert.is(await a!.repairOnce(), 0);
    c.clock += 120_000;
    const repaired = await a!.repairOnce();
    const m = (await a!.manifest(put.id))!;
    assert.is(repaired, 2 * chunkCount(m), 'two shards of every chunk rebuilt');
    assert.is(a!.status().repairs, repaired);
    // Every shard now lives on one of the three relays left, and they all agree on where.
    for (let ch = 0; ch < chunkCount(m); ch++) {
      for (let i = 0; i < 5; i++) {
        const holders = c.nodes[2]!.holders(m, ch, i);
        assert.ok(holders.every((h) => [0, 1, 2].map((j) => c.id(j)).includes(h)), `chunk ${ch} shard ${i} on ${holders}`);
        const at = c.nodes[Number(holders[0]!.split('-')[1])]!;
        assert.ok(at.store.get(shardHashOf(m, ch, i)), 'holder has the shard');
      }
    }
    // Two of five shards per chunk at most on one relay: losing any one more relay still leaves k = 3.
    for (const gone of [0, 1, 2]) {
      c.hub.setOnline(c.id(gone), false);
      const reader = c.nodes[(gone + 1) % 3]!;
      await reader.getFile(put.id, join(c.dir, `o-${gone}`));
      assert.equal(await readFile(join(c.dir, `o-${gone}`)), data);
      c.hub.setOnline(c.id(gone), true);
    }
    // A second pass finds nothing left to do.
    assert.is(await a!.repairOnce(), 0);
  });
});

test('when the origin is gone too, the lowest-id surviving holder repairs', async () => {
  await withCluster(5, async (c) => {
    const data = randomBytes(2 * CHUNK);
    const put = await c.nodes[4]!.putFile(await writeTemp(c, 'f', data));
    c.hub.setOnline(c.id(4), false);
    c.hub.setOnline(c.id(3), false);
    c.clock += 120_000;
    assert.is(await c.nodes[2]!.repairOnce(), 0, 'relay-2 is not the lowest id');
    assert.is(await c.nodes[1]!.repairOnce(), 0, 'relay-1 is not the lowest id');
    assert.is(await c.nodes[0]!.repairOnce(), 4);
    await c.nodes[1]!.getFile(put.id, join(c.dir, 'o'));
    assert.equal(await readFile(join(c.dir, 'o')), data);
  });
});

test('other geometries from config: RS(4,2) on six relays and RS(2,1) on three, losing m relays', async () => {
  for (const [k, m] of [[4, 2], [2, 1]] as const) {
    await withCluster(k + m, async (c) => {
      const data = randomBytes(3 * k * DEFAULT_SHARD_PAYLOAD_BYTES + 7);
      const put = await c.nodes[0]!.putFile(await writeTemp(c, 'f', data));
      assert.is(put.holders.length, k + m);
      assert.is(put.chunks, 4);
      for (let i = 1; i <= m; i++) c.hub.setOnline(c.id(i), false);
      await c.nodes[0]!.getFile(put.id, join(c.dir, 'o'));
      assert.equal(await readFile(join(c.dir, 'o')), data, `RS(${k},${m})`);
    }, { settings: { k, m } });
  }
});

test('fewer relays than shards: a lone relay keeps all five shards of each chunk and reads the file back', async () => {
  await withCluster(1, async (c) => {
    const data = randomBytes(2 * CHUNK + 1);
    const put = await c.nodes[0]!.putFile(await writeTemp(c, 'f', data));
    assert.equal(put.holders, [c.id(0)]);
    assert.is(c.nodes[0]!.status().heldShards, 3 * 5);
    await c.nodes[0]!.getFile(put.id, join(c.dir, 'o'));
    assert.equal(await readFile(join(c.dir, 'o')), data);
  });
});

test('files over shards.maxFileBytes are refused before anything is stored', async () => {
  await withCluster(2, async (c) => {
    const p = await writeTemp(c, 'big', randomBytes(5000));
    try {
      await c.nodes[0]!.putFile(p);
      assert.unreachable();
    } catch (err) {
      assert.is((err as Error).name, 'FileTooLargeError');
    }
    assert.is(c.nodes[0]!.status().heldShards, 0);
  }, { tuning: { maxFileBytes: 4096 } });
});

test.run();
