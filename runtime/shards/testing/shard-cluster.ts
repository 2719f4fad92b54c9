/**
 * A cluster of ShardNodes on one MemoryShardHub, each with its own LMDB store in a temp dir and a shared fake
 * clock, for tests. Timers are off (intervals 0): tests drive audits and repairs by calling them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { ShardNode } from '../shard-node.js';
import type { ShardsSettings, ShardTuning } from '../shard-context.js';
import { MemoryShardHub } from './memory-shard-network.js';

export interface ClusterOptions {
  size: number;
  settings?: Partial<ShardsSettings>;
  tuning?: Partial<ShardTuning>;
}

export const TEST_SETTINGS: ShardsSettings = { k: 3, m: 2, cacheBytes: 0, diskBytes: 256 * 2 ** 20, lifetimeDays: 30 };

export class ShardCluster {
  readonly hub = new MemoryShardHub();
  readonly nodes: ShardNode[] = [];
  /** Each node's LMDB environment, opened here and handed over as `{ env }` (the seam the daemon uses). */
  readonly envs: RootDatabase[] = [];
  clock = Date.UTC(2026, 10, 22);
  dir = '';

  constructor(private readonly opts: ClusterOptions) {}

  /** Node ids are `relay-0`..; real ids are 64 hex chars but nothing here depends on the shape. */
  id(i: number): string {
    return `relay-${i}`;
  }

  async start(): Promise<this> {
    this.dir = await mkdtemp(join(tmpdir(), 'lattice-shards-'));
    for (let i = 0; i < this.opts.size; i++) this.nodes.push(this.makeNode(i));
    for (const n of this.nodes) await n.start();
    return this;
  }

  makeNode(i: number): ShardNode {
    this.envs[i] = open({ path: join(this.dir, this.id(i)), maxDbs: 12, mapSize: 1024 * 2 ** 20 });
    return new ShardNode({
      network: this.hub.network(this.id(i)),
      settings: { ...TEST_SETTINGS, ...this.opts.settings },
      store: { env: this.envs[i]! },
      tuning: { challengeIntervalMs: 0, repairIntervalMs: 0, sweepIntervalMs: 0, offlineGraceMs: 60_000, requestTimeoutMs: 10_000, ...this.opts.tuning },
      now: () => this.clock,
    });
  }

  /** Stop node i and start a fresh ShardNode on the same store directory (a relay restart). */
  async restart(i: number): Promise<ShardNode> {
    await this.nodes[i]!.stop();
    await this.envs[i]!.close();
    const n = this.makeNode(i);
    this.nodes[i] = n;
    await n.start();
    return n;
  }

  async stop(): Promise<void> {
    for (const n of this.nodes) await n.stop();
    for (const e of this.envs) await e.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
