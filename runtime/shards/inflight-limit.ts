/**
 * Bounds the requests of other relays being handled at once, per relay and in total, by count and by the bytes they
 * carry (issue 11: bytes in flight per peer and in total). The IP bearer bounds what a peer makes us hold while a
 * message arrives (runtime/bearers/ip/inbound-budget.ts); once whole, a message is a request here until its answer
 * is written, and a peer that sends requests faster than they are answered (each `store` waits for an fsync) must
 * not queue them without end. A request over the limits is answered at once with `{ op: 'error', reason: 'busy' }`,
 * so an honest relay tries another holder instead of waiting out its timeout.
 */
import type { ShardRequest, ShardRequestHandler } from './shard-network.js';

export interface InflightLimits {
  perPeer: number;
  perPeerBytes: number;
  total: number;
  totalBytes: number;
}

export const DEFAULT_INFLIGHT_LIMITS: InflightLimits = {
  // A relay putting a file keeps inflightChunks (32) x (k + m) (at most 64) requests going: 2,048 to one relay when
  // it has fewer relays than shards.
  perPeer: 4096,
  // One maximum message (a 1 GiB file's manifest, runtime/bearers/ip/shard-fragments.ts) and a little more.
  perPeerBytes: 34 * 2 ** 20,
  total: 16_384,
  totalBytes: 64 * 2 ** 20,
};

/**
 * What a request costs while it waits: its byte strings, ~100 B per placement entry besides its holders, and 1 KiB for
 * the request itself (decoded object, promise, closures), so a flood of tiny requests is bounded by bytes too.
 */
export function requestBytes(req: ShardRequest): number {
  let n = 1024;
  const r = req as unknown as Record<string, unknown>;
  for (const k of ['shard', 'bytes', 'hash', 'nonce']) if (r[k] instanceof Uint8Array) n += (r[k] as Uint8Array).length;
  if (Array.isArray(r.entries)) {
    for (const e of r.entries as { holders?: unknown }[]) {
      n += 100;
      if (Array.isArray(e?.holders)) for (const h of e.holders) n += typeof h === 'string' ? h.length + 8 : 8;
    }
  }
  return n;
}

export function limitInflight(handler: ShardRequestHandler, limits: InflightLimits = DEFAULT_INFLIGHT_LIMITS, onBusy?: (peer: string) => void): ShardRequestHandler {
  const byPeer = new Map<string, { count: number; bytes: number }>();
  let count = 0;
  let bytes = 0;
  return async (from, req) => {
    const size = requestBytes(req);
    const mine = byPeer.get(from) ?? { count: 0, bytes: 0 };
    if (mine.count + 1 > limits.perPeer || mine.bytes + size > limits.perPeerBytes || count + 1 > limits.total || bytes + size > limits.totalBytes) {
      onBusy?.(from);
      return { op: 'error', reason: 'busy' };
    }
    mine.count++;
    mine.bytes += size;
    byPeer.set(from, mine);
    count++;
    bytes += size;
    try {
      return await handler(from, req);
    } finally {
      mine.count--;
      mine.bytes -= size;
      if (mine.count === 0) byPeer.delete(from);
      count--;
      bytes -= size;
    }
  };
}
