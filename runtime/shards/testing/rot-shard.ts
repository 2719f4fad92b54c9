/**
 * Bit rot for tests: flips bits of one stored shard where the store keeps it (its slab slot, shard-slab.ts), behind
 * the store's back, the way a failing SD card would.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { ShardStore } from '../shard-store.js';
import { SLAB_SLOT_BYTES } from '../shard-slab.js';

export function rotStoredShard(store: ShardStore, hash: Uint8Array, offset: number, mask: number): void {
  const meta = store.metaOf(hash);
  if (meta?.slot === undefined) throw new Error('rotStoredShard: shard is not stored in the slab');
  if (offset < 0 || offset >= meta.size || mask === 0) throw new RangeError(`rotStoredShard: offset ${offset} / mask ${mask}`);
  const fd = openSync(store.slabPath(), 'r+');
  try {
    const at = meta.slot * SLAB_SLOT_BYTES + offset;
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0]! ^= mask;
    writeSync(fd, b, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}
