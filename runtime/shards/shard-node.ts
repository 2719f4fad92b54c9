/**
 * ShardNode: the shard store of one relay. Answers other relays' shard requests, stores files (putFile), reads
 * them back (getFile), challenges holders and repairs what is lost. Constructors do no I/O; start() opens the LMDB
 * store and installs the request handler and timers, stop() undoes it all.
 *
 * Wiring (runtime/daemon): `new ShardNode({ network, settings: config.shards, store: { path: join(dataDir, 'shards') },
 * metrics })`, start() after the bearers, stop() before them. `network` is a ShardNetwork (shard-network.ts):
 * shard-rpc.ts (TCP) today, the IP bearer later.
 */
import { randomBytes } from 'node:crypto';
import type { Metrics } from '../metrics/metrics.js';
import type { RootDatabase } from 'lmdb';
import type { StoreGuard } from '../store/open-store.js';
import type { RepairItem, ShardContext, ShardCounters, ShardLog, ShardsSettings, ShardTuning } from './shard-context.js';
import type { ShardNetwork, ShardRequest, ShardResponse } from './shard-network.js';
import { ReedSolomon } from './reed-solomon.js';
import { ShardStore, type ShardMeta, type ShardStoreStats } from './shard-store.js';
import { DEFAULT_REPUTATION, Reputation } from './reputation.js';
import { registerShardMetrics, type ShardMetrics } from './shard-metrics.js';
import { decodeManifest, manifestId, placedPeerOf, shardHashOf, type Manifest } from './manifest.js';
import { DEFAULT_SHARD_PAYLOAD_BYTES } from './shard-format.js';
import { putFile, type PutOptions, type PutResult } from './file-put.js';
import { getFile, type GetOptions, type GetResult } from './file-get.js';
import { isRepairer, repairManifest } from './repair.js';
import { auditOnce, auditPeer } from './audit.js';
import { shardService } from './shard-service.js';
import { DEFAULT_INFLIGHT_LIMITS, limitInflight } from './inflight-limit.js';
import { ShardTimeoutError } from './errors.js';
import { abortable } from '../../lib/abort/abortable.js';

export const DEFAULT_TUNING: ShardTuning = {
  payloadBytes: DEFAULT_SHARD_PAYLOAD_BYTES,
  maxFileBytes: 1024 * 2 ** 20,
  challengeIntervalMs: 60_000,
  challengeTimeoutMs: 5_000,
  repairIntervalMs: 5 * 60_000,
  offlineGraceMs: 10 * 60_000,
  requestTimeoutMs: 15_000,
  inflightChunks: 32,
  sweepIntervalMs: 3_600_000,
  scrubPerRound: 16,
  reputation: DEFAULT_REPUTATION,
};

export interface ShardNodeOptions {
  network: ShardNetwork;
  settings: ShardsSettings;
  /** `path`: directory of the shard store's own LMDB environment; `env`: open its databases in an existing one. */
  store: { path: string; guard?: StoreGuard } | { env: RootDatabase };
  tuning?: Partial<ShardTuning>;
  metrics?: Metrics;
  log?: ShardLog;
  now?: () => number;
}

export interface HolderStatus {
  peer: string;
  reputation: number;
  online: boolean;
}

export interface ShardsStatus extends ShardStoreStats {
  /** Local reads / all shard reads since start (0 when nothing was read). */
  hitRate: number;
  localReads: number;
  remoteReads: number;
  manifests: number;
  challengesSent: number;
  challengesFailed: number;
  repairs: number;
  repairQueue: number;
  /** LMDB pages in use by shard data and metadata, in bytes (what the disk really holds for them). */
  diskUsedBytes: number;
  peers: HolderStatus[];
}

const MANIFEST_CACHE = 4;
/** Remote reads remembered for cache admission (~0.4 MB; covers re-reading a file of up to ~16 MB). */
const RECENT_MISSES = 4096;

export class ShardNode implements ShardContext {
  readonly self: string;
  readonly net: ShardNetwork;
  readonly store: ShardStore;
  readonly reputation: Reputation;
  readonly settings: ShardsSettings;
  readonly tuning: ShardTuning;
  readonly counters: ShardCounters = { localReads: 0, remoteReads: 0, challengesSent: 0, challengesFailed: 0, repairs: 0 };
  metrics?: ShardMetrics;
  readonly log: ShardLog;
  private readonly clock: () => number;
  private readonly codecs = new Map<string, ReedSolomon>();
  private readonly manifests = new Map<string, Manifest>();
  private readonly lastSeen = new Map<string, number>();
  private readonly queue: RepairItem[] = [];
  private readonly recentMisses = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private life?: AbortController;
  private startedAt = 0;
  private background = new Set<Promise<unknown>>();
  private repairing?: Promise<number>;

  constructor(private readonly opts: ShardNodeOptions) {
    this.net = opts.network;
    this.self = opts.network.self;
    this.settings = opts.settings;
    this.tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    this.clock = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
    this.store = new ShardStore({
      ...('path' in opts.store ? { path: opts.store.path, guard: opts.store.guard } : { env: opts.store.env }),
      diskBytes: opts.settings.diskBytes,
      cacheBytes: opts.settings.cacheBytes,
      now: this.clock,
      onCorrupt: (hash, meta) => this.onCorrupt(hash, meta),
    });
    this.reputation = new Reputation(this.store, { ...DEFAULT_REPUTATION, ...this.tuning.reputation }, this.clock);
  }

  now(): number {
    return this.clock();
  }

  /**
   * While true, no repair pass and no challenge (the audits that find shards to repair) runs: a relay short of power
   * (runtime/power) saves the radio time and CPU they cost. Requests from other relays are still served.
   */
  repairPaused = false;
  /** Repair passes skipped while paused. */
  repairPassesSkipped = 0;

  async start(): Promise<void> {
    if (this.life) return;
    await this.store.start();
    this.life = new AbortController();
    this.startedAt = this.now();
    if (this.opts.metrics) this.metrics = registerShardMetrics(this.opts.metrics, () => this.status());
    // Other relays' requests being handled at once stay bounded (inflight-limit.ts); past that they hear "busy".
    this.net.onRequest(limitInflight(shardService(this, (peer) => this.lastSeen.set(peer, this.now())), DEFAULT_INFLIGHT_LIMITS, () => this.metrics?.refused.inc({ what: 'busy' })));
    const every = (ms: number, fn: () => Promise<unknown>) => {
      if (ms <= 0) return;
      const t = setInterval(() => this.run(fn), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.tuning.challengeIntervalMs, async () => {
      this.scrubOnce(this.tuning.scrubPerRound);
      if (this.repairPaused) return;
      return auditOnce(this, this.life?.signal);
    });
    every(this.tuning.repairIntervalMs, async () => {
      if (!this.repairPaused) return this.repairOnce();
      this.repairPassesSkipped++;
      return 0;
    });
    every(this.tuning.sweepIntervalMs, () => this.store.sweepExpired());
    every(Math.min(this.tuning.offlineGraceMs / 4, 30_000), async () => this.notePeers());
  }

  async stop(): Promise<void> {
    if (!this.life) return;
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.life.abort(new Error('shard node stopping'));
    await Promise.allSettled([...this.background]);
    this.life = undefined;
    this.net.onRequest(async () => ({ op: 'error', reason: 'shard store stopped' }));
    await this.store.stop();
  }

  private run(fn: () => Promise<unknown>): void {
    const p = fn().catch((err) => { if (!this.life?.signal.aborted) this.log('warn', 'shard background task failed', { err: String(err) }); });
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  // ---- API for the CLI / HTTP server ------------------------------------------------------------------------------

  putFile(path: string, opts: PutOptions = {}): Promise<PutResult> {
    return putFile(this, path, opts);
  }

  getFile(id: string, outPath: string, opts: GetOptions = {}): Promise<GetResult> {
    return getFile(this, id, outPath, opts);
  }

  /** What `lattice shards` and GET /shards show (alias of status()). */
  shardsStatus(): ShardsStatus {
    return this.status();
  }

  status(): ShardsStatus {
    const s = this.store.stats();
    const reads = this.counters.localReads + this.counters.remoteReads;
    const online = new Set(this.net.peers().map((p) => p.id));
    const known = new Set([...online, ...this.reputation.all().keys()]);
    return {
      ...s,
      hitRate: reads === 0 ? 0 : this.counters.localReads / reads,
      localReads: this.counters.localReads,
      remoteReads: this.counters.remoteReads,
      manifests: [...this.store.manifestEntries()].length,
      challengesSent: this.counters.challengesSent,
      challengesFailed: this.counters.challengesFailed,
      repairs: this.counters.repairs,
      repairQueue: this.queue.length,
      diskUsedBytes: this.store.usedBytes(),
      peers: [...known].sort().map((peer) => ({ peer, reputation: this.reputation.score(peer), online: online.has(peer) })),
    };
  }

  /** One repair pass: queued evidence first, then full scans of the manifests this relay is responsible for. */
  repairOnce(): Promise<number> {
    this.repairing ??= this.repairPass().finally(() => { this.repairing = undefined; });
    return this.repairing;
  }

  /** Challenge one random shard on one random holder (what the timer does). */
  auditOnce(): Promise<boolean | undefined> {
    return auditOnce(this, this.life?.signal);
  }

  /** Challenge up to `samples` shards held by `peer`. */
  auditPeer(peer: string, samples = 8): Promise<{ sent: number; failed: number }> {
    return auditPeer(this, peer, samples, this.life?.signal);
  }

  /** Re-hash `count` of this relay's own shards from a random place on; rotten ones are dropped and queued for repair. */
  scrubOnce(count = this.tuning.scrubPerRound): { checked: number; bad: number } {
    return this.store.scrub(count, randomBytes(32));
  }

  sweepExpired(): Promise<number> {
    return this.store.sweepExpired();
  }

  // ---- ShardContext -------------------------------------------------------------------------------------------------

  codec(k: number, m: number): ReedSolomon {
    const key = `${k}+${m}`;
    let c = this.codecs.get(key);
    if (!c) { c = new ReedSolomon(k, m); this.codecs.set(key, c); }
    return c;
  }

  placeablePeers(): string[] {
    this.notePeers();
    return this.net.peers().map((p) => p.id).filter((p) => this.reputation.eligible(p));
  }

  isOnline(peer: string): boolean {
    return peer === this.self || this.net.peers().some((p) => p.id === peer);
  }

  isAlive(peer: string): boolean {
    if (this.isOnline(peer)) {
      this.lastSeen.set(peer, this.now());
      return true;
    }
    const seen = this.lastSeen.get(peer) ?? this.startedAt;
    return this.now() - seen < this.tuning.offlineGraceMs;
  }

  private notePeers(): void {
    const t = this.now();
    for (const p of this.net.peers()) this.lastSeen.set(p.id, t);
  }

  async request(peer: string, req: ShardRequest, what: string, timeoutMs: number, signal?: AbortSignal): Promise<ShardResponse> {
    // A plain timer cleared on completion: AbortSignal.timeout() would keep every request's signal and timer alive
    // for the full timeout, tens of thousands of them while a big file streams.
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new ShardTimeoutError(`${what} from ${peer.slice(0, 16)}`, timeoutMs)), timeoutMs);
    const onAbort = () => ac.abort(signal!.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await abortable(this.net.request(peer, req, { signal: ac.signal }), ac.signal);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async manifest(id: string, signal?: AbortSignal): Promise<Manifest | undefined> {
    const cached = this.manifests.get(id);
    if (cached) return cached;
    let bytes = this.store.getManifest(id);
    if (!bytes) {
      for (const p of this.net.peers()) {
        try {
          const res = await this.request(p.id, { op: 'get-manifest', id }, 'manifest', this.tuning.requestTimeoutMs, signal);
          if (res.op === 'get-manifest' && res.bytes && manifestId(res.bytes) === id) { bytes = res.bytes; break; }
        } catch (err) {
          if (signal?.aborted) throw err;
        }
      }
      if (!bytes) return undefined;
      const m = decodeManifest(bytes);
      await this.store.putManifest(id, bytes, { own: false, expiresAt: m.expiresAt });
    }
    const m = decodeManifest(bytes);
    this.rememberManifest(id, m);
    return m;
  }

  rememberManifest(id: string, m: Manifest): void {
    this.manifests.delete(id);
    if (this.manifests.size >= MANIFEST_CACHE) this.manifests.delete(this.manifests.keys().next().value!);
    this.manifests.set(id, m);
  }

  holders(m: Manifest, chunk: number, index: number): string[] {
    return this.store.holdersOf(shardHashOf(m, chunk, index)) ?? [placedPeerOf(m, chunk, index)];
  }

  admitToCache(hash: Uint8Array): boolean {
    if (this.settings.cacheBytes <= 0) return false;
    const h = Buffer.from(hash).toString('hex');
    if (this.recentMisses.delete(h)) return true;
    this.recentMisses.add(h);
    if (this.recentMisses.size > RECENT_MISSES) this.recentMisses.delete(this.recentMisses.values().next().value!);
    return false;
  }

  enqueueRepair(item: RepairItem): void {
    // One entry per shard and bad holder; "not found anywhere" adds nothing to an entry that already names one.
    if (this.queue.some((q) => q.manifest === item.manifest && q.chunk === item.chunk && q.index === item.index && (item.bad === undefined || q.bad === item.bad))) return;
    this.queue.push(item);
  }

  // ---- internals ------------------------------------------------------------------------------------------------------

  private onCorrupt(hash: Uint8Array, meta: ShardMeta | undefined): void {
    this.metrics?.corrupt.inc();
    this.log('warn', 'stored shard failed its hash check and was dropped', { shard: Buffer.from(hash).toString('hex'), role: meta?.role });
    if (meta?.role === 'held' && meta.ref) this.enqueueRepair({ ...meta.ref, bad: this.self });
  }

  private async repairPass(): Promise<number> {
    const signal = this.life?.signal;
    this.notePeers();
    const items = this.queue.splice(0);
    const byManifest = new Map<string, RepairItem[]>();
    for (const it of items) {
      if (!byManifest.has(it.manifest)) byManifest.set(it.manifest, []);
      byManifest.get(it.manifest)!.push(it);
    }
    let repaired = 0;
    for (const { id, meta } of [...this.store.manifestEntries()]) {
      const m = await this.manifest(id, signal);
      if (!m) continue;
      const scan = isRepairer(this, m, meta.own);
      const mine = byManifest.get(id) ?? [];
      byManifest.delete(id);
      if (!scan && mine.length === 0) continue;
      repaired += await repairManifest(this, id, m, mine, scan, signal);
    }
    for (const [id, mine] of byManifest) {
      const m = await this.manifest(id, signal);
      if (m) repaired += await repairManifest(this, id, m, mine, false, signal);
    }
    return repaired;
  }

  /** Tag the shards of `m` this relay holds with where they belong, so it can rebuild one alone if it rots. */
}
