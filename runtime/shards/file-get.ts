/**
 * getFile: rebuild a stored file from any k shards of each chunk and write it to disk, streamed chunk by chunk into
 * `<out>.part` and renamed into place only once every chunk matched its hash — a failed read leaves no half file.
 */
import { open, rename, rm } from 'node:fs/promises';
import type { ShardContext } from './shard-context.js';
import { chunkBytes, chunkCount } from './manifest.js';
import { gatherChunk, newStripe, type Stripe } from './chunk-reader.js';
import { ManifestNotFoundError } from './errors.js';

export interface GetProgress {
  bytes: number;
  total: number;
}

export interface GetOptions {
  onProgress?: (p: GetProgress) => void;
  signal?: AbortSignal;
}

export interface GetResult {
  id: string;
  name: string;
  size: number;
  chunks: number;
  /** Chunks that needed Reed-Solomon reconstruction because data shards were missing. */
  rebuiltChunks: number;
}

export async function getFile(ctx: ShardContext, id: string, outPath: string, opts: GetOptions = {}): Promise<GetResult> {
  const m = await ctx.manifest(id, opts.signal);
  if (!m) throw new ManifestNotFoundError(id);
  const n = chunkCount(m);
  const per = chunkBytes(m);
  const window = Math.max(1, ctx.tuning.inflightChunks);
  const stripes: Stripe[] = Array.from({ length: Math.min(window, Math.max(n, 1)) }, () => newStripe(m));
  const part = `${outPath}.part`;
  const fh = await open(part, 'w', 0o600);
  let rebuilt = 0;
  let written = 0;
  try {
    // Chunks are gathered `window` at a time and written in order.
    for (let base = 0; base < n; base += stripes.length) {
      opts.signal?.throwIfAborted();
      const batch = Array.from({ length: Math.min(stripes.length, n - base) }, (_, j) => base + j);
      const presents = await Promise.all(batch.map((c, j) => gatherChunk(ctx, m, id, c, stripes[j]!, { signal: opts.signal })));
      for (let j = 0; j < batch.length; j++) {
        const c = batch[j]!;
        if (presents[j]!.slice(0, m.k).some((p) => !p)) rebuilt++;
        let left = Math.min(per, m.size - c * per);
        for (let i = 0; i < m.k && left > 0; i++) {
          const take = Math.min(left, m.payload);
          await fh.write(stripes[j]!.payloads[i]!, 0, take, c * per + i * m.payload);
          left -= take;
          written += take;
        }
      }
      opts.onProgress?.({ bytes: written, total: m.size });
    }
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(part, { force: true });
    throw err;
  }
  await fh.close();
  await rename(part, outPath);
  if (n === 0) opts.onProgress?.({ bytes: 0, total: 0 });
  return { id, name: m.name, size: m.size, chunks: n, rebuiltChunks: rebuilt };
}
