/**
 * Response compression with node:zlib for what browsers load (the dashboard's files, the API's JSON, the event
 * stream): the dashboard's budget is 150 KiB as transferred for everything before data shows, and a phone on a weak
 * LAN link waits for every byte. Brotli where the client accepts it, else gzip; small bodies go as they are.
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type Encoding = 'br' | 'gzip';

/** Bodies below this are not worth a compressor's CPU and framing. */
export const COMPRESS_MIN_BYTES = 1024;

/** The encoding to use for a request's Accept-Encoding (q=0 excludes), preferring br. */
export function negotiateEncoding(acceptEncoding: string | string[] | undefined): Encoding | undefined {
  if (acceptEncoding === undefined) return undefined;
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
  const ok = new Set<string>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    if (q && Number(q[1]) === 0) continue;
    if (name) ok.add(name.trim());
  }
  if (ok.has('br')) return 'br';
  if (ok.has('gzip') || ok.has('*')) return 'gzip';
  return undefined;
}

/**
 * Compresses `body` for `encoding`. `level: 'static'` spends the CPU once for files kept compressed in memory (brotli
 * quality 11); dynamic answers use brotli 5 / gzip 6, a few ms for the largest status.
 */
export function compress(body: Uint8Array, encoding: Encoding, level: 'static' | 'dynamic' = 'dynamic'): Buffer {
  if (encoding === 'gzip') return gzipSync(body, { level: level === 'static' ? 9 : 6 });
  return brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: level === 'static' ? 11 : 5,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
    },
  });
}
