/**
 * Config -> the shard store (runtime/shards, issue 8): a ShardNode whose ShardNetwork is LinkShardNetwork over the
 * IP bearer's authenticated connections (runtime/shards/ip-shard-link.ts), its LMDB environment at
 * `<dataDir>/shards`, its metrics on the daemon's Metrics, and the ShardsService the HTTP API serves. It runs when
 * `shards.enabled` and an IP bearer is configured: the IP bearer is the only relay-to-relay carrier it has (LoRa,
 * MQTT and the companion radios are far too slow or too small for 4 KB shards). The modules load by dynamic import
 * only then, so a relay without it does not pay for them.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { Bearer } from '../bearer/bearer.js';
import type { Config } from '../config/config.js';
import type { Identity } from '../identity/identity.js';
import { createLogger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ShardsService } from '../api/shard-routes.js';
import { isShardCarrier } from '../shards/ip-shard-link.js';

const log = createLogger('shards');

export interface ShardStoreHandle {
  service: ShardsService;
  /** Pauses the repair passes and challenges (runtime/power, while the battery is low). */
  pauseRepair(paused: boolean): void;
  stop(): Promise<void>;
}

/** Starts the shard store (call after the IP bearer started); undefined when it is off or has no carrier. */
export async function startShardStore(config: Config, identity: Identity, bearers: Bearer[], metrics: Metrics): Promise<ShardStoreHandle | undefined> {
  if (!config.shards.enabled) return undefined;
  const carrier = bearers.find(isShardCarrier);
  if (!carrier) {
    log.info('shard store off: it travels over the IP bearer, which is not running (ip.enabled)');
    return undefined;
  }
  const [{ LinkShardNetwork }, { ipShardLink }, { ShardNode }] = await Promise.all([
    import('../shards/link-shard-network.js'),
    import('../shards/ip-shard-link.js'),
    import('../shards/shard-node.js'),
  ]);
  const spoolDir = join(config.dataDir, 'shards-spool');
  // Upload/download spool files of requests that a crash or power cut interrupted.
  await rm(spoolDir, { recursive: true, force: true });
  const link = ipShardLink(carrier, identity.nodeIdHex);
  const node = new ShardNode({
    network: new LinkShardNetwork(link),
    settings: config.shards,
    store: { path: join(config.dataDir, 'shards'), guard: { store: 'shards', onDamage: config.vault.onDamage, metrics } },
    tuning: { challengeIntervalMs: config.shards.challengeIntervalMs, repairIntervalMs: config.shards.repairIntervalMs, offlineGraceMs: config.shards.offlineGraceMs },
    metrics,
    log: (level, msg, fields) => log[level](msg, fields),
  });
  try {
    await node.start();
  } catch (err) {
    link.close();
    throw err;
  }
  const s = node.status();
  log.info('shard store running', { heldShards: s.heldShards, cachedShards: s.cachedShards, manifests: s.manifests, diskBytes: config.shards.diskBytes, k: config.shards.k, m: config.shards.m });
  return {
    service: {
      putFile: (path, opts) => node.putFile(path, opts),
      getFile: (id, out, opts) => node.getFile(id, out, opts),
      status: () => node.status(),
      spoolDir,
      maxFileBytes: node.tuning.maxFileBytes,
    },
    pauseRepair(paused) {
      node.repairPaused = paused;
    },
    async stop() {
      link.close();
      await node.stop();
    },
  };
}
