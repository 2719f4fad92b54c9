/**
 * The shard store's HTTP routes (issue 8; runtime/shards). Bodies are streamed through a spool file on the relay's
 * disk, never held in memory: a 100 MB file on a 512 MB board costs a few stripe buffers, not 100 MB.
 *
 *   GET  /shards                         → ShardsStatus (holdings, budgets, cache hit rate, holder reputations)
 *   POST /shards/files?name&lifetimeMs   application/octet-stream body → 200 application/x-ndjson:
 *                                          {"progress":{"bytes","total"}}… then {"result":PutResult} or {"error":{name,message}}
 *   GET  /shards/files/:id               → 200 application/octet-stream (the file), X-Lattice-File: URI-encoded JSON GetResult
 *
 * The upload is written to `<spoolDir>/put-*` first (so the 30 s request timeout only covers the copy, not the
 * erasure coding over the network) and put from there; progress and the result then stream back as NDJSON lines
 * while the shards go out. A download is rebuilt into `<spoolDir>/get-*` (every chunk hash-checked) and only then
 * sent, so a failed read is a clean JSON error, never a truncated file. Spool files are removed when the request
 * ends (and at daemon start).
 *
 * Errors: 404 ManifestNotFoundError, 503 NotEnoughShardsError / ChunkHashMismatchError (not enough intact shards
 * reachable), 507 NoHolderError / StoreFullError (no relay, this one included, has room), 413 FileTooLargeError /
 * BodyTooLargeError, 504 ShardTimeoutError, 503 ShardsDisabledError when the relay runs no shard store.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PutOptions, PutResult } from '../shards/file-put.js';
import type { GetOptions, GetResult } from '../shards/file-get.js';
import type { ShardsStatus } from '../shards/shard-node.js';
import { didYouMean } from '../config/suggest.js';
import { BodyTooLargeError, HttpError, UnsupportedMediaTypeError, ValidationError } from './errors.js';
import type { Route } from './routes.js';
import { isDiskFullError } from '../storage/disk-full.js';

/** What the routes need of the shard store (the daemon builds it from its ShardNode). */
export interface ShardsService {
  putFile(path: string, opts: PutOptions): Promise<PutResult>;
  getFile(id: string, outPath: string, opts: GetOptions): Promise<GetResult>;
  status(): ShardsStatus;
  /** Where upload and download spool files go (on the relay's data disk). */
  readonly spoolDir: string;
  /** Largest file put accepts (ShardTuning.maxFileBytes). */
  readonly maxFileBytes: number;
}

/** The shard store's failure, answered with its own error name and a status that says whose problem it is. */
export class ShardRequestError extends HttpError {
  constructor(status: number, name: string, message: string, options?: { cause?: unknown }) {
    super(status, message, options);
    this.name = name;
  }
}

export class ShardsDisabledError extends HttpError {
  override name = 'ShardsDisabledError';
  constructor() {
    super(503, 'this relay runs no shard store (shards.enabled is false, or the IP bearer that carries it is off)');
  }
}

const STATUS_OF: Record<string, number> = {
  ManifestNotFoundError: 404,
  NotEnoughShardsError: 503,
  ChunkHashMismatchError: 503,
  NoHolderError: 507,
  StoreFullError: 507,
  FileTooLargeError: 413,
  ShardTimeoutError: 504,
};

/** A shard-store error as an HttpError (others pass through unchanged and end as a 500). */
export function shardHttpError(err: unknown): unknown {
  const e = err as Error;
  const status = e instanceof Error ? STATUS_OF[e.name] : undefined;
  return status === undefined ? err : new ShardRequestError(status, e.name, e.message, { cause: err });
}

const PUT_PARAMS = ['name', 'lifetimeMs'];
export const MIN_SHARD_LIFETIME_MS = 60_000;
export const MAX_SHARD_LIFETIME_MS = 3650 * 86_400_000;

export function validatePutQuery(q: URLSearchParams): { name?: string; lifetimeMs?: number } {
  const problems: string[] = [];
  for (const key of q.keys()) if (!PUT_PARAMS.includes(key)) problems.push(`unknown parameter "${key}"${didYouMean(key, PUT_PARAMS)}`);
  const out: { name?: string; lifetimeMs?: number } = {};
  const name = q.get('name');
  if (name !== null) {
    if (name === '' || name.length > 255 || /[/\\\0]/.test(name)) problems.push('"name" must be a file name of 1 to 255 characters without / or \\');
    else out.name = name;
  }
  const life = q.get('lifetimeMs');
  if (life !== null) {
    const n = Number(life);
    if (!/^\d{1,15}$/.test(life) || n < MIN_SHARD_LIFETIME_MS || n > MAX_SHARD_LIFETIME_MS) problems.push(`"lifetimeMs" must be a whole number of milliseconds from ${MIN_SHARD_LIFETIME_MS} to ${MAX_SHARD_LIFETIME_MS}`);
    else out.lifetimeMs = n;
  }
  if (problems.length > 0) throw new ValidationError(problems.join('; '));
  return out;
}

export function validateManifestId(id: string): string {
  if (!/^[0-9a-f]{64}$/i.test(id)) throw new ValidationError(`"${id.slice(0, 80)}" is not a manifest id (64 hex characters, as printed by lattice put)`);
  return id.toLowerCase();
}

function need(shards: ShardsService | undefined): ShardsService {
  if (!shards) throw new ShardsDisabledError();
  return shards;
}

async function spoolPath(s: ShardsService, kind: 'put' | 'get'): Promise<string> {
  try {
    await mkdir(s.spoolDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw spoolError(err, s);
  }
  return join(s.spoolDir, `${kind}-${randomUUID()}`);
}

/** Uploads and downloads are spooled on the data disk: no room there is a full store (507), not a relay fault. */
function spoolError(err: unknown, s: ShardsService, spool?: string): unknown {
  if (!isDiskFullError(err, { path: s.spoolDir, ...(spool ? { file: spool } : {}) })) return err;
  return new ShardRequestError(507, 'StoreFullError', `no room on this relay's disk to spool the file (${(err as Error).message})`, { cause: err });
}

/** Aborts when the client goes away before the response finished. */
function clientGone(res: ServerResponse): AbortSignal {
  const ac = new AbortController();
  // The shard store listens once per request in flight (up to inflightChunks x (k + m)), not a leak.
  setMaxListeners(0, ac.signal);
  res.once('close', () => { if (!res.writableFinished) ac.abort(new Error('the API client disconnected')); });
  return ac.signal;
}

/** NDJSON progress is throttled: a line at most every 250 ms, plus the last one. */
const PROGRESS_EVERY_MS = 250;

export const SHARD_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/shards',
    auth: true,
    handle: ({ shards }) => ({ status: 200, body: need(shards).status() }),
  },
  {
    method: 'POST',
    path: '/shards/files',
    auth: true,
    async handle({ shards, req, res, url }) {
      const s = need(shards);
      const query = validatePutQuery(url.searchParams);
      const type = req.headers['content-type'];
      // application/octet-stream is not a CORS "simple" type: a web page cannot make a relay store files.
      if (!type || !/^application\/octet-stream\s*(;|$)/i.test(type)) throw new UnsupportedMediaTypeError(type, 'application/octet-stream');
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > s.maxFileBytes) throw new BodyTooLargeError(s.maxFileBytes);
      const spool = await spoolPath(s, 'put');
      try {
        let size = 0;
        const limit = new Transform({
          transform(chunk: Buffer, _enc, done) {
            size += chunk.length;
            done(size > s.maxFileBytes ? new BodyTooLargeError(s.maxFileBytes) : null, chunk);
          },
        });
        await pipeline(req, limit, createWriteStream(spool, { mode: 0o600 }));
      } catch (err) {
        await rm(spool, { force: true });
        throw spoolError(err, s, spool);
      }
      return {
        status: 200,
        body: undefined,
        async stream(out) {
          const signal = clientGone(out);
          let last = 0;
          const line = (v: unknown) => out.write(`${JSON.stringify(v)}\n`);
          try {
            out.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
            const result = await s.putFile(spool, {
              signal,
              ...query,
              onProgress: (p) => {
                const t = Date.now();
                if (t - last < PROGRESS_EVERY_MS && p.bytes < p.total) return;
                last = t;
                line({ progress: p });
              },
            });
            line({ result });
          } catch (err) {
            const e = shardHttpError(err) as Error;
            if (!(e instanceof HttpError) && !signal.aborted) throw err;
            line({ error: { name: e.name, message: e.message } });
          } finally {
            await rm(spool, { force: true });
            out.end();
          }
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/shards/files/:id',
    auth: true,
    async handle({ shards, params, res }) {
      const s = need(shards);
      const id = validateManifestId(params.id);
      const spool = await spoolPath(s, 'get');
      let result: GetResult;
      try {
        result = await s.getFile(id, spool, { signal: clientGone(res) });
      } catch (err) {
        await rm(spool, { force: true });
        throw shardHttpError(spoolError(err, s, spool));
      }
      return {
        status: 200,
        body: undefined,
        async stream(out) {
          try {
            const { size } = await stat(spool);
            out.writeHead(200, {
              'content-type': 'application/octet-stream',
              'content-length': size,
              'cache-control': 'no-store',
              'x-content-type-options': 'nosniff',
              'x-lattice-file': encodeURIComponent(JSON.stringify(result)),
            });
            await pipeline(createReadStream(spool), out);
          } finally {
            await rm(spool, { force: true });
          }
        },
      };
    },
  },
];
