/**
 * Walks the B-trees of an LMDB data file through plain reads (never a memory map), to find the references a
 * damaged file would make LMDB follow into nothing: a page past the end of the file (SIGBUS once mapped) or a page
 * that is not what its parent says (garbage LMDB would dereference: SIGSEGV).
 *
 * Two depths: `roots` reads the free and main trees' roots and every named database's root (a few pages, done at
 * every start); `full` reads every page reachable from the meta — branch, leaf and overflow pages of every tree —
 * and is only needed when the file is shorter than the meta's last page (see lmdb-env-check.ts).
 */
import type { FileHandle } from 'node:fs/promises';
import { F_BIGDATA, F_DUPDATA, F_SUBDATA, NUM_METAS, P_BRANCH, P_LEAF, P_LEAF2, P_OVERFLOW, overflowPages, readDb, readWord, type Layout } from './lmdb-layout.js';

/** `NODESIZE`: mn_lo, mn_hi, mn_flags, mn_ksize. */
const NODESIZE = 8;
/** Deeper than any real tree (a 4 KiB-page tree of depth 10 holds more than 2^60 entries). */
const MAX_DEPTH = 32;

export interface WalkProblem {
  kind: 'truncated' | 'bad-page';
  detail: string;
}

export interface WalkTarget {
  file: FileHandle;
  fileBytes: number;
  psize: number;
  /** mm_last_pg of the meta being checked: no tree page may lie past it. */
  lastPg: number;
  layout: Layout;
}

export interface WalkResult {
  problem?: WalkProblem;
  /** Pages read. */
  pages: number;
  /** Named databases found in the main DB. */
  named: number;
}

class Stop {
  constructor(readonly problem: WalkProblem) {}
}

/**
 * Checks the trees of one meta. `full` follows every reference; otherwise only the roots (and the main DB, which
 * lists the named databases, at most `maxMainPages` pages of it).
 */
export async function walkTrees(
  t: WalkTarget,
  trees: { free: { root: number }; main: { root: number } },
  opts: { full: boolean; maxMainPages?: number },
): Promise<WalkResult> {
  const w = new Walker(t, opts.full, opts.maxMainPages ?? 64);
  try {
    await w.tree(trees.free.root, 'the free-page tree', 0, 'free');
    await w.tree(trees.main.root, 'the main database', 0, 'main');
    return { pages: w.pages, named: w.named };
  } catch (err) {
    if (err instanceof Stop) return { problem: err.problem, pages: w.pages, named: w.named };
    throw err;
  }
}

type TreeKind = 'free' | 'main' | 'named' | 'dup';

class Walker {
  pages = 0;
  named = 0;
  private mainPages = 0;
  private readonly seen = new Set<number>();
  private readonly filePages: number;

  constructor(private readonly t: WalkTarget, private readonly full: boolean, private readonly maxMainPages: number) {
    this.filePages = Math.floor(t.fileBytes / t.psize);
  }

  /** Walks a tree from its root (P_INVALID: an empty tree). */
  async tree(root: number, what: string, depth: number, kind: TreeKind): Promise<void> {
    if (root === this.t.layout.invalidPgno) return;
    await this.page(root, what, depth, kind);
  }

  private async page(pgno: number, what: string, depth: number, kind: TreeKind): Promise<void> {
    if (depth > MAX_DEPTH) throw new Stop({ kind: 'bad-page', detail: `${what} is deeper than ${MAX_DEPTH} levels (a loop of page references)` });
    if (this.seen.has(pgno)) throw new Stop({ kind: 'bad-page', detail: `${what} refers to page ${pgno} a second time` });
    this.seen.add(pgno);
    const buf = await this.read(pgno, 1, what);
    const l = this.t.layout;
    const flags = buf.readUInt16LE(l.page.flags);
    const isBranch = (flags & P_BRANCH) !== 0;
    const isLeaf = (flags & P_LEAF) !== 0;
    if (isBranch === isLeaf || (flags & P_OVERFLOW) !== 0) {
      throw new Stop({ kind: 'bad-page', detail: `${what} refers to page ${pgno}, which is not a tree page (flags 0x${flags.toString(16)})` });
    }
    if ((flags & P_LEAF2) !== 0) return; // fixed-size duplicates only: no references
    // The root pass reads the named databases' roots, which only the main DB's leaves list.
    const descend = this.full || (kind === 'main' && this.mainPages++ < this.maxMainPages);
    if (!descend) return;
    const lower = buf.readUInt16LE(l.page.lower);
    const upper = buf.readUInt16LE(l.page.upper);
    const room = this.t.psize - l.pageHeader;
    if (lower > upper || upper > room || lower % 2 !== 0) {
      throw new Stop({ kind: 'bad-page', detail: `page ${pgno} of ${what} has a corrupt header (lower ${lower}, upper ${upper})` });
    }
    const n = lower >> 1;
    for (let i = 0; i < n; i++) {
      const ptr = buf.readUInt16LE(l.pageHeader + 2 * i);
      const node = l.pageHeader + ptr;
      if (ptr < upper || node + NODESIZE > this.t.psize) {
        throw new Stop({ kind: 'bad-page', detail: `page ${pgno} of ${what} has a node pointer outside the page` });
      }
      const lo = buf.readUInt16LE(node);
      const hi = buf.readUInt16LE(node + 2);
      const nflags = buf.readUInt16LE(node + 4);
      const ksize = buf.readUInt16LE(node + 6);
      if (isBranch) {
        // NODEPGNO: mn_lo | mn_hi << 16 | mn_flags << PGNO_TOPWORD.
        const child = lo + hi * 0x10000 + (l.pgnoTopWord ? nflags * 2 ** l.pgnoTopWord : 0);
        await this.page(child, what, depth + 1, kind);
        continue;
      }
      const data = node + NODESIZE + ksize;
      if (nflags & F_BIGDATA) {
        if (data + l.word > this.t.psize) throw new Stop({ kind: 'bad-page', detail: `page ${pgno} of ${what} has a node past the end of the page` });
        const size = lo + hi * 0x10000;
        await this.overflow(readWord(buf, data, l.word), overflowPages(size, this.t.psize, l), what);
      } else if (nflags & F_SUBDATA) {
        if (data + l.db.size > this.t.psize) throw new Stop({ kind: 'bad-page', detail: `page ${pgno} of ${what} has a node past the end of the page` });
        const sub = readDb(buf, data, l);
        if (kind === 'main' && !(nflags & F_DUPDATA)) {
          this.named++;
          const name = buf.subarray(node + NODESIZE, node + NODESIZE + ksize).toString('utf8').replace(/\0+$/, '').replace(/[^\x20-\x7e]/g, '?');
          await this.tree(sub.root, `database "${name}"`, 0, 'named');
        } else if (this.full) {
          await this.tree(sub.root, `${what} (duplicates)`, 0, 'dup');
        }
      }
      // F_DUPDATA without F_SUBDATA: a sub-page inside this node, no references.
    }
  }

  private async overflow(pgno: number, count: number, what: string): Promise<void> {
    if (this.seen.has(pgno)) throw new Stop({ kind: 'bad-page', detail: `${what} refers to overflow page ${pgno} a second time` });
    this.seen.add(pgno);
    const buf = await this.read(pgno, count, `a value of ${what}`);
    const flags = buf.readUInt16LE(this.t.layout.page.flags);
    const pages = buf.readUInt32LE(this.t.layout.page.pages);
    if (!(flags & P_OVERFLOW) || pages < count) {
      throw new Stop({ kind: 'bad-page', detail: `a value of ${what} refers to page ${pgno}, which is not its overflow page (flags 0x${flags.toString(16)}, ${pages} pages)` });
    }
  }

  /** Reads the header of page `pgno` after checking that `count` pages from it lie inside the tree and the file. */
  private async read(pgno: number, count: number, what: string): Promise<Buffer> {
    if (pgno < NUM_METAS || pgno + count - 1 > this.t.lastPg) {
      throw new Stop({ kind: 'bad-page', detail: `${what} refers to page ${pgno}, outside the store's pages ${NUM_METAS}..${this.t.lastPg}` });
    }
    if (pgno + count > this.filePages) {
      throw new Stop({
        kind: 'truncated',
        detail: `${what} needs page ${pgno + count - 1}, past the end of the file (${this.t.fileBytes} bytes, ${this.filePages} pages)`,
      });
    }
    this.pages++;
    const buf = Buffer.alloc(this.t.psize);
    const { bytesRead } = await this.t.file.read(buf, 0, this.t.psize, pgno * this.t.psize);
    if (bytesRead < this.t.psize) {
      throw new Stop({ kind: 'truncated', detail: `${what} needs page ${pgno} but only ${bytesRead} of its bytes could be read` });
    }
    const stored = readWord(buf, this.t.layout.page.pgno, this.t.layout.word);
    if (stored !== pgno) {
      throw new Stop({ kind: 'bad-page', detail: `${what} refers to page ${pgno}, but that page says it is page ${stored}` });
    }
    return buf;
  }
}
