/**
 * Which relays hold the shards of a chunk. Rendezvous (highest-random-weight) hashing over SHA-256(chunk key ||
 * peer id): each chunk gets its own ordering of the candidates, so load spreads evenly and the choice needs no
 * shared state. Shards go to distinct relays while there are enough; with fewer candidates than shards the ranking
 * is reused round-robin, so each relay carries at most ceil(n / candidates) shards of a chunk — that keeps the chunk
 * readable after any single relay loss once at least 3 relays remain (issue 8's "two of five stopped" case).
 */
import { createHash } from 'node:crypto';

export function rankPeers(candidates: readonly string[], key: Uint8Array): string[] {
  const weighted = candidates.map((p) => ({ p, w: createHash('sha256').update(key).update(p).digest().readUInt32BE(0) }));
  weighted.sort((a, b) => b.w - a.w || (a.p < b.p ? -1 : 1));
  return weighted.map((x) => x.p);
}

/** `count` holders for one chunk, distinct while candidates last. */
export function chooseHolders(candidates: readonly string[], count: number, key: Uint8Array): string[] {
  if (candidates.length === 0) return [];
  const ranked = rankPeers(candidates, key);
  return Array.from({ length: count }, (_, i) => ranked[i % ranked.length]!);
}
