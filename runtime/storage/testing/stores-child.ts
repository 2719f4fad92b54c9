/**
 * Child process for full-disk-stores.test.ts: the relay's other LMDB stores (the bridge queue, the shard store) run
 * under a file-size limit (RLIMIT_FSIZE, set by the parent with prlimit) until their files cannot grow, the way a
 * full disk stops them. Prints one JSON line of what each reported; an unhandled rejection ends it with exit 3.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BridgeQueue } from '../../bridge/bridge-queue.js';
import { ShardStore } from '../../shards/shard-store.js';
import { shardHash } from '../../shards/shard-hash.js';

process.on('unhandledRejection', (err) => {
  process.stdout.write(`${JSON.stringify({ unhandled: String((err as Error)?.stack ?? err) })}\n`);
  process.exit(3);
});

const dir = process.argv[2]!;
const report: Record<string, unknown> = {};

const queue = new BridgeQueue(join(dir, 'bridge'), 1_000_000);
await queue.start();
let added = 0;
for (let i = 0; i < 5000 && report.bridge === undefined; i++) {
  const source = randomBytes(32).toString('hex');
  const entry = { queue: 'mt-to-mc' as const, source, target: 'mc:ch:0', text: 'x'.repeat(2000), sentAt: i, kind: 'broadcast' as const, part: 1, parts: 1 };
  try {
    await queue.add(source, i, [entry]);
    added++;
  } catch (err) {
    report.bridge = { added, error: (err as Error).message, code: (err as { code?: unknown }).code, depth: queue.depth('mt-to-mc') };
  }
}
// Setting meta and removing must fail as cleanly; stop must not hang on a failed commit.
report.bridgeMeta = await queue.setMeta('lastTakenAt', 1).then(() => 'ok', (e: Error) => e.message.slice(0, 60));
await queue.stop();

const store = new ShardStore({ path: join(dir, 'shards'), diskBytes: 2 ** 30, cacheBytes: 2 ** 20 });
await store.start();
let held = 0;
for (let i = 0; i < 5000 && report.shards === undefined; i++) {
  const bytes = randomBytes(4072);
  const r = await store.hold(shardHash(bytes), bytes, Date.now() + 3_600_000).catch((e: Error) => e);
  if (r === 'stored') held++;
  else report.shards = { held, result: r instanceof Error ? `${r.name}: ${r.message}` : r };
}
const manifest = await store.putManifest('m'.repeat(64), randomBytes(600 * 1024), { own: true, expiresAt: Date.now() + 3_600_000 }).then(() => 'ok', (e: Error) => e.name);
report.manifest = manifest;
await store.stop();
process.stdout.write(`${JSON.stringify(report)}\n`);
