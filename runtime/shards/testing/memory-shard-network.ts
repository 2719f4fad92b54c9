/**
 * In-process ShardNetwork for tests: relays join a hub, requests go straight to the target's handler with every
 * byte array copied (no shared buffers, like a real wire), after an optional delay. A relay can be taken offline
 * (requests to it reject like a dead TCP peer) and its handler can be wrapped to make it lie.
 */
import type { PeerInfo, ShardNetwork, ShardRequest, ShardRequestHandler, ShardResponse } from '../shard-network.js';
import { ShardRpcError } from '../errors.js';
import { abortable } from '../../../lib/abort/abortable.js';

function copy<T>(v: T): T {
  return structuredClone(v);
}

export class MemoryShardHub {
  private readonly handlers = new Map<string, ShardRequestHandler>();
  private readonly offline = new Set<string>();
  private readonly wrappers = new Map<string, (inner: ShardRequestHandler) => ShardRequestHandler>();
  requests = 0;

  constructor(private readonly delayMs = 0) {}

  network(id: string): ShardNetwork {
    const hub = this;
    return {
      self: id,
      peers: (): PeerInfo[] => hub.online().filter((p) => p !== id).map((p) => ({ id: p })),
      request: (peer: string, req: ShardRequest, opts?: { signal?: AbortSignal }) => hub.deliver(id, peer, req, opts?.signal),
      onRequest: (handler: ShardRequestHandler) => { hub.handlers.set(id, handler); },
    };
  }

  online(): string[] {
    return [...this.handlers.keys()].filter((p) => !this.offline.has(p));
  }

  setOnline(id: string, up: boolean): void {
    if (up) this.offline.delete(id);
    else this.offline.add(id);
  }

  /** Replace how `id` answers, e.g. to accept shards and throw them away. */
  wrap(id: string, wrapper: (inner: ShardRequestHandler) => ShardRequestHandler): void {
    this.wrappers.set(id, wrapper);
  }

  private async deliver(from: string, to: string, req: ShardRequest, signal?: AbortSignal): Promise<ShardResponse> {
    signal?.throwIfAborted();
    this.requests++;
    const handler = this.handlers.get(to);
    if (!handler || this.offline.has(to) || this.offline.has(from)) throw new ShardRpcError(to, 'unreachable');
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const wrapped = this.wrappers.get(to)?.(handler) ?? handler;
    const answer = wrapped(from, copy(req));
    const res = await abortable(answer, signal);
    if (this.offline.has(to)) throw new ShardRpcError(to, 'unreachable');
    return copy(res);
  }
}
