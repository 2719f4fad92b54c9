/**
 * Gathering a chunk: find k intact shards of it (local store first, then the holders on record, then every other
 * reachable relay), each checked against its address, and rebuild what is missing. Shards land in a caller-owned
 * stripe buffer of (k + m) slots, so reading a file allocates per chunk only what the network hands over.
 */
import { createHash } from 'node:crypto';
import type { ShardContext } from './shard-context.js';
import { chunkBytes, chunkHashOf, shardHashOf, type Manifest } from './manifest.js';
import { hashEquals, shardHash } from './shard-hash.js';
import { readShardHeader, SHARD_HEADER_BYTES } from './shard-format.js';
import { ChunkHashMismatchError, NotEnoughShardsError } from './errors.js';

export interface Stripe {
  slot: number;
  bytes: Uint8Array;
  /** Whole shards (header + payload), one per index. */
  shards: Uint8Array[];
  /** Payload views of `shards`, what Reed-Solomon works on. */
  payloads: Uint8Array[];
}

export function newStripe(m: Manifest): Stripe {
  const slot = SHARD_HEADER_BYTES + m.payload;
  const total = m.k + m.m;
  const bytes = new Uint8Array(total * slot);
  const shards = Array.from({ length: total }, (_, i) => bytes.subarray(i * slot, (i + 1) * slot));
  return { slot, bytes, shards, payloads: shards.map((s) => s.subarray(SHARD_HEADER_BYTES)) };
}

/** Reads one shard by address from wherever it is; bad answers cost the sender reputation and queue a repair. */
export async function readShard(ctx: ShardContext, m: Manifest, id: string, chunk: number, index: number, signal?: AbortSignal): Promise<Uint8Array | undefined> {
  const hash = shardHashOf(m, chunk, index);
  const local = ctx.store.get(hash);
  if (local) {
    ctx.counters.localReads++;
    ctx.metrics?.cacheHits.inc();
    return local;
  }
  const recorded = ctx.holders(m, chunk, index).filter((p) => p !== ctx.self);
  const others = ctx.net.peers().map((p) => p.id).filter((p) => !recorded.includes(p));
  const tryPeers = [...recorded.filter((p) => ctx.isOnline(p)), ...others];
  for (const peer of tryPeers) {
    signal?.throwIfAborted();
    let res;
    try {
      res = await ctx.request(peer, { op: 'fetch', hash }, 'shard fetch', ctx.tuning.requestTimeoutMs, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      continue;
    }
    if (res.op !== 'fetch' || !res.shard) continue;
    const shard = res.shard;
    if (!hashEquals(shardHash(shard), hash)) {
      ctx.reputation.punish(peer);
      ctx.metrics?.corrupt.inc();
      ctx.enqueueRepair({ manifest: id, chunk, index, bad: peer });
      continue;
    }
    ctx.counters.remoteReads++;
    ctx.metrics?.cacheMisses.inc();
    // Scan-resistant admission: a shard is cached on its second remote read within a while, so streaming one big
    // file once neither flushes the hot shards out nor writes the whole file to the SD card (and to page cache).
    // Not awaited: the copy is an optimisation and its commit should not slow the read down.
    if (ctx.admitToCache(hash)) ctx.store.cache(hash, shard).catch((err: unknown) => ctx.log('warn', 'shard cache write failed', { err: String(err) }));
    return shard;
  }
  if (recorded.length > 0 || ctx.holders(m, chunk, index).includes(ctx.self)) ctx.enqueueRepair({ manifest: id, chunk, index });
  return undefined;
}

/**
 * Fills `stripe` with chunk `chunk` of `m`: at least k shards fetched, the rest rebuilt. With `wantAll` the parity
 * shards are rebuilt too (repairs need them); otherwise only the data shards. Returns which indices were found.
 */
export async function gatherChunk(ctx: ShardContext, m: Manifest, id: string, chunk: number, stripe: Stripe, opts: { wantAll?: boolean; skip?: ReadonlySet<number>; signal?: AbortSignal } = {}): Promise<boolean[]> {
  const total = m.k + m.m;
  const present: boolean[] = Array.from({ length: total }, () => false);
  let found = 0;
  let next = 0;
  const order = Array.from({ length: total }, (_, i) => i).filter((i) => !opts.skip?.has(i));
  // k fetches at once; a miss starts the next index. Never more than k in flight: a worker whose fetch succeeded
  // stops while the others are still out, and one whose fetch failed goes on to the next index.
  let inflight = 0;
  const worker = async (): Promise<void> => {
    while (found + inflight < m.k && next < order.length) {
      const index = order[next++]!;
      inflight++;
      let shard: Uint8Array | undefined;
      try {
        shard = await readShard(ctx, m, id, chunk, index, opts.signal);
      } finally {
        inflight--;
      }
      if (!shard || shard.length !== stripe.slot) continue;
      try {
        const h = readShardHeader(shard);
        if (h.k !== m.k || h.m !== m.m || h.index !== index) continue;
      } catch {
        continue;
      }
      stripe.shards[index]!.set(shard);
      present[index] = true;
      found++;
    }
  };
  await Promise.all(Array.from({ length: m.k }, worker));
  if (found < m.k) throw new NotEnoughShardsError(m.k, found, chunk);
  const missing = present.some((p, i) => !p && (opts.wantAll || i < m.k));
  if (missing) {
    ctx.codec(m.k, m.m).reconstruct(stripe.payloads, present, m.payload, { dataOnly: !opts.wantAll });
    for (let i = 0; i < total; i++) {
      if (present[i] || (!opts.wantAll && i >= m.k)) continue;
      const s = stripe.shards[i]!;
      s.set(stripe.shards[present.indexOf(true)]!.subarray(0, SHARD_HEADER_BYTES));
      s[3] = i;
    }
  }
  // The chunk hash is the end-to-end check: shards were each verified, this proves they were the right ones.
  const len = Math.min(chunkBytes(m), m.size - chunk * chunkBytes(m));
  const h = createHash('sha256');
  let left = len;
  for (let i = 0; i < m.k && left > 0; i++) {
    const take = Math.min(left, m.payload);
    h.update(stripe.payloads[i]!.subarray(0, take));
    left -= take;
  }
  if (!hashEquals(h.digest(), chunkHashOf(m, chunk))) throw new ChunkHashMismatchError(chunk);
  return present;
}
