/**
 * Stamp allocator: hands out this node's strictly increasing v2 stamps (runtime/bundle/stamp.ts), never one twice,
 * across restarts and power cuts — the stamp is the nonce of every compact seal this node makes, and a nonce used
 * twice under one AES-CCM key gives away the XOR of two plaintexts and lets tags be forged.
 *
 * next() = max(stamp of the clock, last + 1). Persisted ahead in blocks: before a stamp at or past the reserved mark
 * is handed out, the mark moves `block` stamps further and is written and fsynced (file and directory) first. After a
 * restart the allocator starts at the stored mark, above anything handed out before, whatever the clock says (a
 * relay without an RTC boots in 1970 or in the past). A power cut costs at most `block` unused stamps.
 *
 * File `<dataDir>/lora-v2-stamp`: 8 bytes, u32be reserved mark, u32be bitwise complement of it (a torn or
 * corrupt write reads as corrupt, and then the allocator refuses to start rather than guess: StampFileError).
 * Written as a temp file, fsynced, renamed, directory fsynced, so the old mark stays until the new one is whole.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_STAMP, stampAt } from '../../../bundle/stamp.js';
import { StampFileError, StampsExhaustedError } from '../errors.js';
import { writeFileDurably } from '../../../../lib/fs/durable-file.js';

export { StampFileError, StampsExhaustedError };

export const STAMP_FILE = 'lora-v2-stamp';
const DEFAULT_BLOCK = 64;

export interface StampSource {
  next(): Promise<number>;
}

export class StampAllocator implements StampSource {
  private last = -1;
  private reserved = 0;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(readonly path: string, private readonly now: () => number, private readonly block: number) {}

  /** Opens (or creates) the stamp file in `dataDir`. */
  static async open(dataDir: string, options: { now?: () => number; block?: number } = {}): Promise<StampAllocator> {
    const a = new StampAllocator(join(dataDir, STAMP_FILE), options.now ?? Date.now, options.block ?? DEFAULT_BLOCK);
    let bytes: Buffer | undefined;
    try {
      bytes = await readFile(a.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StampFileError(a.path, 'cannot read', { cause: err });
    }
    if (bytes) {
      if (bytes.length !== 8 || ((bytes.readUInt32BE(0) ^ bytes.readUInt32BE(4)) >>> 0) !== 0xffff_ffff) throw new StampFileError(a.path, 'corrupt; refusing to guess which stamps were used');
      a.reserved = bytes.readUInt32BE(0);
      // Everything below the stored mark may have been handed out before the restart.
      a.last = a.reserved - 1;
    }
    return a;
  }

  /** The next stamp, durable before it is returned. Calls are serialised. */
  next(): Promise<number> {
    const p = this.chain.then(() => this.allocate());
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** The mark on disk (tests). */
  get reservedMark(): number {
    return this.reserved;
  }

  private async allocate(): Promise<number> {
    const stamp = Math.max(stampAt(this.now()), this.last + 1);
    if (stamp > MAX_STAMP) throw new StampsExhaustedError();
    if (stamp >= this.reserved) await this.persist(Math.min(MAX_STAMP + 1, stamp + this.block));
    this.last = stamp;
    return stamp;
  }

  private async persist(mark: number): Promise<void> {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(mark >>> 0, 0);
    out.writeUInt32BE((~mark) >>> 0, 4);
    try {
      await writeFileDurably(this.path, out);
    } catch (err) {
      throw new StampFileError(this.path, 'cannot persist the stamp mark; no stamp handed out', { cause: err });
    }
    this.reserved = mark;
  }
}
