/**
 * What the put, get, repair and audit procedures need from a running ShardNode. Kept as an interface so each
 * procedure lives in its own file and tests can see exactly which state it touches.
 */
import type { ShardsConfig } from '../config/config.js';
import type { Manifest } from './manifest.js';
import type { ReedSolomon } from './reed-solomon.js';
import type { Reputation, ReputationPolicy } from './reputation.js';
import type { ShardMetrics } from './shard-metrics.js';
import type { ShardNetwork, ShardRequest, ShardResponse } from './shard-network.js';
import type { ShardStore } from './shard-store.js';

export type ShardsSettings = Pick<ShardsConfig, 'k' | 'm' | 'cacheBytes' | 'diskBytes' | 'lifetimeDays'>;

/** Tuning with defaults in shard-node.ts (DEFAULT_TUNING); the lead may expose any of these as config keys. */
export interface ShardTuning {
  /** Shard payload bytes; 4,064 puts header + payload in one 4 KB LMDB overflow page. */
  payloadBytes: number;
  maxFileBytes: number;
  /** How often one random holder is challenged; 0 disables the timer (tests call auditOnce). */
  challengeIntervalMs: number;
  /** The seed protocol's answer deadline. */
  challengeTimeoutMs: number;
  /** How often stored manifests are checked for shards whose holders are gone; 0 disables the timer. */
  repairIntervalMs: number;
  /** A holder missing from peers() this long counts as gone and its shards are rebuilt elsewhere. */
  offlineGraceMs: number;
  requestTimeoutMs: number;
  /** Chunks being stored or read at once (each costs one stripe buffer of (k + m) x 4 KB). */
  inflightChunks: number;
  sweepIntervalMs: number;
  /** Own shards re-hashed per challenge round (bit-rot scrub). */
  scrubPerRound: number;
  reputation: ReputationPolicy;
}

export interface RepairItem {
  manifest: string;
  chunk: number;
  index: number;
  /** The holder that failed (dropped from the shard's holders). */
  bad?: string;
}

export interface ShardCounters {
  localReads: number;
  remoteReads: number;
  challengesSent: number;
  challengesFailed: number;
  repairs: number;
}

export type ShardLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface ShardContext {
  readonly self: string;
  readonly store: ShardStore;
  readonly net: ShardNetwork;
  readonly reputation: Reputation;
  readonly settings: ShardsSettings;
  readonly tuning: ShardTuning;
  readonly counters: ShardCounters;
  readonly metrics?: ShardMetrics;
  readonly log: ShardLog;
  now(): number;
  codec(k: number, m: number): ReedSolomon;
  /** Reachable relays (not self) with reputation high enough to be given shards. */
  placeablePeers(): string[];
  /** True when `peer` is self or has been seen within offlineGraceMs. */
  isAlive(peer: string): boolean;
  isOnline(peer: string): boolean;
  /** One request with a deadline; the timeout error names `what`. */
  request(peer: string, req: ShardRequest, what: string, timeoutMs: number, signal?: AbortSignal): Promise<ShardResponse>;
  /** A manifest from the local store, else from reachable relays (checked against its id and stored). */
  manifest(id: string, signal?: AbortSignal): Promise<Manifest | undefined>;
  /** Keep a manifest just made (already stored under `id`) where manifest() finds it without decoding it again. */
  rememberManifest(id: string, m: Manifest): void;
  /** Current holders of a shard: repairs' placement table, else the manifest's original placement. */
  holders(m: Manifest, chunk: number, index: number): string[];
  enqueueRepair(item: RepairItem): void;
  /** True when this shard was read from another relay recently too (then it is worth a cache slot). */
  admitToCache(hash: Uint8Array): boolean;
}
