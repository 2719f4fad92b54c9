/**
 * The API's client, used by `lattice send/status/inbox/trace`. Failures are typed: RelayUnreachableError when
 * nothing listens, RelayTimeoutError when it does not answer, ApiResponseError with the server's error name.
 */
import { formatHostPort } from '../config/host-port.js';
import type { BundleView, InboxEntry, NodeStatus, SendRequest } from '../node/relay-node.js';
import { ApiResponseError, RelayTimeoutError, RelayUnreachableError } from './errors.js';

export interface ApiClientInit {
  /** `http://127.0.0.1:8080` */
  url: string;
  token?: string;
  timeoutMs?: number;
}

/** The URL a client uses for a configured API address: a wildcard bind is reached on loopback. */
export function apiUrl(api: { host: string; port: number }): string {
  const host = api.host === '0.0.0.0' ? '127.0.0.1' : api.host === '::' ? '::1' : api.host;
  return `http://${formatHostPort({ host, port: api.port })}`;
}

// UND_ERR_SOCKET: the connection closed before an answer (a relay that stopped or crashed; undici's pooled socket).
export const UNREACHABLE = new Set(['UND_ERR_SOCKET', 'ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EADDRNOTAVAIL', 'EAI_AGAIN']);

export class ApiClient {
  constructor(private readonly init: ApiClientInit) {}

  get url(): string {
    return this.init.url;
  }

  status(options?: { signal?: AbortSignal }): Promise<NodeStatus> {
    return this.request('GET', '/status', undefined, options);
  }

  send(request: SendRequest, options?: { signal?: AbortSignal }): Promise<{ bundleId: string }> {
    return this.request('POST', '/send', request, options);
  }

  bundle(id: string, options?: { signal?: AbortSignal }): Promise<BundleView> {
    return this.request('GET', `/bundles/${encodeURIComponent(id)}`, undefined, options);
  }

  async inbox(query: { limit?: number; since?: number } = {}, options?: { signal?: AbortSignal }): Promise<InboxEntry[]> {
    const qs = new URLSearchParams();
    if (query.limit !== undefined) qs.set('limit', String(query.limit));
    if (query.since !== undefined) qs.set('since', String(query.since));
    const q = qs.toString();
    const body = await this.request<{ entries: InboxEntry[] }>('GET', `/inbox${q ? `?${q}` : ''}`, undefined, options);
    return body.entries;
  }

  private async request<T>(method: string, path: string, body: unknown, options: { signal?: AbortSignal } = {}): Promise<T> {
    const timeoutMs = this.init.timeoutMs ?? 10_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.init.token !== undefined) headers.authorization = `Bearer ${this.init.token}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.init.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
      text = await res.text();
    } catch (err) {
      if (timeout.aborted && !options.signal?.aborted) throw new RelayTimeoutError(this.init.url, timeoutMs, { cause: err });
      if (options.signal?.aborted) throw err;
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (code === undefined || UNREACHABLE.has(code)) throw new RelayUnreachableError(this.init.url, { cause: err });
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ApiResponseError(res.status, 'BadResponse', `${this.init.url} answered ${res.status} with something that is not JSON; is it a Lattice relay?`);
    }
    if (!res.ok) {
      const e = (parsed as { error?: { name?: string; message?: string } } | undefined)?.error;
      throw new ApiResponseError(res.status, e?.name ?? 'HttpError', e?.message ?? `HTTP ${res.status}`);
    }
    return parsed as T;
  }
}
