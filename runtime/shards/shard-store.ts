/**
 * The local shard store: the shard bytes in a slab file of 4 KB slots read with pread (shard-slab.ts says why they
 * are not LMDB values: the map's pages count in the relay's RSS), and one LMDB environment (lmdb-js) with
 *   shard-meta  address -> { role, size, expiresAt, lastUsed, ref, slot } (64-byte records, shard-meta-codec.ts)
 *   shards      32-B address -> shard bytes, for shards bigger than a slot and those stored before the slab
 *   manifests   manifest id -> manifest bytes;  manifest-meta  id -> { own, expiresAt }
 *   placement   address -> holder ids after repairs;  reputation  peer id -> score
 *
 * Roles: `held` shards were promised to someone until `expiresAt` and are never evicted before then; `cache` shards
 * are copies fetched for reading, kept in LRU order under `cacheBytes`. Everything together stays under `diskBytes`:
 * a new promise first pushes cached shards out and is refused (`full`) when the promises alone would not fit.
 * Records other relays can make us keep count too (`recordBytes`): placement entries and manifests. A placement
 * entry or manifest copy from another relay is refused (`full`) when it would not fit beside the promises (issue 11:
 * 20 placement requests grew an unbudgeted store from 0 to 132 MB); this relay's own are counted, never refused.
 * Other relays' placement entries also stay under a share of the budget (placementBudget), so entries for shards of
 * no manifest here (which no sweep removes) can never crowd out promises.
 * Every read re-hashes the bytes; a shard that no longer matches its address is deleted and reported through
 * `onCorrupt` so the node can repair it. Promises are acknowledged only after LMDB has flushed them to disk
 * (lmdb-js README "Overlapping Sync Options": `await put()` resolves at commit, `db.flushed` at fsync).
 *
 * The disk budget is `diskBytes`, and never more than the filesystem can take: what is stored now, plus the slab's
 * free slots, plus the free space (statfs) above a reserve left for the vault and the system (five relays on one
 * disk each reached 1.1 GB with diskBytes 1 GiB on a 5-minute soak, whatever room was left). A write that fails for
 * want of room (ENOSPC and kin, storage/disk-full.ts) is a refused promise (`full`), never a crash: every LMDB
 * write is observed (storage/lmdb-commit.ts).
 */
import type { Database, RootDatabase } from 'lmdb';
import { openStore, type StoreGuard } from '../store/open-store.js';
import { hashEquals, shardHash } from './shard-hash.js';
import { decodeManifest } from './manifest.js';
import { ShardStoreClosedError, StoreFullError } from './errors.js';
import { filesystemBytes, freeBytes, isDiskFullError, type WriteTarget } from '../storage/disk-full.js';
import { closeEnv, committed, flushedOrFailed, guardWrites } from '../storage/lmdb-commit.js';
import { MetaTable } from './shard-meta-codec.js';
import { SLAB_SLOT_BYTES, ShardSlab } from './shard-slab.js';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type ShardRole = 'held' | 'cache';

/** Where a held shard belongs, so its holder can rebuild it alone if it rots. */
export interface ShardRef {
  manifest: string;
  chunk: number;
  index: number;
}

export interface ShardMeta {
  role: ShardRole;
  size: number;
  expiresAt: number;
  lastUsed: number;
  ref?: ShardRef;
  /** Slab slot holding the bytes; absent when they are in the LMDB `shards` database. */
  slot?: number;
}

export interface ManifestMeta {
  own: boolean;
  expiresAt: number;
}

export interface ShardStoreOptions {
  /** Directory for a new LMDB environment, or `env` to open the databases inside an existing one. */
  path?: string;
  env?: RootDatabase;
  diskBytes: number;
  cacheBytes: number;
  /** LMDB map size (virtual address space); default defaultMapSize(diskBytes). */
  mapSize?: number;
  /** The slab file of shard bytes; default `shards.slab` inside the LMDB environment's directory. */
  slabPath?: string;
  now?: () => number;
  onCorrupt?: (hash: Uint8Array, meta: ShardMeta | undefined) => void;
  /** Damaged files of a `path` environment at start: runtime/store/open-store.ts (default: moved aside). */
  guard?: StoreGuard;
  /** Free bytes on the filesystem at `path` (default statfs); tests give their own. */
  freeBytes?: (path: string) => number | undefined;
  /** Free space left to others on that filesystem; default reserveFor(its size). */
  reserveBytes?: number;
}

export interface ShardStoreStats {
  heldShards: number;
  heldBytes: number;
  /** Placement entries and manifests, as counted against diskBytes (recordBytesOf). */
  recordBytes: number;
  cachedShards: number;
  cachedBytes: number;
  diskBytes: number;
  cacheBytes: number;
  corruptFound: number;
  /** The budget in force: diskBytes, or less when the filesystem has less room (above its reserve). */
  diskBudgetBytes: number;
  /** Free bytes on the filesystem, as last seen (statfs); absent when unknown. */
  diskFreeBytes?: number;
}

export type HoldResult = 'stored' | 'full';

/** Placement entries other relays may make us keep: a 16th of the disk budget, at least 1 MiB (~8,000 entries). */
export function placementBudget(diskBytes: number): number {
  return Math.max(2 ** 20, Math.floor(diskBytes / 16));
}

/**
 * What a placement entry costs against the disk budget: the value (each holder id with its msgpack string header, and
 * the array header) beside its 32-B key in a leaf page, or, past half a page, in whole 4 KB overflow pages (LMDB keeps
 * a value of up to 4,072 B in one, shard-format.ts). An estimate of what LMDB uses, the same formula at start and on
 * every change, so the count stays exact relative to itself.
 */
export function placementRecordBytes(holders: readonly string[]): number {
  let value = 5;
  for (const h of holders) value += Buffer.byteLength(h) + 3;
  if (value <= 2048) return 32 + value + 8;
  return 32 + 8 + Math.ceil((value + 24) / 4096) * 4096;
}

/**
 * Twice the disk budget (LMDB files keep freed pages and never shrink) plus slack, but at most 1.5 GiB on 32-bit
 * builds (armv7 Raspberry Pi OS), whose 4 GiB address space also holds the heap and the slab (lmdb-js
 * README, `mapSize` and `remapChunks`: address space is the limit on 32-bit systems).
 */
export function defaultMapSize(diskBytes: number, arch: string = process.arch): number {
  const want = 2 * diskBytes + 64 * 2 ** 20;
  return arch === 'arm' || arch === 'ia32' ? Math.min(want, 1.5 * 2 ** 30) : want;
}

/** `shards.slab` in the environment's directory, or beside its file when it was opened as one (noSubdir). */
export function defaultSlabPath(envPath: string): string {
  let dir = false;
  try {
    dir = statSync(envPath).isDirectory();
  } catch {
    // Not there: lmdb-js would have created it, so it names a file environment.
  }
  return dir ? join(envPath, 'shards.slab') : `${envPath}-shards.slab`;
}

/** Room left to the rest of the system on the shard store's filesystem: 2 % of it, at least 64 MiB, at most 1 GiB. */
export function reserveFor(filesystem: number | undefined): number {
  const MiB = 2 ** 20;
  return Math.min(1024 * MiB, Math.max(64 * MiB, (filesystem ?? 0) * 0.02));
}

/** statfs at most this often (holds come thousands a second during a put). */
const FREE_SPACE_TTL_MS = 500;

const hex = (h: Uint8Array) => Buffer.from(h.buffer, h.byteOffset, h.length).toString('hex');
const key = (h: Uint8Array) => Buffer.from(h.buffer, h.byteOffset, h.length);

export class ShardStore {
  private root?: RootDatabase;
  private ownsRoot = false;
  private shards?: Database<Buffer, Buffer>;
  private meta?: MetaTable;
  private manifests?: Database<Buffer, string>;
  private manifestMeta?: Database<ManifestMeta, string>;
  private placement?: Database<string[], Buffer>;
  private reputation?: Database<[number, number], string>;
  /** Cached shards in LRU order (oldest first), hex address -> size. */
  private readonly lru = new Map<string, number>();
  private slab?: ShardSlab;
  /** Writes in flight per hex address: a second hold/cache of the same shard waits for the first. */
  private readonly busy = new Map<string, { run: Promise<unknown>; done: boolean }>();
  private heldShards = 0;
  private heldBytes = 0;
  /** Placement entries and manifests (placementRecordBytes, manifest lengths). */
  private recordBytes = 0;
  /** The placement entries' part of recordBytes. */
  private placementBytes = 0;
  private cachedBytes = 0;
  private corruptFound = 0;
  private readonly now: () => number;
  private free?: { bytes: number | undefined; at: number };
  private reserve = 0;

  constructor(private readonly opts: ShardStoreOptions) {
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.root) return;
    if (this.opts.env) this.root = this.opts.env;
    else {
      if (!this.opts.path) throw new TypeError('ShardStore needs a path or an env');
      this.root = await openStore({ path: this.opts.path, maxDbs: 12, mapSize: this.opts.mapSize ?? defaultMapSize(this.opts.diskBytes) }, this.opts.guard ?? { store: 'shards' });
      this.ownsRoot = true;
    }
    const r = this.root;
    this.shards = r.openDB({ name: 'shards', encoding: 'binary', keyEncoding: 'binary' });
    const metaDb = r.openDB<Buffer, Buffer>({ name: 'shard-meta', encoding: 'binary', keyEncoding: 'binary' });
    this.meta = new MetaTable(metaDb);
    this.manifests = r.openDB({ name: 'manifests', encoding: 'binary' });
    this.manifestMeta = r.openDB({ name: 'manifest-meta' });
    this.placement = r.openDB({ name: 'placement', keyEncoding: 'binary' });
    this.reputation = r.openDB({ name: 'reputation' });
    // Failed commits (a full disk) reject promises nobody may be awaiting: observed here, never fatal.
    guardWrites(r, [r, this.shards, metaDb, this.manifests, this.manifestMeta, this.placement, this.reputation]);
    // Rebuild counters, LRU order and the slab's free slots (one pass over small meta records; no shard bytes are read).
    const cached: [string, number, number][] = [];
    const slots: number[] = [];
    for (const { key: k, value: m } of this.meta.getRange()) {
      if (m.slot !== undefined) slots.push(m.slot);
      if (m.role === 'held') { this.heldShards++; this.heldBytes += m.size; } else cached.push([hex(k), m.size, m.lastUsed]);
    }
    cached.sort((a, b) => a[2] - b[2]);
    for (const [h, size] of cached) { this.lru.set(h, size); this.cachedBytes += size; }
    for (const { value } of this.placement.getRange()) this.placementBytes += placementRecordBytes(value);
    this.recordBytes = this.placementBytes;
    for (const { value } of this.manifests.getRange()) this.recordBytes += value.length;
    const envPath = this.opts.path ?? (r as unknown as { path?: string }).path;
    const slabPath = this.opts.slabPath ?? (envPath ? defaultSlabPath(envPath) : undefined);
    if (!slabPath) throw new TypeError('ShardStore needs a slabPath when its env has no path');
    this.slab = new ShardSlab(slabPath);
    await this.slab.open(slots);
    this.reserve = this.opts.reserveBytes ?? reserveFor(filesystemBytes(this.target().path));
    this.free = undefined;
  }

  /** Where the bytes go: the slab's directory (for statfs) and the file that grows. */
  private target(): WriteTarget {
    const file = this.slab?.path ?? this.opts.slabPath ?? this.opts.path ?? '.';
    return { path: dirname(file), file };
  }

  private freeSpace(): number | undefined {
    const now = this.now();
    if (!this.free || now - this.free.at > FREE_SPACE_TTL_MS || now < this.free.at) this.free = { bytes: (this.opts.freeBytes ?? freeBytes)(this.target().path), at: now };
    return this.free.bytes;
  }

  /**
   * The disk budget in force: diskBytes, or what is stored now plus the room the filesystem still has above its
   * reserve (free slab slots are reused before the file grows), whichever is less.
   */
  private budget(): number {
    const free = this.freeSpace();
    if (free === undefined) return this.opts.diskBytes;
    const slab = this.slab ? (this.slab.fileBytes() / SLAB_SLOT_BYTES - this.slab.used) * SLAB_SLOT_BYTES : 0;
    return Math.min(this.opts.diskBytes, this.heldBytes + this.cachedBytes + this.recordBytes + Math.max(0, slab) + Math.max(0, free - this.reserve));
  }

  /** A write that failed for want of room, as the store's StoreFullError; other failures as they are. */
  private asFull(err: unknown, needed: number): unknown {
    if (!isDiskFullError(err, this.target())) return err;
    this.free = undefined;
    return new StoreFullError(needed, this.budget(), this.heldBytes, { cause: err });
  }

  async stop(): Promise<void> {
    if (!this.root) return;
    await Promise.allSettled([...this.busy.values()].map((b) => b.run));
    // A last commit that failed (disk full) never flushes: nothing it held was acknowledged, close anyway.
    await flushedOrFailed(this.root).catch(() => undefined);
    await this.slab?.close();
    this.slab = undefined;
    if (this.ownsRoot) await closeEnv(this.root);
    this.root = undefined;
    this.lru.clear();
    this.heldShards = this.heldBytes = this.cachedBytes = this.recordBytes = this.placementBytes = 0;
  }

  /** Resolves when every write so far is on disk. */
  async flushed(): Promise<void> {
    await flushedOrFailed(this.dbs().root);
  }

  private dbs() {
    if (!this.root) throw new ShardStoreClosedError();
    return { root: this.root, slab: this.slab!, shards: this.shards!, meta: this.meta!, manifests: this.manifests!, manifestMeta: this.manifestMeta!, placement: this.placement!, reputation: this.reputation! };
  }

  has(hash: Uint8Array): boolean {
    return this.dbs().meta.doesExist(key(hash));
  }

  metaOf(hash: Uint8Array): ShardMeta | undefined {
    return this.dbs().meta.get(key(hash));
  }

  /** The shard's bytes, checked against its address; undefined when absent or found corrupt (then deleted). */
  get(hash: Uint8Array): Uint8Array | undefined {
    const k = key(hash);
    const meta = this.dbs().meta.get(k);
    const bytes = meta ? this.body(k, meta) : undefined;
    if (!bytes) return undefined;
    if (!hashEquals(shardHash(bytes), hash)) {
      this.corruptFound++;
      void this.remove(hash);
      this.opts.onCorrupt?.(hash, meta);
      return undefined;
    }
    const h = hex(hash);
    const size = this.lru.get(h);
    if (size !== undefined) { this.lru.delete(h); this.lru.set(h, size); }
    return bytes;
  }

  /**
   * Promise to keep `bytes` (already checked against `hash` by the caller) until `expiresAt`. A cached copy becomes
   * held; an existing promise is extended to the later expiry. Resolves after the write is on disk.
   */
  hold(hash: Uint8Array, bytes: Uint8Array, expiresAt: number, ref?: ShardRef): Promise<HoldResult> {
    return this.serially(hex(hash), () => this.holdNow(hash, bytes, expiresAt, ref));
  }

  private async holdNow(hash: Uint8Array, bytes: Uint8Array, expiresAt: number, ref?: ShardRef): Promise<HoldResult> {
    const { root, meta } = this.dbs();
    const k = key(hash);
    const old = meta.get(k);
    const size = bytes.length;
    const intact = old ? this.body(k, old) : undefined;
    const rewrite = !intact || !hashEquals(shardHash(intact), hash);
    if (old?.role === 'held') {
      let next: ShardMeta = { ...old, expiresAt: Math.max(old.expiresAt, expiresAt), ref: old.ref ?? ref };
      let reclaimed = false;
      try {
        if (rewrite) next = this.withBody(next, await this.writeBody(k, bytes));
        else if (old.slot !== undefined) reclaimed = this.dbs().slab.claim(old.slot);
        if (rewrite || reclaimed || next.expiresAt !== old.expiresAt || next.ref !== old.ref) {
          const put = meta.put(k, next);
          this.replaced(k, old, next, put);
          await committed(put);
        }
        await flushedOrFailed(root);
      } catch (err) {
        if (this.asFull(err, size) instanceof StoreFullError) return 'full';
        throw err;
      }
      return 'stored';
    }
    if (old) this.dropCached(hex(hash), old.size);
    const budget = this.budget();
    if (this.heldBytes + this.recordBytes + size > budget) return 'full';
    this.evictCache(budget - this.heldBytes - this.recordBytes - size);
    this.heldShards++;
    this.heldBytes += size;
    let next: ShardMeta = { role: 'held', size, expiresAt, lastUsed: this.now(), ...(ref ? { ref } : {}) };
    try {
      if (rewrite) next = this.withBody(next, await this.writeBody(k, bytes));
      else if (old?.slot !== undefined) { this.dbs().slab.claim(old.slot); next.slot = old.slot; }
      const put = meta.put(k, next);
      this.replaced(k, old, next, put);
      await committed(put);
      await flushedOrFailed(root);
    } catch (err) {
      this.heldShards--;
      this.heldBytes -= size;
      // A slot no committed record names is free again (a failed commit names nothing).
      if (next.slot !== undefined && next.slot !== old?.slot) this.dbs().slab.discard(next.slot);
      if (this.asFull(err, size) instanceof StoreFullError) return 'full';
      throw err;
    }
    return 'stored';
  }

  /**
   * Runs `fn` after any write (hold, cache, setRef, remove) of the same shard still in flight: two holds of one shard
   * must not both count, and none may act on a record another is about to replace.
   */
  private serially<T>(h: string, fn: () => Promise<T>): Promise<T> {
    const before = this.busy.get(h);
    const run = before && !before.done ? before.run.then(fn, fn) : fn();
    const entry = { run: run as Promise<unknown>, done: false };
    this.busy.set(h, entry);
    // Registered before the caller's own await, so whoever awaited `run` finds it done and goes straight in.
    const settle = () => {
      entry.done = true;
      if (this.busy.get(h) === entry) this.busy.delete(h);
    };
    run.then(settle, settle);
    return run;
  }

  /** The stored bytes as they are (unchecked), from the slab or the LMDB `shards` database. */
  private body(k: Buffer, m: ShardMeta): Uint8Array | undefined {
    const { slab, shards } = this.dbs();
    return m.slot !== undefined ? slab.read(m.slot, m.size) : shards.getBinary(k);
  }

  /** Stores new bytes: in a fresh slab slot (on disk when this resolves), or in LMDB when bigger than a slot. */
  private async writeBody(k: Buffer, bytes: Uint8Array): Promise<number | undefined> {
    const { slab, shards } = this.dbs();
    if (bytes.length > SLAB_SLOT_BYTES) {
      void shards.put(k, Buffer.from(bytes));
      return undefined;
    }
    const slot = slab.allocate();
    try {
      await slab.write(slot, bytes);
    } catch (err) {
      slab.discard(slot);
      throw err;
    }
    return slot;
  }

  private withBody(m: ShardMeta, slot: number | undefined): ShardMeta {
    const { slot: _old, ...rest } = m;
    return slot === undefined ? rest : { ...rest, slot };
  }

  /** After `old`'s record was replaced by `next` (committing with `put`): free what only `old` used. */
  private replaced(k: Buffer, old: ShardMeta | undefined, next: ShardMeta, put: Promise<unknown>): void {
    if (!old || old.slot === next.slot) return;
    if (old.slot !== undefined) this.dbs().slab.releaseAfter(old.slot, put);
    else void this.dbs().shards.remove(k);
  }

  /** Record where a held shard belongs (learnt from its manifest), unless already known. */
  setRef(hash: Uint8Array, ref: ShardRef): Promise<void> {
    // In turn with writes of the same shard: a record read before a rewrite moved the bytes must not be put back.
    return this.serially(hex(hash), async () => {
      const { meta } = this.dbs();
      const k = key(hash);
      const old = meta.get(k);
      if (old?.role !== 'held' || old.ref) return;
      await meta.put(k, { ...old, ref });
    });
  }

  /** Keep a read copy under the cache budget (LRU); never replaces a held shard. */
  cache(hash: Uint8Array, bytes: Uint8Array): Promise<boolean> {
    return this.serially(hex(hash), () => this.cacheNow(hash, bytes));
  }

  private async cacheNow(hash: Uint8Array, bytes: Uint8Array): Promise<boolean> {
    const { meta } = this.dbs();
    const k = key(hash);
    const h = hex(hash);
    if (this.lru.has(h) || meta.doesExist(k)) return true;
    const size = bytes.length;
    if (size > this.opts.cacheBytes) return false;
    const room = Math.min(this.opts.cacheBytes, this.budget() - this.heldBytes - this.recordBytes) - size;
    if (room < 0) return false;
    this.evictCache(room);
    // Counted now so concurrent copies see the room taken; in the LRU (so evictable) once its record exists.
    this.cachedBytes += size;
    let slot: number | undefined;
    try {
      slot = await this.writeBody(k, bytes);
      const next = this.withBody({ role: 'cache', size, expiresAt: 0, lastUsed: this.now() }, slot);
      await committed(meta.put(k, next));
    } catch (err) {
      this.cachedBytes -= size;
      if (slot !== undefined) this.dbs().slab.discard(slot);
      // A copy kept for reading is only worth it when there is room: none, no copy.
      if (this.asFull(err, size) instanceof StoreFullError) return false;
      throw err;
    }
    this.lru.set(h, size);
    return true;
  }

  /** Evict least recently used cached shards until at most `limit` cached bytes remain. */
  private evictCache(limit: number): void {
    const { meta } = this.dbs();
    for (const [h, size] of this.lru) {
      if (this.cachedBytes <= limit) break;
      this.dropCached(h, size);
      const k = Buffer.from(h, 'hex');
      this.dropBody(k, meta.get(k), meta.remove(k));
    }
  }

  /** The record of `k` (`m`) is being removed (`removal`): free its slot once that commits, or drop its LMDB bytes. */
  private dropBody(k: Buffer, m: ShardMeta | undefined, removal: Promise<unknown>): void {
    if (m?.slot !== undefined) this.dbs().slab.releaseAfter(m.slot, removal);
    else void this.dbs().shards.remove(k);
  }

  private dropCached(h: string, size: number): void {
    if (this.lru.delete(h)) this.cachedBytes -= size;
  }

  remove(hash: Uint8Array): Promise<void> {
    return this.serially(hex(hash), () => this.removeNow(hash));
  }

  private async removeNow(hash: Uint8Array): Promise<void> {
    const { meta } = this.dbs();
    const k = key(hash);
    const old = meta.get(k);
    if (old?.role === 'held') { this.heldShards--; this.heldBytes -= old.size; } else if (old) this.dropCached(hex(hash), old.size);
    const removal = meta.remove(k);
    this.dropBody(k, old, removal);
    await committed(removal);
  }

  /** Drops promises and manifests whose lifetime is over; returns how many shards went. */
  async sweepExpired(): Promise<number> {
    const { meta, manifestMeta, manifests, placement } = this.dbs();
    const now = this.now();
    const expired: Buffer[] = [];
    for (const { key: k, value: m } of meta.getRange()) if (m.role === 'held' && m.expiresAt <= now) expired.push(k);
    for (const k of expired) await this.remove(k);
    for (const { key: id, value: m } of manifestMeta.getRange()) {
      if (m.expiresAt > now) continue;
      const bytes = manifests.getBinary(id);
      if (bytes) {
        // Repairs recorded where its shards went; those entries die with the manifest.
        try {
          const hashes = decodeManifest(bytes).shardHashes;
          for (let at = 0; at < hashes.length; at += 32) {
            const k = Buffer.from(hashes.subarray(at, at + 32));
            const holders = placement.get(k);
            if (!holders) continue;
            this.recordBytes -= placementRecordBytes(holders);
            this.placementBytes -= placementRecordBytes(holders);
            void placement.remove(k);
          }
        } catch {
          // An undecodable manifest has no placement entries worth finding.
        }
      }
      if (bytes) this.recordBytes -= bytes.length;
      void manifests.remove(id);
      await manifestMeta.remove(id);
    }
    return expired.length;
  }

  /**
   * Re-reads (and so re-hashes) up to `count` stored shards starting at a random address, wrapping around: a scrub
   * that finds bit rot before a reader needs the shard. Returns how many were checked and how many were bad.
   */
  scrub(count: number, start: Uint8Array): { checked: number; bad: number } {
    const { meta } = this.dbs();
    let checked = 0;
    let bad = 0;
    const visit = (k: Buffer) => {
      checked++;
      if (!this.get(k)) bad++;
    };
    const keys: Buffer[] = [];
    for (const { key: k } of meta.getRange({ start: Buffer.from(start) })) { if (keys.length >= count) break; keys.push(k); }
    if (keys.length < count) for (const { key: k } of meta.getRange()) { if (keys.length >= count || Buffer.compare(k, Buffer.from(start)) >= 0) break; keys.push(k); }
    for (const k of keys) visit(k);
    return { checked, bad };
  }

  stats(): ShardStoreStats {
    return {
      heldShards: this.heldShards, heldBytes: this.heldBytes, recordBytes: this.recordBytes, cachedShards: this.lru.size, cachedBytes: this.cachedBytes,
      diskBytes: this.opts.diskBytes, cacheBytes: this.opts.cacheBytes, corruptFound: this.corruptFound,
      diskBudgetBytes: this.root ? this.budget() : this.opts.diskBytes,
      ...(this.free?.bytes !== undefined ? { diskFreeBytes: this.free.bytes } : {}),
    };
  }

  /**
   * Keeps a manifest (counted against diskBytes). A copy that is not this relay's own (`own: false`) is refused
   * (`full`) when it would not fit beside the promises; an own one is always kept.
   */
  async putManifest(id: string, bytes: Uint8Array, meta: ManifestMeta): Promise<HoldResult> {
    const { root, manifests, manifestMeta } = this.dbs();
    const old = manifestMeta.get(id);
    const had = manifests.getBinary(id);
    if (!had) {
      if (!meta.own && !this.fits(bytes.length)) return 'full';
      this.recordBytes += bytes.length;
      this.evictCache(this.budget() - this.heldBytes - this.recordBytes);
      // A view, not a copy (a manifest is ~200 B per chunk): manifests are never changed after encoding.
      void manifests.put(id, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    }
    const put = manifestMeta.put(id, { own: meta.own || (old?.own ?? false), expiresAt: Math.max(meta.expiresAt, old?.expiresAt ?? 0) });
    try {
      await committed(put);
      await flushedOrFailed(root);
    } catch (err) {
      throw this.asFull(err, bytes.length);
    }
    return 'stored';
  }

  /** Whether `n` more bytes of records fit beside the promises (cached shards give way). */
  private fits(n: number): boolean {
    return this.heldBytes + this.recordBytes + n <= this.budget();
  }

  getManifest(id: string): Uint8Array | undefined {
    return this.dbs().manifests.getBinary(id);
  }

  *manifestEntries(): Generator<{ id: string; meta: ManifestMeta }> {
    for (const { key: id, value: m } of this.dbs().manifestMeta.getRange()) yield { id, meta: m };
  }

  holdersOf(hash: Uint8Array): string[] | undefined {
    return this.dbs().placement.get(key(hash));
  }

  /**
   * Records where a shard lives after a repair. Another relay's entry (`own` unset) is refused (`full`) when it would
   * not fit beside the promises; this relay's own repairs are always recorded.
   */
  setHolders(hash: Uint8Array, holders: string[], opts: { own?: boolean } = {}): Promise<HoldResult> {
    // In turn per entry: two updates of one entry must not both count their growth.
    return this.serially(`placement ${hex(hash)}`, async () => {
      const { placement } = this.dbs();
      const k = Buffer.from(hash);
      const old = placement.get(k);
      const delta = placementRecordBytes(holders) - (old ? placementRecordBytes(old) : 0);
      if (delta > 0 && !opts.own && (!this.fits(delta) || this.placementBytes + delta > placementBudget(this.opts.diskBytes))) return 'full';
      this.recordBytes += delta;
      this.placementBytes += delta;
      if (delta > 0) this.evictCache(this.budget() - this.heldBytes - this.recordBytes);
      await placement.put(k, holders);
      return 'stored';
    });
  }

  /** [score, since ms] of a peer (reputation.ts). */
  reputationOf(peer: string): [number, number] | undefined {
    return this.dbs().reputation.get(peer);
  }

  async setReputation(peer: string, entry: [number, number]): Promise<void> {
    await this.dbs().reputation.put(peer, entry);
  }

  /** Slab slots in use plus the pages LMDB uses for all shard databases (for the bytes-on-disk-per-byte benchmark). */
  usedBytes(): number {
    const { root, slab } = this.dbs();
    const s = root.getStats() as { pageSize?: number; treeBranchPageCount?: number; treeLeafPageCount?: number; overflowPages?: number };
    let pages = 0;
    for (const db of [this.shards!, this.meta!.db]) {
      const d = db.getStats() as { treeBranchPageCount?: number; treeLeafPageCount?: number; overflowPages?: number };
      pages += (d.treeBranchPageCount ?? 0) + (d.treeLeafPageCount ?? 0) + (d.overflowPages ?? 0);
    }
    return pages * (s.pageSize ?? 4096) + slab.used * SLAB_SLOT_BYTES;
  }

  /** Where the shard bytes live (tests rot them there). */
  slabPath(): string {
    return this.dbs().slab.path;
  }

  /** The slab file's size in bytes (free slots included). */
  slabBytes(): number {
    return this.dbs().slab.fileBytes();
  }
}
