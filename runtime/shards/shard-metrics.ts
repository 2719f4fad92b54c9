/**
 * Metrics of the shard store, registered only when the daemon passes its Metrics (runtime/metrics/metrics.ts).
 * Names follow `lattice_<component>_<thing>[_total]` (CONTRIBUTING.md habit 11).
 */
import type { Counter, Metrics } from '../metrics/metrics.js';
import type { ShardStoreStats } from './shard-store.js';

export interface ShardMetrics {
  cacheHits: Counter;
  cacheMisses: Counter;
  challengesSent: Counter;
  challengesFailed: Counter;
  repairs: Counter;
  corrupt: Counter;
  /** Requests of other relays refused for the disk budget, or malformed: what = store | manifest | placement | placement-malformed. */
  refused: Counter<'what'>;
}

export const SHARD_METRIC_NAMES = [
  'lattice_shards_stored', 'lattice_shards_promised', 'lattice_shards_bytes_stored', 'lattice_shards_cache_hit_ratio',
  'lattice_shards_cache_hits_total', 'lattice_shards_cache_misses_total', 'lattice_shards_challenges_sent_total',
  'lattice_shards_challenges_failed_total', 'lattice_shards_repairs_total', 'lattice_shards_corrupt_total',
  'lattice_shards_refused_total',
];

/** Registers lattice_shards_* on `metrics`, replacing earlier ones (a restarted ShardNode on the same Metrics). */
export function registerShardMetrics(metrics: Metrics, stats: () => ShardStoreStats & { hitRate: number }): ShardMetrics {
  metrics.remove(...SHARD_METRIC_NAMES);
  metrics.gauge({ name: 'lattice_shards_stored', help: 'Shards this relay holds (promised plus cached)',
    collect() { const s = stats(); this.set(s.heldShards + s.cachedShards); } });
  metrics.gauge({ name: 'lattice_shards_promised', help: 'Shards this relay promised to keep',
    collect() { this.set(stats().heldShards); } });
  metrics.gauge({ name: 'lattice_shards_bytes_stored', help: 'Bytes of shards stored (promised plus cached)',
    collect() { const s = stats(); this.set(s.heldBytes + s.cachedBytes); } });
  metrics.gauge({ name: 'lattice_shards_cache_hit_ratio', help: 'Shard reads served locally / all shard reads',
    collect() { this.set(stats().hitRate); } });
  return {
    cacheHits: metrics.counter({ name: 'lattice_shards_cache_hits_total', help: 'Shard reads served from this relay' }),
    cacheMisses: metrics.counter({ name: 'lattice_shards_cache_misses_total', help: 'Shard reads that went to another relay' }),
    challengesSent: metrics.counter({ name: 'lattice_shards_challenges_sent_total', help: 'Proof-of-storage challenges sent' }),
    challengesFailed: metrics.counter({ name: 'lattice_shards_challenges_failed_total', help: 'Challenges answered wrongly, late or not at all' }),
    repairs: metrics.counter({ name: 'lattice_shards_repairs_total', help: 'Shards rebuilt and placed again' }),
    corrupt: metrics.counter({ name: 'lattice_shards_corrupt_total', help: 'Shards whose bytes did not match their address' }),
    refused: metrics.counter({ name: 'lattice_shards_refused_total', help: 'Requests of other relays refused for the disk budget or malformed', labelNames: ['what'] }),
  };
}
