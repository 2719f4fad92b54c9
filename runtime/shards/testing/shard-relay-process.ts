/**
 * One relay of the multi-process shard test: a ShardNode over TcpShardNetwork on loopback, driven by its parent
 * through the fork() IPC channel. Messages in: { cmd: 'peers', peers } | { cmd: 'put', path } | { cmd: 'get', id, out }
 * | { cmd: 'repair' } | { cmd: 'status' } | { cmd: 'memory' } | { cmd: 'stop' }; every answer is { seq, ok, value | error }.
 * Argv: node id, store directory, offline grace in ms.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { ShardNode } from '../shard-node.js';
import { TcpShardNetwork, type TcpShardPeer } from '../shard-rpc.js';

const [id, dir, grace] = process.argv.slice(2);
if (!id || !dir || !process.send) {
  console.error('usage: fork(shard-relay-process.ts, [id, dir, graceMs])');
  process.exit(2);
}
const net = new TcpShardNetwork({ self: id, listen: { host: '127.0.0.1', port: 0 }, peers: [], pingIntervalMs: 300, connectTimeoutMs: 2_000 });
const node = new ShardNode({
  network: net,
  settings: { k: 3, m: 2, cacheBytes: 64 * 2 ** 20, diskBytes: 512 * 2 ** 20, lifetimeDays: 30 },
  store: { path: join(dir, id) },
  tuning: { challengeIntervalMs: 0, repairIntervalMs: 0, offlineGraceMs: Number(grace ?? 1000), requestTimeoutMs: 5_000 },
});

type Msg = { seq: number; cmd: string; peers?: TcpShardPeer[]; path?: string; id?: string; out?: string };

async function run(msg: Msg): Promise<unknown> {
  switch (msg.cmd) {
    case 'peers':
      for (const p of msg.peers ?? []) net.addPeer(p);
      await net.refresh();
      return net.peers().map((p) => p.id);
    case 'put': return node.putFile(msg.path!);
    case 'get': return node.getFile(msg.id!, msg.out!);
    case 'repair': return node.repairOnce();
    case 'memory': {
      const status = await readFile('/proc/self/status', 'utf8');
      const kb = (f: string) => Number(new RegExp(`${f}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
      return { ...process.memoryUsage(), rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), hwm: kb('VmHWM') };
    }
    case 'status': { const s = node.status(); return { ...s, online: net.peers().map((p) => p.id) }; }
    case 'stop':
      await node.stop();
      await net.stop();
      setImmediate(() => process.exit(0));
      return true;
    default: throw new Error(`unknown command ${msg.cmd}`);
  }
}

process.on('message', (msg: Msg) => {
  run(msg).then(
    (value) => process.send!({ seq: msg.seq, ok: true, value }),
    (err: unknown) => process.send!({ seq: msg.seq, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));

await net.start();
await node.start();
process.send({ ready: true, port: net.port() });
