/**
 * putFile: stream a file from disk into erasure-coded shards on distinct relays and return its manifest id.
 *
 * The file is read one chunk (k x payload bytes, 12,192 B for RS(3,2)) at a time into one of `inflightChunks`
 * stripe buffers; a chunk's k + m shards are stored in parallel and at most `inflightChunks` chunks are in the air,
 * so memory stays at a few stripes plus the packed manifest (~200 B per chunk) whatever the file size.
 */
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import type { ShardContext } from './shard-context.js';
import type { ShardRef } from './shard-store.js';
import { chunkBytes, encodeManifest, manifestId, MANIFEST_VERSION, type Manifest } from './manifest.js';
import { newStripe, type Stripe } from './chunk-reader.js';
import { shardHash } from './shard-hash.js';
import { writeShardHeader } from './shard-format.js';
import { chooseHolders, rankPeers } from './placement.js';
import { FileTooLargeError, NoHolderError } from './errors.js';
import { learnRefs } from './shard-service.js';

/** Chunks per file read (16 x 12,192 B = 195 KB for RS(3,2)). */
const READ_CHUNKS = 16;

export interface PutProgress {
  bytes: number;
  total: number;
}

export interface PutOptions {
  onProgress?: (p: PutProgress) => void;
  signal?: AbortSignal;
  /** Lifetime of the stored file; default shards.lifetimeDays. */
  lifetimeMs?: number;
  name?: string;
}

export interface PutResult {
  id: string;
  size: number;
  chunks: number;
  /** Distinct relays holding shards. */
  holders: string[];
}

/** Store one shard with `peer` (self included); true when it promised to keep it. */
export async function storeShardWith(ctx: ShardContext, peer: string, hash: Uint8Array, shard: Uint8Array, expiresAt: number, ref: ShardRef | undefined, signal?: AbortSignal): Promise<boolean> {
  if (peer === ctx.self) return (await ctx.store.hold(hash, shard, expiresAt, ref)) === 'stored';
  try {
    const res = await ctx.request(peer, { op: 'store', shard, expiresAt, ...(ref ? { ref } : {}) }, 'shard store', ctx.tuning.requestTimeoutMs, signal);
    return res.op === 'store' && res.result === 'stored';
  } catch (err) {
    if (signal?.aborted) throw err;
    return false;
  }
}

/**
 * Store `shard` on `first`, else on the candidate holding the fewest shards of this chunk (`load`), ties broken by
 * rendezvous rank; returns who took it. Relays that refused or failed earlier in the same operation (`refused`)
 * are tried last, and this one's failures are added to it, so a full or dead relay costs one round trip per put,
 * not one per shard.
 */
export async function placeShard(ctx: ShardContext, candidates: string[], first: string | undefined, load: ReadonlyMap<string, number>, hash: Uint8Array, shard: Uint8Array, expiresAt: number, ref?: ShardRef, signal?: AbortSignal, refused: Set<string> = new Set()): Promise<string> {
  const tried = new Set<string>();
  const attempt = async (peer: string): Promise<boolean> => {
    tried.add(peer);
    if (await storeShardWith(ctx, peer, hash, shard, expiresAt, ref, signal)) return true;
    refused.add(peer);
    return false;
  };
  // The common case first: the chosen holder takes it, and no ranking is computed.
  if (first !== undefined && !refused.has(first) && (await attempt(first))) return first;
  const ranked = rankPeers(candidates, hash);
  const rank = new Map(ranked.map((p, i) => [p, i]));
  const rest = ranked.filter((p) => !tried.has(p)).sort((x, y) => (load.get(x) ?? 0) - (load.get(y) ?? 0) || rank.get(x)! - rank.get(y)!);
  for (const peer of [...rest.filter((p) => !refused.has(p)), ...rest.filter((p) => refused.has(p))]) {
    if (await attempt(peer)) return peer;
  }
  throw new NoHolderError(Buffer.from(hash).toString('hex'), tried.size);
}

export async function putFile(ctx: ShardContext, path: string, opts: PutOptions = {}): Promise<PutResult> {
  const { k, m } = ctx.settings;
  const payload = ctx.tuning.payloadBytes;
  const total = k + m;
  const size = (await stat(path)).size;
  if (size > ctx.tuning.maxFileBytes) throw new FileTooLargeError(size, ctx.tuning.maxFileBytes);
  const now = ctx.now();
  const expiresAt = now + (opts.lifetimeMs ?? ctx.settings.lifetimeDays * 86_400_000);
  const per = k * payload;
  const n = Math.ceil(size / per);
  const chunkHashes = new Uint8Array(n * 32);
  const shardHashes = new Uint8Array(n * total * 32);
  const placement = new Uint8Array(n * total * 2);
  const peers: string[] = [];
  const peerIndex = new Map<string, number>();
  const indexOf = (p: string) => {
    let i = peerIndex.get(p);
    if (i === undefined) { i = peers.length; peers.push(p); peerIndex.set(p, i); }
    return i;
  };
  const candidates = [ctx.self, ...ctx.placeablePeers()];
  const refused = new Set<string>();
  const codec = ctx.codec(k, m);
  const geometry = { k, m, payload } as Manifest;
  const stripes: Stripe[] = Array.from({ length: Math.max(1, ctx.tuning.inflightChunks) }, () => newStripe(geometry));
  const busy: (Promise<void> | undefined)[] = stripes.map(() => undefined);
  // The file is read READ_CHUNKS chunks at a time: every read is a libuv threadpool job, and on a busy relay those
  // queue behind LMDB's fsyncs (4 threads by default), so one 12 KB read per chunk starved the pipeline (~5 MB/s).
  const block = new Uint8Array(per * READ_CHUNKS);
  let blockStart = 0;
  let blockLen = 0;
  const chunkBuf = new Uint8Array(per);
  const fh = await open(path, 'r');
  let done = 0;
  try {
    for (let c = 0; c < n; c++) {
      opts.signal?.throwIfAborted();
      const s = c % stripes.length;
      await busy[s];
      const stripe = stripes[s]!;
      const at = c * per;
      if (at >= blockStart + blockLen) {
        blockStart = at;
        blockLen = 0;
        const want = Math.min(block.length, size - at);
        while (blockLen < want) {
          const { bytesRead } = await fh.read(block, blockLen, want - blockLen, at + blockLen);
          if (bytesRead === 0) break;
          blockLen += bytesRead;
        }
      }
      const got = Math.max(0, Math.min(per, blockStart + blockLen - at));
      if (got !== Math.min(per, size - at)) throw new Error(`${path} changed while being stored (chunk ${c} read ${got} B)`);
      chunkBuf.set(block.subarray(at - blockStart, at - blockStart + got));
      chunkHashes.set(createHash('sha256').update(chunkBuf.subarray(0, got)).digest(), c * 32);
      chunkBuf.fill(0, got);
      for (let i = 0; i < k; i++) stripe.payloads[i]!.set(chunkBuf.subarray(i * payload, (i + 1) * payload));
      codec.encode(stripe.payloads, payload);
      const hashes: Uint8Array[] = [];
      for (let i = 0; i < total; i++) {
        writeShardHeader(stripe.shards[i]!, { k, m, index: i, payloadLength: payload });
        const h = shardHash(stripe.shards[i]!);
        hashes.push(h);
        shardHashes.set(h, (c * total + i) * 32);
      }
      const holders = chooseHolders(candidates, total, chunkHashes.subarray(c * 32, c * 32 + 32));
      const chunk = c;
      busy[s] = (async () => {
        const load = new Map<string, number>();
        for (const h of holders) load.set(h, (load.get(h) ?? 0) + 1);
        await Promise.all(holders.map(async (first, i) => {
          const who = await placeShard(ctx, candidates, first, load, hashes[i]!, stripe.shards[i]!, expiresAt, undefined, opts.signal, refused);
          if (who !== first) { load.set(first, load.get(first)! - 1); load.set(who, (load.get(who) ?? 0) + 1); }
          const pi = indexOf(who);
          placement[(chunk * total + i) * 2] = pi >>> 8;
          placement[(chunk * total + i) * 2 + 1] = pi & 255;
        }));
        done += got;
        opts.onProgress?.({ bytes: done, total: size });
      })();
      // Surface a failed chunk at once rather than when its stripe comes round again.
      busy[s]!.catch(() => {});
    }
    await Promise.all(busy);
  } finally {
    await Promise.allSettled(busy);
    await fh.close();
  }
  const manifest: Manifest = {
    v: MANIFEST_VERSION, name: opts.name ?? basename(path), size, k, m, payload, createdAt: now, expiresAt,
    origin: ctx.self, chunkHashes, shardHashes, peers, placement,
  };
  const bytes = encodeManifest(manifest);
  const id = manifestId(bytes);
  await ctx.store.putManifest(id, bytes, { own: true, expiresAt });
  // Tag this relay's own shards with where they belong, from the manifest in hand (reading it back from the store
  // would decode another two copies of it: ~200 B per chunk each).
  await learnRefs(ctx.store, id, manifest);
  ctx.rememberManifest(id, manifest);
  // Every holder gets the manifest, so the file can be read and repaired while this relay is away. One copy at a
  // time: each request is CBOR-encoded and framed (two copies of a manifest of ~200 B per chunk, 1.7 MB for 100 MB),
  // and sending them to every holder at once held all those copies plus the socket buffers together (bench/
  // shards.bench.ts: +20 MiB of ArrayBuffers at the end of a 100 MB put).
  for (const p of peers) {
    if (p === ctx.self) continue;
    opts.signal?.throwIfAborted();
    try {
      await ctx.request(p, { op: 'put-manifest', id, bytes, expiresAt }, 'manifest store', ctx.tuning.requestTimeoutMs, opts.signal);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      ctx.log('warn', 'manifest copy failed', { peer: p, err: String(err) });
    }
  }
  if (n === 0) opts.onProgress?.({ bytes: 0, total: 0 });
  return { id, size, chunks: n, holders: [...peers] };
}
