import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkShardNetwork, type ShardMessageLink } from './link-shard-network.js';
import { ShardNode } from './shard-node.js';
import { TEST_SETTINGS } from './testing/shard-cluster.js';

/** A toy "bearer": delivers whole messages between named endpoints on the next tick; endpoints can go down. */
function toyBearer(ids: string[]) {
  const handlers = new Map<string, (from: string, m: Uint8Array) => void>();
  const down = new Set<string>();
  const link = (self: string): ShardMessageLink => ({
    self,
    peers: () => ids.filter((p) => p !== self && !down.has(p)).map((id) => ({ id })),
    send: async (peer, message) => {
      if (down.has(peer) || down.has(self)) return false;
      const copy = Uint8Array.from(message);
      setImmediate(() => handlers.get(peer)?.(self, copy));
      return true;
    },
    onMessage: (h) => { handlers.set(self, h); },
  });
  return { link, down, inject: (to: string, from: string, m: Uint8Array) => handlers.get(to)?.(from, m) };
}

test('five ShardNodes over a message bearer: put, get, two down, still readable', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-link-'));
  const ids = [0, 1, 2, 3, 4].map((i) => `relay-${i}`);
  const bearer = toyBearer(ids);
  const nets = ids.map((id) => new LinkShardNetwork(bearer.link(id)));
  const nodes = nets.map((network, i) => new ShardNode({ network, settings: TEST_SETTINGS, store: { path: join(dir, ids[i]!) }, tuning: { challengeIntervalMs: 0, repairIntervalMs: 0 } }));
  try {
    for (const n of nodes) await n.start();
    const data = randomBytes(50_000);
    await writeFile(join(dir, 'in'), data);
    const put = await nodes[0]!.putFile(join(dir, 'in'));
    assert.is(put.holders.length, 5);
    bearer.down.add('relay-3');
    bearer.down.add('relay-4');
    await nodes[1]!.getFile(put.id, join(dir, 'out'));
    assert.equal(await readFile(join(dir, 'out')), data);
    assert.equal(await nodes[0]!.auditPeer('relay-2', 2), { sent: 2, failed: 0 });
    // Garbage, and a response from someone who was not asked, are dropped and counted.
    bearer.inject('relay-0', 'relay-1', Uint8Array.of(0xff, 0x00));
    const { Encoder } = await import('cbor-x');
    bearer.inject('relay-0', 'relay-9', new Encoder({ useRecords: false }).encode({ id: 1, res: { op: 'fetch' } }));
    assert.is(nets[0]!.discarded, 2);
    // Unreachable peers reject at once.
    try {
      await nets[0]!.request('relay-4', { op: 'fetch', hash: new Uint8Array(32) });
      assert.unreachable();
    } catch (err) {
      assert.is((err as Error).name, 'ShardRpcError');
    }
  } finally {
    for (const n of nodes) await n.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
