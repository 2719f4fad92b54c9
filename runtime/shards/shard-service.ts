/**
 * What a relay answers when other relays ask its shard store for something (shard-network.ts requests): keep a shard,
 * hand one out, prove it still has one, keep a manifest copy, note where repaired shards went.
 */
import type { ShardContext } from './shard-context.js';
import type { ShardRequest, ShardRequestHandler, ShardResponse } from './shard-network.js';
import type { ShardStore } from './shard-store.js';
import { decodeManifest, manifestId, shardHashOf, type Manifest } from './manifest.js';
import { readShardHeader } from './shard-format.js';
import { proveSegment, shardHash } from './shard-hash.js';

/**
 * Writes of a learnRefs pass in flight at once. Awaiting each one cost one LMDB commit per shard (a 100 MB file:
 * ~8,600 commits, ~10 s, with the manifest copies of every peer held in memory meanwhile); a batch of this many
 * goes in one lmdb-js write transaction and keeps the queued records (60 B each) small.
 */
const REF_BATCH = 1024;

/** Tags the shards of `m` this relay holds with where they belong; returns how many it holds. */
export async function learnRefs(store: ShardStore, id: string, m: Manifest): Promise<number> {
  const total = m.k + m.m;
  const n = m.chunkHashes.length / 32;
  let held = 0;
  const writes: Promise<void>[] = [];
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < total; i++) {
      const hash = shardHashOf(m, c, i);
      if (store.metaOf(hash)?.role !== 'held') continue;
      held++;
      writes.push(store.setRef(hash, { manifest: id, chunk: c, index: i }));
      if (writes.length >= REF_BATCH) await Promise.all(writes.splice(0));
    }
  }
  await Promise.all(writes);
  return held;
}

/**
 * The handler answering other relays' shard requests. Never throws: bad input gets an `error` (or a negative)
 * response and changes nothing. `seen` is told about every sender (liveness for repair decisions).
 */
/** Holders named in one placement entry: k + m is at most 64 (config schema), each a node id (64 hex digits). */
const MAX_HOLDERS = 64;
const MAX_HOLDER_CHARS = 64;

export function shardService(ctx: Pick<ShardContext, 'store' | 'settings' | 'now' | 'metrics'>, seen: (peer: string) => void): ShardRequestHandler {
  const store = ctx.store;
  return async (from: string, req: ShardRequest): Promise<ShardResponse> => {
    try {
      seen(from);
      switch (req.op) {
        case 'store': {
          if (!(req.shard instanceof Uint8Array) || typeof req.expiresAt !== 'number') return { op: 'error', reason: 'bad store request' };
          readShardHeader(req.shard);
          const now = ctx.now();
          if (req.expiresAt <= now) return { op: 'store', result: 'rejected' };
          // Nobody gets a promise longer than this relay's own lifetime setting.
          const until = Math.min(req.expiresAt, now + ctx.settings.lifetimeDays * 86_400_000);
          const result = await store.hold(shardHash(req.shard), req.shard, until, req.ref);
          if (result === 'full') ctx.metrics?.refused.inc({ what: 'store' });
          return { op: 'store', result };
        }
        case 'fetch': {
          const shard = store.get(req.hash);
          return shard ? { op: 'fetch', shard } : { op: 'fetch' };
        }
        case 'challenge': {
          const shard = store.get(req.hash);
          if (!shard || !Number.isInteger(req.offset) || req.offset < 0 || req.offset >= shard.length) return { op: 'challenge', missing: true };
          const p = proveSegment(shard, req.offset);
          return { op: 'challenge', nonce: req.nonce, segment: p.segment, bytes: p.bytes, siblings: p.siblings };
        }
        case 'put-manifest': {
          if (!(req.bytes instanceof Uint8Array) || manifestId(req.bytes) !== req.id) return { op: 'put-manifest', ok: false };
          const m = decodeManifest(req.bytes);
          // Only holders keep a copy: manifests are not counted in the disk budget, so a stranger must not be able
          // to park megabytes of them here.
          if ((await learnRefs(store, req.id, m)) === 0) return { op: 'put-manifest', ok: false };
          // Counted against the disk budget, and kept no longer than a promise made now would be.
          const until = Math.min(m.expiresAt, req.expiresAt, ctx.now() + ctx.settings.lifetimeDays * 86_400_000);
          if ((await store.putManifest(req.id, req.bytes, { own: false, expiresAt: until })) === 'full') {
            ctx.metrics?.refused.inc({ what: 'manifest' });
            return { op: 'put-manifest', ok: false };
          }
          return { op: 'put-manifest', ok: true };
        }
        case 'get-manifest': {
          const bytes = typeof req.id === 'string' ? store.getManifest(req.id) : undefined;
          return bytes ? { op: 'get-manifest', bytes } : { op: 'get-manifest' };
        }
        case 'placement': {
          if (!Array.isArray(req.entries)) return { op: 'error', reason: 'bad placement request' };
          // Entries count against the disk budget (shard-store.ts placementBudget); malformed ones are skipped, and
          // once the budget is spent the rest are refused and the answer says so.
          let ok = true;
          for (const e of req.entries) {
            const valid = typeof e === 'object' && e !== null && e.hash instanceof Uint8Array && e.hash.length === 32 && Array.isArray(e.holders)
              && e.holders.length >= 1 && e.holders.length <= MAX_HOLDERS && e.holders.every((h) => typeof h === 'string' && h.length >= 1 && h.length <= MAX_HOLDER_CHARS);
            if (!valid) {
              ctx.metrics?.refused.inc({ what: 'placement-malformed' });
              ok = false;
              continue;
            }
            if ((await store.setHolders(e.hash, [...new Set(e.holders)])) === 'full') {
              ctx.metrics?.refused.inc({ what: 'placement' }, req.entries.length - req.entries.indexOf(e));
              return { op: 'placement', ok: false };
            }
          }
          return { op: 'placement', ok };
        }
        default:
          return { op: 'error', reason: `unknown op ${(req as { op?: unknown }).op}` };
      }
    } catch (err) {
      return { op: 'error', reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  };
}
