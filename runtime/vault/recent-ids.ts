/**
 * RecentIds: a bounded-memory "have I seen this bundle id lately?" filter in front of the LMDB lookup.
 *
 * Layout: G generations, each a cuckoo filter (Fan et al., "Cuckoo Filter: Practically Better Than Bloom", 2014)
 * of 16-bit fingerprints in buckets of 4 slots, partial-key cuckoo hashing (alt bucket = b XOR h(fp)). A generation
 * is filled to 94 % of its slots (a b=4 cuckoo filter reaches ~95 %), then the oldest generation is cleared and
 * becomes the active one. So the set always remembers the newest (G-1) generations' worth of ids (≥ `window`),
 * at 2 bytes / 0.94 load per id: with G = 4 and window = 1 M, 4 MB of tables guarantee the newest 1.48 M ids,
 * ~2.8 MB per million ids guaranteed (docs/measurements.md §7: goal ≤ 4 MB, vs 98.6 MB for a Python set of 32-byte
 * hashes in Reticulum).
 *
 * A hit is only a hint (false-positive rate ≈ G·2·4/2^16 ≈ 0.05 %): the vault confirms every hit in LMDB before
 * calling a bundle a duplicate, so there are no false drops. A miss is not proof of novelty either (the id may be
 * older than the window, or from before a restart); the vault's conditional write catches those.
 *
 * Bundle ids are SHA-256 outputs, so their bytes are already uniform hashes: bucket index from bytes 0..3,
 * fingerprint from bytes 4..5.
 */
const SLOTS = 4;
const MAX_KICKS = 500;
const TARGET_LOAD = 0.94;

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Mixes a fingerprint into a bucket offset (MurmurHash2 multiplier); any odd multiplier spreads it. */
const fpHash = (fp: number): number => Math.imul(fp, 0x5bd1e995) >>> 0;

class Generation {
  readonly table: Uint16Array;
  count = 0;
  private readonly mask: number;

  constructor(buckets: number) {
    this.table = new Uint16Array(buckets * SLOTS);
    this.mask = buckets - 1;
  }

  private alt(bucket: number, fp: number): number {
    return (bucket ^ fpHash(fp)) & this.mask;
  }

  private inBucket(bucket: number, fp: number): boolean {
    const t = this.table;
    const o = bucket * SLOTS;
    return t[o] === fp || t[o + 1] === fp || t[o + 2] === fp || t[o + 3] === fp;
  }

  has(b1: number, fp: number): boolean {
    const i1 = b1 & this.mask;
    return this.inBucket(i1, fp) || this.inBucket(this.alt(i1, fp), fp);
  }

  private tryPut(bucket: number, fp: number): boolean {
    const t = this.table;
    const o = bucket * SLOTS;
    for (let s = 0; s < SLOTS; s++) {
      if (t[o + s] === 0) {
        t[o + s] = fp;
        return true;
      }
    }
    return false;
  }

  /** False when the table is too full to place it (the caller rotates generations). */
  add(b1: number, fp: number, rnd: () => number): boolean {
    const i1 = b1 & this.mask;
    const i2 = this.alt(i1, fp);
    if (this.tryPut(i1, fp) || this.tryPut(i2, fp)) {
      this.count++;
      return true;
    }
    let bucket = rnd() & 1 ? i1 : i2;
    let f = fp;
    const t = this.table;
    // Remember the path so a failed insertion can be undone: a cuckoo filter that drops a resident
    // fingerprint would turn into false negatives for ids we promised to remember.
    const path: number[] = [];
    for (let n = 0; n < MAX_KICKS; n++) {
      const slot = bucket * SLOTS + (rnd() & (SLOTS - 1));
      const victim = t[slot]!;
      t[slot] = f;
      path.push(slot, victim);
      f = victim;
      bucket = this.alt(bucket, f);
      if (this.tryPut(bucket, f)) {
        this.count++;
        return true;
      }
    }
    for (let i = path.length - 2; i >= 0; i -= 2) t[path[i]!] = path[i + 1]!;
    return false;
  }

  clear(): void {
    this.table.fill(0);
    this.count = 0;
  }
}

/** Snapshot block size (bytes of table) and the flag marking the sparse snapshot form. */
const BLOCK = 4096;
const SPARSE = 0x80;

export interface RecentIdsOptions {
  /** The newest `window` ids are always remembered (more are, up to a generation's worth). Default 1,000,000. */
  window?: number;
  /** Number of generations (≥ 2). Default 4. */
  generations?: number;
}

export class RecentIds {
  private readonly gens: Generation[];
  private readonly perGen: number;
  private active = 0;
  private seed = 0x9e3779b9;

  constructor(options: RecentIdsOptions = {}) {
    const window = options.window ?? 1_000_000;
    const g = options.generations ?? 4;
    if (!Number.isInteger(window) || window < 64) throw new RangeError('recent-id window must be an integer ≥ 64');
    if (!Number.isInteger(g) || g < 2 || g > 16) throw new RangeError('recent-id generations must be 2..16');
    this.perGen = Math.ceil(window / (g - 1));
    const buckets = pow2AtLeast(Math.ceil(this.perGen / TARGET_LOAD / SLOTS));
    // A power-of-two bucket count is what makes b XOR h(fp) an involution; fill each generation to TARGET_LOAD of
    // what was allocated (rounding up to a power of two can leave it well below).
    this.perGen = Math.floor(buckets * SLOTS * TARGET_LOAD);
    this.gens = Array.from({ length: g }, () => new Generation(buckets));
  }

  /** Bytes of fingerprint tables (the whole memory cost apart from a few object headers). */
  get bytes(): number {
    let n = 0;
    for (const g of this.gens) n += g.table.byteLength;
    return n;
  }

  /** Ids currently remembered (approximate after rotation: counts per generation). */
  get size(): number {
    let n = 0;
    for (const g of this.gens) n += g.count;
    return n;
  }

  /** Ids this set is sure to remember however many more are added (the newest ones). */
  get guaranteedWindow(): number {
    return this.perGen * (this.gens.length - 1);
  }

  private static split(id: Uint8Array): [number, number] {
    if (id.length < 6) throw new RangeError('bundle id must be at least 6 bytes');
    const b1 = (id[0]! | (id[1]! << 8) | (id[2]! << 16) | (id[3]! << 24)) >>> 0;
    const fp = (id[4]! | (id[5]! << 8)) || 1; // 0 marks an empty slot
    return [b1, fp];
  }

  private rnd = (): number => {
    // xorshift32: only picks which slot to kick; quality hardly matters, determinism helps tests.
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  };

  /** Possibly seen (confirm elsewhere); false = certainly not among the remembered ids. */
  has(id: Uint8Array): boolean {
    const [b1, fp] = RecentIds.split(id);
    for (const g of this.gens) if (g.count > 0 && g.has(b1, fp)) return true;
    return false;
  }

  add(id: Uint8Array): void {
    const [b1, fp] = RecentIds.split(id);
    let gen = this.gens[this.active]!;
    if (gen.count >= this.perGen || !gen.add(b1, fp, this.rnd)) {
      this.rotate();
      gen = this.gens[this.active]!;
      gen.add(b1, fp, this.rnd); // an empty table always has room
    }
  }

  private rotate(): void {
    this.active = (this.active + 1) % this.gens.length;
    this.gens[this.active]!.clear();
  }

  /**
   * Snapshot for a clean shutdown, sparse: [u8 0x80|generations, u8 active, then per generation u32 count, u32 n,
   * n x (u32 block index, 4 KiB of table)] with only the blocks that hold fingerprints. A relay that saw few ids
   * writes (and at the next start reads and touches) a few KiB instead of the whole 4 MiB of tables: restoring a
   * dense snapshot made every table page resident (+13 MiB VmRSS on an idle restart, bench/rss.bench.ts).
   */
  /** Snapshot block: 4 KiB of table, or the whole table when smaller (tables are powers of two in size). */
  private get block(): number {
    return Math.min(BLOCK, this.gens[0]!.table.byteLength);
  }

  toBytes(): Uint8Array {
    const blk = this.block;
    const blocks: Array<{ count: number; list: number[] }> = [];
    let size = 2;
    for (const g of this.gens) {
      const bytes = new Uint8Array(g.table.buffer, g.table.byteOffset, g.table.byteLength);
      const words = new Uint32Array(g.table.buffer, g.table.byteOffset, g.table.byteLength >>> 2);
      const list: number[] = [];
      if (g.count > 0) {
        for (let b = 0; b * blk < bytes.length; b++) {
          const from = (b * blk) >>> 2;
          const to = Math.min(words.length, from + (blk >>> 2));
          for (let i = from; i < to; i++) if (words[i] !== 0) { list.push(b); break; }
        }
      }
      blocks.push({ count: g.count, list });
      size += 8 + list.length * (4 + blk);
    }
    const out = new Uint8Array(size);
    const dv = new DataView(out.buffer);
    out[0] = SPARSE | this.gens.length;
    out[1] = this.active;
    let o = 2;
    this.gens.forEach((g, gi) => {
      const { count, list } = blocks[gi]!;
      dv.setUint32(o, count, true);
      dv.setUint32(o + 4, list.length, true);
      o += 8;
      const bytes = new Uint8Array(g.table.buffer, g.table.byteOffset, g.table.byteLength);
      for (const b of list) {
        dv.setUint32(o, b, true);
        out.set(bytes.subarray(b * blk, b * blk + blk), o + 4);
        o += 4 + blk;
      }
    });
    return out;
  }

  /**
   * Restores a snapshot taken with the same options (sparse, or the dense form earlier versions wrote); returns false
   * (and keeps the set empty) when it does not fit. Only blocks that hold fingerprints are written, so untouched
   * table pages stay unallocated.
   */
  load(bytes: Uint8Array): boolean {
    const blk = this.block;
    const tableBytes = this.gens[0]!.table.byteLength;
    if (bytes.length < 2 || bytes[1]! >= this.gens.length) return false;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes[0] === (SPARSE | this.gens.length)) {
      const parsed: Array<{ count: number; at: number; n: number }> = [];
      let o = 2;
      for (let gi = 0; gi < this.gens.length; gi++) {
        if (o + 8 > bytes.length) return false;
        const count = dv.getUint32(o, true);
        const n = dv.getUint32(o + 4, true);
        o += 8;
        if (n * blk > tableBytes + blk || o + n * (4 + blk) > bytes.length) return false;
        for (let k = 0; k < n; k++) if ((dv.getUint32(o + k * (4 + blk), true) + 1) * blk > tableBytes) return false;
        parsed.push({ count, at: o, n });
        o += n * (4 + blk);
      }
      if (o !== bytes.length) return false;
      this.gens.forEach((g, gi) => {
        const { count, at, n } = parsed[gi]!;
        if (g.count > 0) g.clear(); // a fresh set's tables are zero and untouched: keep them so
        g.count = count;
        const table = new Uint8Array(g.table.buffer, g.table.byteOffset, g.table.byteLength);
        for (let k = 0; k < n; k++) {
          const p = at + k * (4 + blk);
          const b = dv.getUint32(p, true);
          table.set(bytes.subarray(p + 4, p + 4 + blk), b * blk);
        }
      });
      this.active = bytes[1]!;
      return true;
    }
    if (bytes.length !== 2 + this.gens.length * (4 + tableBytes) || bytes[0] !== this.gens.length) return false;
    let o = 2;
    for (const g of this.gens) {
      g.count = dv.getUint32(o, true);
      o += 4;
      new Uint8Array(g.table.buffer, g.table.byteOffset, g.table.byteLength).set(bytes.subarray(o, o + tableBytes));
      o += tableBytes;
    }
    this.active = bytes[1]!;
    return true;
  }
}
