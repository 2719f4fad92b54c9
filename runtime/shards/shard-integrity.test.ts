import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShardCluster } from './testing/shard-cluster.js';
import { rotStoredShard } from './testing/rot-shard.js';
import { chunkCount, shardHashOf } from './manifest.js';
import { DEFAULT_SHARD_PAYLOAD_BYTES } from './shard-format.js';
import { proveSegment } from './shard-hash.js';
import type { ShardRequestHandler } from './shard-network.js';

const CHUNK = 3 * DEFAULT_SHARD_PAYLOAD_BYTES;

/** The same bytes every run (SHA-256 in counter mode from `seed`): where rendezvous placement puts each chunk. */
function seededBytes(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, at = 0; at < n; i++, at += 32) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, at);
  return out;
}

async function cluster(size: number): Promise<ShardCluster> {
  return new ShardCluster({ size }).start();
}

test('a corrupted stored shard is detected on read, the file still reads, and its holder rebuilds it', async () => {
  const c = await cluster(5);
  try {
    const data = randomBytes(2 * CHUNK);
    const p = join(c.dir, 'f');
    await writeFile(p, data);
    const put = await c.nodes[0]!.putFile(p);
    const m = (await c.nodes[0]!.manifest(put.id))!;
    // Rot one byte of data shard 0 of chunk 1 on its holder's disk.
    const target = { ch: 1, i: 0 };
    const hash = shardHashOf(m, target.ch, target.i);
    const h = Number(c.nodes[0]!.holders(m, target.ch, target.i)[0]!.split('-')[1]);
    rotStoredShard(c.nodes[h]!.store, hash, 100, 0x40);

    const out = join(c.dir, 'out');
    await c.nodes[(h + 1) % 5]!.getFile(put.id, out);
    assert.equal(await readFile(out), data, 'file reads around the rotten shard');
    assert.is(c.nodes[h]!.status().corruptFound, 1, 'holder noticed on read');
    assert.not.ok(c.nodes[h]!.store.get(hash), 'rotten copy dropped');

    // The holder queued its own shard for repair (it knows manifest, chunk and index from the store request).
    const repaired = await c.nodes[h]!.repairOnce();
    assert.is(repaired, 1);
    const holders = c.nodes[h]!.holders(m, target.ch, target.i);
    const holderNode = c.nodes[Number(holders[0]!.split('-')[1])]!;
    assert.ok(holderNode.store.get(hash), 'an intact copy exists again');
    // And the other relays learnt where it is now.
    assert.equal(c.nodes[(h + 2) % 5]!.holders(m, target.ch, target.i), holders);
  } finally {
    await c.stop();
  }
});

test('the scrub finds rot before any reader does, and the holder rebuilds the shard', async () => {
  const c = await cluster(5);
  try {
    const p = join(c.dir, 'f');
    await writeFile(p, randomBytes(3 * CHUNK));
    const put = await c.nodes[0]!.putFile(p);
    const m = (await c.nodes[0]!.manifest(put.id))!;
    const hash = shardHashOf(m, 2, 4);
    const h = Number(c.nodes[0]!.holders(m, 2, 4)[0]!.split('-')[1]);
    rotStoredShard(c.nodes[h]!.store, hash, 4000, 2);
    const held = c.nodes[h]!.status().heldShards;
    const r = c.nodes[h]!.scrubOnce(1000);
    assert.equal(r, { checked: held, bad: 1 });
    assert.is(await c.nodes[h]!.repairOnce(), 1);
    const now = c.nodes[h]!.holders(m, 2, 4)[0]!;
    assert.ok(c.nodes[Number(now.split('-')[1])]!.store.get(hash));
    // A partial scrub from a random start visits exactly the number asked for.
    assert.is(c.nodes[h]!.scrubOnce(2).checked, 2);
  } finally {
    await c.stop();
  }
});

test('a shard corrupted in transit costs the sender reputation and is read from elsewhere', async () => {
  const c = await cluster(5);
  try {
    const data = randomBytes(CHUNK);
    const p = join(c.dir, 'f');
    await writeFile(p, data);
    const put = await c.nodes[0]!.putFile(p);
    const m = (await c.nodes[0]!.manifest(put.id))!;
    // The holder of data shard 0 flips a bit in everything it sends; the reader is some other relay.
    const bad = c.nodes[0]!.holders(m, 0, 0)[0]!;
    const reader = c.nodes.find((n) => n.self !== bad)!;
    c.hub.wrap(bad, (inner): ShardRequestHandler => async (from, req) => {
      const res = await inner(from, req);
      if (res.op === 'fetch' && res.shard) res.shard[50]! ^= 1;
      return res;
    });
    const before = reader.reputation.score(bad);
    const got = await reader.getFile(put.id, join(c.dir, 'o'));
    assert.equal(await readFile(join(c.dir, 'o')), data);
    assert.is(got.rebuiltChunks, 1, 'data shard 0 came from parity');
    assert.ok(reader.reputation.score(bad) < before, 'liar punished');
    assert.is(reader.status().repairQueue, 1, 'shard queued for repair');
  } finally {
    await c.stop();
  }
});

test('a holder that throws shards away fails challenges, drops below 20, is excluded, and its shards move', async () => {
  const c = await cluster(6);
  try {
    const liar = c.id(5);
    // The liar says "stored" and keeps nothing; asked to prove, it makes up bytes.
    c.hub.wrap(liar, (inner): ShardRequestHandler => async (from, req) => {
      if (req.op === 'store') return { op: 'store', result: 'stored' };
      if (req.op === 'challenge') {
        const fake = proveSegment(randomBytes(DEFAULT_SHARD_PAYLOAD_BYTES + 8), req.offset);
        return { op: 'challenge', nonce: req.nonce, segment: fake.segment, bytes: fake.bytes, siblings: fake.siblings };
      }
      return inner(from, req);
    });
    const a = c.nodes[0]!;
    // Six relays and five shards a chunk: each chunk leaves one relay out, chosen by its hash. With random data
    // relay 1 held fewer than the 3 shards audited below about once in 100 runs (and the liar fewer than 2 once in
    // 1,500); these bytes give relay 1 five shards and the liar five.
    const data = seededBytes(6 * CHUNK, 'shard-integrity liar');
    const p = join(c.dir, 'f');
    await writeFile(p, data);
    const put = await a.putFile(p);
    assert.ok(put.holders.includes(liar), 'the liar was given shards');
    // Honest holders pass.
    const honest = await a.auditPeer(c.id(1), 3);
    assert.equal(honest, { sent: 3, failed: 0 });
    const r = await a.auditPeer(liar, 3);
    assert.is(r.failed, r.sent);
    assert.ok(r.sent >= 2);
    assert.ok(a.reputation.score(liar) < 20, `score ${a.reputation.score(liar)}`);
    assert.not.ok(a.placeablePeers().includes(liar));
    assert.is(a.status().challengesFailed, r.failed);
    // Repair moves every shard the liar "held" (not only the challenged ones: it is excluded now).
    await a.repairOnce();
    const m = (await a.manifest(put.id))!;
    for (let ch = 0; ch < chunkCount(m); ch++) for (let i = 0; i < 5; i++) assert.not.ok(a.holders(m, ch, i).includes(liar), `chunk ${ch} shard ${i}`);
    // New files avoid it, and the old one reads with the liar's answers ignored.
    await writeFile(p, data.subarray(0, CHUNK));
    const put2 = await a.putFile(p);
    assert.not.ok(put2.holders.includes(liar));
    c.hub.setOnline(c.id(1), false);
    await c.nodes[2]!.getFile(put.id, join(c.dir, 'o'));
    assert.equal(await readFile(join(c.dir, 'o')), data);
  } finally {
    await c.stop();
  }
});

test('a holder that does not answer within the deadline fails the challenge', async () => {
  const c = new ShardCluster({ size: 5, tuning: { challengeTimeoutMs: 50 } });
  await c.start();
  try {
    const p = join(c.dir, 'f');
    await writeFile(p, randomBytes(CHUNK));
    await c.nodes[0]!.putFile(p);
    c.hub.wrap(c.id(3), (inner): ShardRequestHandler => async (from, req) => {
      if (req.op === 'challenge') await new Promise((r) => setTimeout(r, 300));
      return inner(from, req);
    });
    const r = await c.nodes[0]!.auditPeer(c.id(3), 1);
    assert.equal(r, { sent: 1, failed: 1 });
  } finally {
    await c.stop();
  }
});

test('a full relay answers "full" once or twice per put, not once per shard; the file lands elsewhere', async () => {
  const c = new ShardCluster({ size: 6, tuning: { inflightChunks: 4 } });
  await c.start();
  try {
    let asked = 0;
    c.hub.wrap(c.id(5), (inner): ShardRequestHandler => async (from, req) => {
      if (req.op === 'store') { asked++; return { op: 'store', result: 'full' }; }
      return inner(from, req);
    });
    const data = randomBytes(100 * CHUNK);
    const p = join(c.dir, 'f');
    await writeFile(p, data);
    const put = await c.nodes[0]!.putFile(p);
    assert.not.ok(put.holders.includes(c.id(5)));
    assert.ok(asked >= 1 && asked <= 8, `asked ${asked} times`);
    await c.nodes[3]!.getFile(put.id, join(c.dir, 'o'));
    assert.equal(await readFile(join(c.dir, 'o')), data);
  } finally {
    await c.stop();
  }
});

test('restart keeps promises: a restarted relay still holds, serves and proves its shards', async () => {
  const c = await cluster(5);
  try {
    const data = randomBytes(3 * CHUNK);
    const p = join(c.dir, 'f');
    await writeFile(p, data);
    const put = await c.nodes[0]!.putFile(p);
    const before = c.nodes[3]!.status();
    assert.ok(before.heldShards > 0);
    const n3 = await c.restart(3);
    const after = n3.status();
    assert.is(after.heldShards, before.heldShards);
    assert.is(after.heldBytes, before.heldBytes);
    assert.is(after.manifests, 1, 'the manifest copy survived too');
    const r = await c.nodes[0]!.auditPeer(c.id(3), 4);
    assert.is(r.failed, 0);
    // With two others gone the restarted relay's shards are needed to read.
    c.hub.setOnline(c.id(1), false);
    c.hub.setOnline(c.id(2), false);
    await n3.getFile(put.id, join(c.dir, 'o'));
    assert.equal(await readFile(join(c.dir, 'o')), data);
  } finally {
    await c.stop();
  }
});

test.run();
