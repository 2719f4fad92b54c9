/**
 * Repair: keep k + m live shards per chunk. A shard needs repair when none of its recorded holders is still alive
 * (seen within offlineGraceMs, reputation not excluded, or for this relay: still in the store) or when a read,
 * challenge or local hash check reported its holder bad. The chunk is gathered from any k shards, the missing
 * shards are rebuilt, checked against their addresses in the manifest, and stored on new holders (relays not already
 * holding a shard of the chunk first). The new holders are recorded here and announced to the other relays that
 * know the manifest ('placement' request), so readers find the shards without a manifest change.
 *
 * Who repairs: anyone with evidence (a queued item) repairs that shard; full scans of a manifest are done by its
 * origin, or, while the origin is gone, by the alive relay with the lowest id among the manifest's holders.
 */
import type { RepairItem, ShardContext } from './shard-context.js';
import type { PlacementEntry } from './shard-network.js';
import { chunkCount, shardHashOf, type Manifest } from './manifest.js';
import { gatherChunk, newStripe } from './chunk-reader.js';
import { hashEquals, shardHash } from './shard-hash.js';
import { placeShard } from './file-put.js';

export function isRepairer(ctx: ShardContext, m: Manifest, own: boolean): boolean {
  if (own || m.origin === ctx.self) return true;
  if (ctx.isAlive(m.origin)) return false;
  const alive = [...new Set([...m.peers, ctx.self])].filter((p) => p !== m.origin && ctx.isAlive(p)).sort();
  return alive[0] === ctx.self;
}

function aliveHolders(ctx: ShardContext, m: Manifest, chunk: number, index: number, bad: ReadonlySet<string>): string[] {
  const hash = shardHashOf(m, chunk, index);
  return ctx.holders(m, chunk, index).filter((p) => {
    if (bad.has(p)) return false;
    if (p === ctx.self) return ctx.store.has(hash);
    return ctx.isAlive(p) && ctx.reputation.eligible(p);
  });
}

/**
 * Repairs chunks of one manifest: every chunk when `scan`, else only those named in `items`. Returns shards
 * re-placed.
 */
export async function repairManifest(ctx: ShardContext, id: string, m: Manifest, items: RepairItem[], scan: boolean, signal?: AbortSignal): Promise<number> {
  const total = m.k + m.m;
  const badBy = new Map<string, Set<string>>();
  for (const it of items) {
    const key = `${it.chunk}/${it.index}`;
    if (!badBy.has(key)) badBy.set(key, new Set());
    if (it.bad) badBy.get(key)!.add(it.bad);
  }
  const chunks = scan ? Array.from({ length: chunkCount(m) }, (_, c) => c) : [...new Set(items.map((i) => i.chunk))].filter((c) => c < chunkCount(m));
  const stripe = newStripe(m);
  const entries: PlacementEntry[] = [];
  const refused = new Set<string>();
  let repaired = 0;
  for (const c of chunks) {
    signal?.throwIfAborted();
    const alive: string[][] = [];
    const missing: number[] = [];
    for (let i = 0; i < total; i++) {
      const a = aliveHolders(ctx, m, c, i, badBy.get(`${c}/${i}`) ?? new Set());
      alive.push(a);
      if (a.length === 0) missing.push(i);
    }
    if (missing.length === 0) continue;
    try {
      await gatherChunk(ctx, m, id, c, stripe, { wantAll: true, skip: new Set(missing), signal });
    } catch (err) {
      if (signal?.aborted) throw err;
      ctx.log('warn', 'chunk cannot be repaired now', { manifest: id, chunk: c, err: String(err) });
      continue;
    }
    const candidates = [ctx.self, ...ctx.placeablePeers()];
    const load = new Map<string, number>();
    for (const holders of alive) for (const h of holders) load.set(h, (load.get(h) ?? 0) + 1);
    for (const i of missing) {
      const hash = shardHashOf(m, c, i);
      const shard = stripe.shards[i]!;
      if (!hashEquals(shardHash(shard), hash)) {
        ctx.log('error', 'rebuilt shard does not match its address', { manifest: id, chunk: c, index: i });
        continue;
      }
      try {
        const who = await placeShard(ctx, candidates, undefined, load, hash, shard, m.expiresAt, { manifest: id, chunk: c, index: i }, signal, refused);
        load.set(who, (load.get(who) ?? 0) + 1);
        await ctx.store.setHolders(hash, [who], { own: true });
        entries.push({ hash: Uint8Array.from(hash), holders: [who] });
        repaired++;
        ctx.counters.repairs++;
        ctx.metrics?.repairs.inc();
      } catch (err) {
        if (signal?.aborted) throw err;
        ctx.log('warn', 'no relay took a rebuilt shard', { manifest: id, chunk: c, index: i, err: String(err) });
      }
    }
  }
  if (entries.length > 0) {
    const tell = [...new Set([...m.peers, ...entries.flatMap((e) => e.holders)])].filter((p) => p !== ctx.self && ctx.isOnline(p));
    await Promise.all(tell.map(async (p) => {
      try {
        await ctx.request(p, { op: 'placement', entries }, 'placement update', ctx.tuning.requestTimeoutMs, signal);
      } catch (err) {
        ctx.log('debug', 'placement update not delivered', { peer: p, err: String(err) });
      }
    }));
  }
  return repaired;
}
