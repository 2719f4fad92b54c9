/**
 * Proofs of storage (issue 8 seed protocol): a challenger names a shard and a random offset; the holder must answer
 * the bytes there within challengeTimeoutMs (5 s). The answer is the 1/8 segment holding the offset plus its Merkle
 * path (shard-hash.ts), so the challenger needs only the shard's address from the manifest to check it, and a holder
 * that dropped any segment cannot answer for it. Right answers raise the holder's reputation, wrong, missing or late
 * ones lower it and queue a repair of that shard without that holder.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { ShardContext } from './shard-context.js';
import { chunkCount, shardHashOf, type Manifest } from './manifest.js';
import { hashEquals, segmentLength, verifySegment } from './shard-hash.js';
import { SHARD_HEADER_BYTES } from './shard-format.js';

/** Bytes asked for per challenge (a LoRa-friendly answer would be just these; we send the segment for the proof). */
const CHALLENGE_BYTES = 32;

export async function challengeShard(ctx: ShardContext, m: Manifest, id: string, chunk: number, index: number, peer: string, signal?: AbortSignal): Promise<boolean> {
  const hash = shardHashOf(m, chunk, index);
  const size = SHARD_HEADER_BYTES + m.payload;
  const segLen = segmentLength(size);
  const offset = randomInt(size);
  const segment = Math.floor(offset / segLen);
  const length = Math.min(CHALLENGE_BYTES, Math.min(size, (segment + 1) * segLen) - offset);
  const nonce = randomBytes(16);
  ctx.counters.challengesSent++;
  ctx.metrics?.challengesSent.inc();
  let ok = false;
  try {
    const res = await ctx.request(peer, { op: 'challenge', hash, offset, length, nonce }, 'challenge answer', ctx.tuning.challengeTimeoutMs, signal);
    ok = res.op === 'challenge' && !('missing' in res) && hashEquals(res.nonce, nonce) && res.segment === segment &&
      verifySegment(hash, { segment: res.segment, bytes: res.bytes, siblings: res.siblings });
  } catch (err) {
    if (signal?.aborted) throw err;
    ok = false;
  }
  if (ok) {
    ctx.reputation.reward(peer);
    return true;
  }
  ctx.counters.challengesFailed++;
  ctx.metrics?.challengesFailed.inc();
  ctx.reputation.punish(peer);
  ctx.log('warn', 'holder failed a storage challenge', { peer, manifest: id, chunk, index, score: ctx.reputation.score(peer) });
  ctx.enqueueRepair({ manifest: id, chunk, index, bad: peer });
  return false;
}

/** Shards of `m` held by `peer` (by the current placement), at most `limit`, sampled at random. */
function shardsHeldBy(ctx: ShardContext, m: Manifest, peer: string, limit: number): [number, number][] {
  const out: [number, number][] = [];
  const n = chunkCount(m);
  const total = m.k + m.m;
  let seen = 0;
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < total; i++) {
      if (!ctx.holders(m, c, i).includes(peer)) continue;
      seen++;
      // Reservoir sampling keeps the choice uniform without collecting every shard of a big file.
      if (out.length < limit) out.push([c, i]);
      else {
        const j = randomInt(seen);
        if (j < limit) out[j] = [c, i];
      }
    }
  }
  return out;
}

/** Challenge `samples` shards that `peer` holds, across the manifests this relay knows. */
export async function auditPeer(ctx: ShardContext, peer: string, samples: number, signal?: AbortSignal): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  for (const { id } of [...ctx.store.manifestEntries()]) {
    if (sent >= samples) break;
    const m = await ctx.manifest(id, signal);
    if (!m) continue;
    for (const [c, i] of shardsHeldBy(ctx, m, peer, samples - sent)) {
      sent++;
      if (!(await challengeShard(ctx, m, id, c, i, peer, signal))) failed++;
    }
  }
  return { sent, failed };
}

/** One periodic round: a random known manifest, a random shard of it on a reachable relay other than this one. */
export async function auditOnce(ctx: ShardContext, signal?: AbortSignal): Promise<boolean | undefined> {
  const ids = [...ctx.store.manifestEntries()].map((e) => e.id);
  if (ids.length === 0) return undefined;
  const id = ids[randomInt(ids.length)]!;
  const m = await ctx.manifest(id, signal);
  if (!m || chunkCount(m) === 0) return undefined;
  const c = randomInt(chunkCount(m));
  const i = randomInt(m.k + m.m);
  const peer = ctx.holders(m, c, i).find((p) => p !== ctx.self && ctx.isOnline(p));
  if (!peer) return undefined;
  return challengeShard(ctx, m, id, c, i, peer, signal);
}
