/**
 * ShardSlab: shard bytes in one flat file of fixed 4,096-byte slots, written with pwrite and read with pread, next to
 * the LMDB environment that keeps the shards' metadata (shard-meta-codec.ts records name the slot).
 *
 * Why not LMDB values: LMDB reads through a memory map, and every page of a map the process touches counts in its
 * RSS (VmHWM) for as long as the map lives. Reading a shard back maps its page; and even writing maps pages, because
 * LMDB reads its B-tree pages through the map on every commit and the kernel's fault-around maps the neighbouring
 * page-cache pages with each fault (mm/memory.c do_fault_around, 64 KB by default) — the overflow pages just written.
 * bench/shards.bench.ts measured the relay putting a 100 MB file at 38 MiB of data.mdb pages (every shard it kept)
 * on top of 38 MiB of node binary: the < 100 MiB goal of issue 8 could not be met with shard bodies in the map.
 * Bytes read with pread land in page cache, which the kernel reclaims and which is no process's RSS.
 *
 * Slots are reused lowest first after a restart (the free list is rebuilt from the metadata), the file never
 * shrinks (like data.mdb). Durability: a slot is written and fdatasync'd (one sync covers every write before it)
 * before the metadata naming it commits; a slot whose metadata is being removed is reused only after that removal
 * committed, so a crash leaves at worst an unnamed slot (free again at the next start), never two shards in one.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { constants, readSync } from 'node:fs';
import { ShardStoreClosedError } from './errors.js';

export const SLAB_SLOT_BYTES = 4096;

const FREE = 0;
const USED = 1;
/** Its metadata removal is queued but not committed: not reusable yet, but a new promise may claim it back. */
const FREEING = 2;

export class ShardSlab {
  private fh?: FileHandle;
  private state = new Uint8Array(0);
  /** Slots the file covers. */
  private end = 0;
  /** Free slots, a stack with the lowest on top after open(). */
  private free: number[] = [];
  private syncing?: Promise<void>;
  private queued?: Promise<void>;
  /** Slots holding a shard. */
  used = 0;

  constructor(readonly path: string) {}

  /** Opens (or creates) the file; `usedSlots` are the slots the metadata names, every other slot is free. */
  async open(usedSlots: Iterable<number>): Promise<void> {
    if (this.fh) return;
    const fh = await open(this.path, constants.O_RDWR | constants.O_CREAT, 0o600);
    const used: number[] = [...usedSlots];
    let end = Math.ceil((await fh.stat()).size / SLAB_SLOT_BYTES);
    for (const s of used) end = Math.max(end, s + 1);
    this.state = new Uint8Array(Math.max(1024, end));
    for (const s of used) this.state[s] = USED;
    this.end = end;
    this.used = used.length;
    this.free = [];
    for (let s = end - 1; s >= 0; s--) if (this.state[s] === FREE) this.free.push(s);
    this.fh = fh;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    if (!fh) return;
    await Promise.allSettled([this.syncing, this.queued]);
    this.fh = undefined;
    await fh.close();
  }

  /** Size of the file in bytes (slots ever used, including free ones). */
  fileBytes(): number {
    return this.end * SLAB_SLOT_BYTES;
  }

  /** Takes a free slot (or a new one at the end of the file). */
  allocate(): number {
    const s = this.free.pop() ?? this.end++;
    if (s >= this.state.length) {
      const grown = new Uint8Array(Math.max(s + 1, this.state.length * 2));
      grown.set(this.state);
      this.state = grown;
    }
    this.state[s] = USED;
    this.used++;
    return s;
  }

  /**
   * A promise is kept in a slot whose removal may still be in flight: it stays in use. True when it was not in use
   * (then the caller must write the record naming it again, since the removal will delete it).
   */
  claim(slot: number): boolean {
    if (this.state[slot] === USED) return false;
    if (this.state[slot] === FREE) {
      const i = this.free.lastIndexOf(slot);
      if (i >= 0) this.free.splice(i, 1);
    }
    this.state[slot] = USED;
    this.used++;
    return true;
  }

  /** Frees `slot` once `committed` (the removal of the metadata naming it) resolves, unless claimed back meanwhile. */
  releaseAfter(slot: number, committed: Promise<unknown>): void {
    if (this.state[slot] !== USED) return;
    this.state[slot] = FREEING;
    this.used--;
    committed.then(() => {
      if (this.state[slot] !== FREEING) return;
      this.state[slot] = FREE;
      this.free.push(slot);
    }, () => {
      // The removal failed, so the metadata may still name the slot: it stays out of use until the next start.
    });
  }

  /** Frees a slot whose write failed (no metadata names it). */
  discard(slot: number): void {
    if (this.state[slot] !== USED) return;
    this.state[slot] = FREE;
    this.used--;
    this.free.push(slot);
  }

  /** Writes `bytes` (at most one slot) into `slot`; resolves once the bytes are on disk. */
  async write(slot: number, bytes: Uint8Array): Promise<void> {
    const fh = this.handle();
    if (bytes.length > SLAB_SLOT_BYTES) throw new RangeError(`${bytes.length} B do not fit a ${SLAB_SLOT_BYTES}-B slab slot`);
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, slot * SLAB_SLOT_BYTES + done);
      done += bytesWritten;
    }
    await this.sync();
  }

  /** The first `size` bytes of `slot` (fewer if the file ends early; the caller's hash check catches that). */
  read(slot: number, size: number): Buffer {
    const buf = Buffer.allocUnsafe(size);
    const n = readSync(this.handle().fd, buf, 0, size, slot * SLAB_SLOT_BYTES);
    return n === size ? buf : buf.subarray(0, n);
  }

  /**
   * Group commit: one fdatasync at a time; callers arriving while one runs share the next, which starts when it
   * ends and so covers every write they made.
   */
  private sync(): Promise<void> {
    if (!this.syncing) {
      const p: Promise<void> = this.handle().datasync().finally(() => { if (this.syncing === p) this.syncing = undefined; });
      this.syncing = p;
      return p;
    }
    this.queued ??= this.syncing.catch(() => {}).then(() => {
      this.queued = undefined;
      return this.sync();
    });
    return this.queued;
  }

  private handle(): FileHandle {
    if (!this.fh) throw new ShardStoreClosedError();
    return this.fh;
  }
}
