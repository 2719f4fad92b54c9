/**
 * The on-disk layout of an LMDB data file as the LMDB bundled in lmdb-js 3.x writes it (LMDB 0.9.90, "mdb.master3"
 * of node_modules/lmdb/dependencies/lmdb/libraries/liblmdb/mdb.c). Data only: names follow mdb.c.
 *
 * The file is an array of pages of `mm_psize` bytes (the OS page size when the file was created, 4096 on x86-64).
 * Pages 0 and 1 are meta pages (`MDB_page` header + `MDB_meta`); transaction N writes meta page N % 2. With
 * lmdb-js's overlapping sync (its default on Linux) a third meta, written only after the data is fsynced, sits in
 * the second half of page 0 at `psize / 2`; its magic and version are never written (mdb_env_write_meta writes the
 * fields from `mm_mapsize` on), so only page 0's magic and version mean anything.
 *
 * Word-sized fields (`pgno_t`, `txnid_t`, `mdb_size_t`, pointers) are `size_t`: 8 bytes on 64-bit builds and 4 on
 * 32-bit ones (lmdb-js builds without MDB_VL32), so a file belongs to the word size that wrote it. Little endian.
 */

/** `MDB_MAGIC`: "a stamp that identifies a file as an LMDB file". */
export const MDB_MAGIC = 0xbeefc0de;
/** `MDB_DATA_VERSION` (the low 16 bits of `mm_version`). */
export const MDB_DATA_VERSION = 2;
/** `NUM_METAS`: pages 0 and 1. */
export const NUM_METAS = 2;
/** `MAX_PAGESIZE` with PAGEBASE = PAGEHDRSZ (ITS#7713). */
export const MAX_PAGESIZE = 0x10000;
/** Smallest page size we accept (LMDB itself uses the OS page size: 4 KiB, 16 KiB or 64 KiB). */
export const MIN_PAGESIZE = 512;

// Page flags (`mp_flags`).
export const P_BRANCH = 0x01;
export const P_LEAF = 0x02;
export const P_OVERFLOW = 0x04;
export const P_META = 0x08;
export const P_LEAF2 = 0x20;
export const P_SUBP = 0x40;

// Node flags (`mn_flags` of a leaf node).
/** The data is on overflow pages; the node holds the first page number. */
export const F_BIGDATA = 0x01;
/** The data is an `MDB_db`: a named database (in the main DB) or a duplicate sub-tree. */
export const F_SUBDATA = 0x02;
/** The data holds duplicates (a sub-page inline, or with F_SUBDATA a sub-tree). */
export const F_DUPDATA = 0x04;

/** Environment flag that lmdb-js keeps in `mm_flags` of a meta written before its data was fsynced. */
export const MDB_OVERLAPPINGSYNC = 0x1000;

export type WordSize = 4 | 8;

/** The word size of this process's LMDB build. */
export function nativeWordSize(): WordSize {
  return process.arch === 'arm' || process.arch === 'ia32' || process.arch === 'mips' || process.arch === 'mipsel' || process.arch === 'ppc' ? 4 : 8;
}

/** Byte offsets for one word size. */
export interface Layout {
  word: WordSize;
  /** `PAGEHDRSZ`: mp_pgno, mp_txnid, mp_pad, mp_flags, mp_lower/mp_upper (or mp_pages). */
  pageHeader: number;
  /** `sizeof(MDB_meta)`. */
  metaSize: number;
  /** `P_INVALID`: the root of an empty tree. */
  invalidPgno: number;
  /** `PGNO_TOPWORD`: a branch node's page number also uses mn_flags above this bit (64-bit only). */
  pgnoTopWord: number;
  page: { pgno: number; txnid: number; flags: number; lower: number; upper: number; pages: number };
  meta: { magic: number; version: number; mapsize: number; dbs: number; lastPg: number; txnid: number; bootId: number };
  /** Offsets inside an `MDB_db` and its size. */
  db: { pad: number; flags: number; depth: number; entries: number; root: number; size: number };
}

export function layout(word: WordSize): Layout {
  const W = word;
  const dbSize = 8 + 5 * W; // md_pad u32, md_flags u16, md_depth u16, then five word-sized fields
  const dbs = 8 + 2 * W; // after mm_magic, mm_version, mm_address, mm_mapsize
  return {
    word,
    pageHeader: 2 * W + 8,
    metaSize: dbs + 2 * dbSize + 2 * W + 8,
    // Kept as a double: 2^64 - 1 is not exact, but no real page number comes near it and readWord() saturates.
    invalidPgno: W === 8 ? Number.MAX_SAFE_INTEGER : 0xffffffff,
    pgnoTopWord: W === 8 ? 32 : 0,
    page: { pgno: 0, txnid: W, flags: 2 * W + 2, lower: 2 * W + 4, upper: 2 * W + 6, pages: 2 * W + 4 },
    meta: { magic: 0, version: 4, mapsize: 8 + W, dbs, lastPg: dbs + 2 * dbSize, txnid: dbs + 2 * dbSize + W, bootId: dbs + 2 * dbSize + 2 * W },
    db: { pad: 0, flags: 4, depth: 6, entries: 8 + 3 * W, root: 8 + 4 * W, size: dbSize },
  };
}

/**
 * A word-sized unsigned field as a number. Values past 2^53 (only garbage gets there) saturate to
 * Number.MAX_SAFE_INTEGER, which is also how P_INVALID (all ones) reads on 64-bit.
 */
export function readWord(buf: Buffer, offset: number, word: WordSize): number {
  if (word === 4) return buf.readUInt32LE(offset);
  const v = buf.readBigUInt64LE(offset);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** One `MDB_db` record (a tree: the free list, the main DB, a named DB or a duplicate sub-tree). */
export interface DbRecord {
  /** md_pad: the page size in the free DB's record of a meta. */
  pad: number;
  flags: number;
  depth: number;
  entries: number;
  root: number;
}

export function readDb(buf: Buffer, offset: number, l: Layout): DbRecord {
  return {
    pad: buf.readUInt32LE(offset + l.db.pad),
    flags: buf.readUInt16LE(offset + l.db.flags),
    depth: buf.readUInt16LE(offset + l.db.depth),
    entries: readWord(buf, offset + l.db.entries, l.word),
    root: readWord(buf, offset + l.db.root, l.word),
  };
}

/** One meta as stored (`MDB_meta`), plus where it was read. */
export interface Meta {
  /** Byte offset of the page (or half page) the meta belongs to: 0, psize / 2 or psize. */
  at: number;
  /** Flags of the page header in front of it (P_META on pages 0 and 1; 0 for the half-page meta). */
  pageFlags: number;
  magic: number;
  version: number;
  mapsize: number;
  free: DbRecord;
  main: DbRecord;
  /** mm_psize (md_pad of the free DB record). */
  psize: number;
  /** mm_flags (md_flags of the free DB record). */
  flags: number;
  lastPg: number;
  txnid: number;
  bootId: bigint;
}

/** Parses the meta of the page (or half page) whose first byte is `buf[0]`; `buf` holds at least `metaReadSize()`. */
export function readMeta(buf: Buffer, at: number, l: Layout): Meta {
  const m = l.pageHeader;
  const free = readDb(buf, m + l.meta.dbs, l);
  const main = readDb(buf, m + l.meta.dbs + l.db.size, l);
  return {
    at,
    pageFlags: buf.readUInt16LE(l.page.flags),
    magic: buf.readUInt32LE(m + l.meta.magic),
    version: buf.readUInt32LE(m + l.meta.version),
    mapsize: readWord(buf, m + l.meta.mapsize, l.word),
    free,
    main,
    psize: free.pad,
    flags: free.flags,
    lastPg: readWord(buf, m + l.meta.lastPg, l.word),
    txnid: readWord(buf, m + l.meta.txnid, l.word),
    bootId: buf.readBigInt64LE(m + l.meta.bootId),
  };
}

/** Bytes mdb_env_read_header reads for each meta (`sizeof(MDB_metabuf)`). */
export function metaReadSize(l: Layout): number {
  return l.pageHeader + l.metaSize;
}

/** `OVPAGES(size, psize)`: pages an overflow value of `size` bytes takes. */
export function overflowPages(size: number, psize: number, l: Layout): number {
  return Math.floor((l.pageHeader - 1 + size) / psize) + 1;
}
