/**
 * The shard store's API client, used by `lattice put/get/shards` (runtime/shards/cli-commands.ts ShardsApi). Files
 * are streamed both ways: the upload is read from disk as the request body, the download written to `<out>.part`
 * (renamed into place only when every byte the relay announced arrived) or to a byte sink such as stdout.
 * Failures are typed like ApiClient's: RelayUnreachableError, RelayTimeoutError, ApiResponseError(name).
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { GetResult } from '../shards/file-get.js';
import type { PutResult } from '../shards/file-put.js';
import type { ShardsStatus } from '../shards/shard-node.js';
import type { ByteSink, ShardsApi } from '../shards/cli-commands.js';
import { UNREACHABLE, type ApiClientInit } from './api-client.js';
import { ApiResponseError, RelayTimeoutError, RelayUnreachableError } from './errors.js';

type Progress = (p: { bytes: number; total: number }) => void;

export class ShardsClient implements ShardsApi {
  constructor(private readonly init: ApiClientInit) {}

  async shardsStatus(options: { signal?: AbortSignal } = {}): Promise<ShardsStatus> {
    const timeoutMs = this.init.timeoutMs ?? 10_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const res = await this.fetch('/shards', { method: 'GET' }, options.signal ? AbortSignal.any([options.signal, timeout]) : timeout, timeout, timeoutMs);
    if (!res.ok) throw await this.failure(res);
    return (await res.json()) as ShardsStatus;
  }

  /** Uploads the file; the relay answers with NDJSON progress while it stores the shards, then the result. */
  async putFile(path: string, opts: { onProgress?: Progress; signal?: AbortSignal; lifetimeMs?: number } = {}): Promise<PutResult> {
    const { size } = await stat(path);
    const qs = new URLSearchParams({ name: basename(path) });
    if (opts.lifetimeMs !== undefined) qs.set('lifetimeMs', String(opts.lifetimeMs));
    const body = Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
    const res = await this.fetch(`/shards/files?${qs}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
      duplex: 'half',
    } as RequestInit, opts.signal);
    if (!res.ok) throw await this.failure(res);
    let result: PutResult | undefined;
    let failed: ApiResponseError | undefined;
    for await (const line of ndjsonLines(res.body!)) {
      let msg: { progress?: { bytes: number; total: number }; result?: PutResult; error?: { name?: string; message?: string } };
      try {
        msg = JSON.parse(line);
      } catch {
        throw new ApiResponseError(res.status, 'BadResponse', `${this.init.url} sent a progress line that is not JSON`);
      }
      if (msg.progress) opts.onProgress?.(msg.progress);
      if (msg.result) result = msg.result;
      if (msg.error) failed = new ApiResponseError(errorStatus(msg.error.name), msg.error.name ?? 'HttpError', msg.error.message ?? 'put failed');
    }
    if (failed) throw failed;
    if (!result) throw new ApiResponseError(res.status, 'IncompleteResponse', `${this.init.url} ended the put without a result; see the relay's log`);
    return result;
  }

  /** Downloads a file into `out` (a path: written to `<out>.part`, renamed when complete) or a byte sink. */
  async getFile(id: string, out: string | ByteSink, opts: { onProgress?: Progress; signal?: AbortSignal } = {}): Promise<GetResult> {
    const res = await this.fetch(`/shards/files/${encodeURIComponent(id)}`, { method: 'GET' }, opts.signal);
    if (!res.ok) throw await this.failure(res);
    const total = Number(res.headers.get('content-length'));
    let result: GetResult;
    try {
      result = JSON.parse(decodeURIComponent(res.headers.get('x-lattice-file') ?? '')) as GetResult;
    } catch {
      throw new ApiResponseError(res.status, 'BadResponse', `${this.init.url} sent a file without a valid X-Lattice-File header`);
    }
    const part = typeof out === 'string' ? `${out}.part` : undefined;
    const fh = part ? await open(part, 'w') : undefined;
    let bytes = 0;
    try {
      for await (const chunk of res.body! as unknown as AsyncIterable<Uint8Array>) {
        if (fh) await fh.write(chunk);
        else await writeTo(out as ByteSink, chunk);
        bytes += chunk.length;
        opts.onProgress?.({ bytes, total });
      }
      if (bytes !== total) throw new ApiResponseError(502, 'IncompleteResponse', `${this.init.url} sent ${bytes} of ${total} bytes`);
      if (total === 0) opts.onProgress?.({ bytes: 0, total: 0 });
      if (fh) await fh.sync();
    } catch (err) {
      await fh?.close();
      if (part) await rm(part, { force: true });
      throw err;
    }
    if (fh && part) {
      await fh.close();
      await rename(part, out as string);
    }
    return result;
  }

  private async fetch(path: string, init: RequestInit, signal?: AbortSignal, timeout?: AbortSignal, timeoutMs?: number): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
    if (this.init.token !== undefined) headers.authorization = `Bearer ${this.init.token}`;
    try {
      return await fetch(`${this.init.url}${path}`, { ...init, headers, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (timeout?.aborted) throw new RelayTimeoutError(this.init.url, timeoutMs!, { cause: err });
      if (signal?.aborted) throw err;
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (code === undefined || UNREACHABLE.has(code)) throw new RelayUnreachableError(this.init.url, { cause: err });
      throw err;
    }
  }

  private async failure(res: Response): Promise<ApiResponseError> {
    const text = await res.text();
    try {
      const e = (JSON.parse(text) as { error?: { name?: string; message?: string } }).error;
      return new ApiResponseError(res.status, e?.name ?? 'HttpError', e?.message ?? `HTTP ${res.status}`);
    } catch {
      return new ApiResponseError(res.status, 'BadResponse', `${this.init.url} answered ${res.status} with something that is not JSON; is it a Lattice relay?`);
    }
  }
}

/** The HTTP status the relay would have given an error it reports inside a streamed NDJSON answer. */
function errorStatus(name: string | undefined): number {
  if (name === 'ManifestNotFoundError') return 404;
  if (name === 'NoHolderError' || name === 'StoreFullError') return 507;
  if (name === 'FileTooLargeError') return 413;
  return 503;
}

async function writeTo(sink: ByteSink, chunk: Uint8Array): Promise<void> {
  if (sink.write(chunk) === false && typeof sink.once === 'function') await new Promise<void>((resolve) => sink.once!('drain', resolve));
}

async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield line;
    }
  }
  buf += decoder.decode();
  if (buf.trim()) yield buf.trim();
}
