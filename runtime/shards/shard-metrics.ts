/**
 * Prometheus metrics of the shard store (prom-client), registered only when the daemon passes a registry.
 * Names follow `lattice_<component>_<thing>[_total]` (CONTRIBUTING.md habit 11).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
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

/** Registers lattice_shards_* on `registry`, replacing earlier ones (a restarted ShardNode on the same registry). */
export function registerShardMetrics(registry: Registry, stats: () => ShardStoreStats & { hitRate: number }): ShardMetrics {
  for (const name of SHARD_METRIC_NAMES) registry.removeSingleMetric(name);
  const registers = [registry];
  new Gauge({ name: 'lattice_shards_stored', help: 'Shards this relay holds (promised plus cached)', registers,
    collect() { const s = stats(); this.set(s.heldShards + s.cachedShards); } });
  new Gauge({ name: 'lattice_shards_promised', help: 'Shards this relay promised to keep', registers,
    collect() { this.set(stats().heldShards); } });
  new Gauge({ name: 'lattice_shards_bytes_stored', help: 'Bytes of shards stored (promised plus cached)', registers,
    collect() { const s = stats(); this.set(s.heldBytes + s.cachedBytes); } });
  new Gauge({ name: 'lattice_shards_cache_hit_ratio', help: 'Shard reads served locally / all shard reads', registers,
    collect() { this.set(stats().hitRate); } });
  return {
    cacheHits: new Counter({ name: 'lattice_shards_cache_hits_total', help: 'Shard reads served from this relay', registers }),
    cacheMisses: new Counter({ name: 'lattice_shards_cache_misses_total', help: 'Shard reads that went to another relay', registers }),
    challengesSent: new Counter({ name: 'lattice_shards_challenges_sent_total', help: 'Proof-of-storage challenges sent', registers }),
    challengesFailed: new Counter({ name: 'lattice_shards_challenges_failed_total', help: 'Challenges answered wrongly, late or not at all', registers }),
    repairs: new Counter({ name: 'lattice_shards_repairs_total', help: 'Shards rebuilt and placed again', registers }),
    corrupt: new Counter({ name: 'lattice_shards_corrupt_total', help: 'Shards whose bytes did not match their address', registers }),
    refused: new Counter({ name: 'lattice_shards_refused_total', help: 'Requests of other relays refused for the disk budget or malformed', labelNames: ['what'], registers }),
  };
}
