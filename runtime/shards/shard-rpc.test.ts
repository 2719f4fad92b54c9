import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpShardNetwork } from './shard-rpc.js';
import { ShardNode } from './shard-node.js';
import { DEFAULT_SHARD_PAYLOAD_BYTES } from './shard-format.js';
import { TEST_SETTINGS } from './testing/shard-cluster.js';

const CHUNK = 3 * DEFAULT_SHARD_PAYLOAD_BYTES;

test('five relays over TCP loopback: put, get, two stopped, still readable, repaired onto the three left', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-shard-rpc-'));
  const nets: TcpShardNetwork[] = [];
  const nodes: ShardNode[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const net = new TcpShardNetwork({ self: `relay-${i}`, listen: { host: '127.0.0.1', port: 0 }, peers: [], pingIntervalMs: 200 });
      await net.start();
      nets.push(net);
    }
    for (const a of nets) for (let j = 0; j < 5; j++) a.addPeer({ id: `relay-${j}`, host: '127.0.0.1', port: nets[j]!.port() });
    await Promise.all(nets.map((n) => n.refresh()));
    for (let i = 0; i < 5; i++) {
      const node = new ShardNode({
        network: nets[i]!, settings: TEST_SETTINGS, store: { path: join(dir, `relay-${i}`) },
        tuning: { challengeIntervalMs: 0, repairIntervalMs: 0, offlineGraceMs: 1, requestTimeoutMs: 10_000 },
      });
      await node.start();
      nodes.push(node);
    }
    assert.is(nets[0]!.peers().length, 4);
    const data = randomBytes(7 * CHUNK + 5);
    await writeFile(join(dir, 'in'), data);
    const put = await nodes[0]!.putFile(join(dir, 'in'));
    assert.is(put.holders.length, 5);
    await nodes[4]!.getFile(put.id, join(dir, 'o1'));
    assert.equal(await readFile(join(dir, 'o1')), data);

    for (const i of [3, 4]) { await nodes[i]!.stop(); await nets[i]!.stop(); }
    await nets[0]!.refresh();
    await nets[1]!.refresh();
    assert.equal(nets[0]!.peers().map((p) => p.id).sort(), ['relay-1', 'relay-2']);
    await nodes[1]!.getFile(put.id, join(dir, 'o2'));
    assert.equal(await readFile(join(dir, 'o2')), data);
    const repaired = await nodes[0]!.repairOnce();
    assert.is(repaired, 2 * 8);
    // Now any one of the three may go too.
    await nodes[2]!.stop();
    await nets[2]!.stop();
    await nets[0]!.refresh();
    await nodes[0]!.getFile(put.id, join(dir, 'o3'));
    assert.equal(await readFile(join(dir, 'o3')), data);
    // A challenge over the wire, answered by relay-1.
    assert.equal(await nodes[0]!.auditPeer('relay-1', 2), { sent: 2, failed: 0 });
  } finally {
    for (const n of nodes) await n.stop();
    for (const n of nets) await n.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('requests to an unknown or dead peer reject with ShardRpcError', async () => {
  const a = new TcpShardNetwork({ self: 'a', listen: { host: '127.0.0.1', port: 0 }, peers: [{ id: 'b', host: '127.0.0.1', port: 1 }], connectTimeoutMs: 1000 });
  await a.start();
  try {
    for (const peer of ['b', 'nobody']) {
      try {
        await a.request(peer, { op: 'fetch', hash: new Uint8Array(32) });
        assert.unreachable();
      } catch (err) {
        assert.is((err as Error).name, 'ShardRpcError');
      }
    }
    assert.equal(a.peers(), []);
  } finally {
    await a.stop();
  }
});

test('garbage and malformed bodies on the wire are skipped; the server keeps answering', async () => {
  const { connect } = await import('node:net');
  const { encodeRpcFrame, RpcFrameDecoder, decodeRpcBody } = await import('./shard-rpc-codec.js');
  const server = new TcpShardNetwork({ self: 'srv', listen: { host: '127.0.0.1', port: 0 }, peers: [] });
  server.onRequest(async (from, req) => (req.op === 'fetch' ? { op: 'fetch' } : { op: 'error', reason: `from ${from}` }));
  await server.start();
  const sock = connect({ host: '127.0.0.1', port: server.port() });
  try {
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const dec = new RpcFrameDecoder();
    const answers: unknown[] = [];
    sock.on('data', (d: Buffer) => { for (const f of dec.push(d)) answers.push(decodeRpcBody(f)); });
    sock.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    sock.write(encodeRpcFrame('just a string'));
    sock.write(encodeRpcFrame({ id: 1, from: 'x' }));
    sock.write(encodeRpcFrame({ id: 2, from: 'x', req: { op: 'fetch', hash: new Uint8Array(32) } }));
    const deadline = Date.now() + 10_000;
    while (answers.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(answers, [{ id: 1, res: { op: 'error', reason: 'malformed request' } }, { id: 2, res: { op: 'fetch' } }]);
  } finally {
    sock.destroy();
    await server.stop();
  }
});

test.run();
