/**
 * One shard as stored and sent: an 8-byte header and the Reed-Solomon payload.
 *
 *   0  version (1)   1  k   2  m   3  index in the stripe (0..k+m-1)   4..5  payload length, big endian   6..7  zero
 *   8  payload
 *
 * Size: LMDB (lmdb-js 3.5.6, 4 KB pages) keeps a value of up to 4,072 B in ONE overflow page; 4,073..8,168 B take two
 * (docs/measurements.md §2: 4,096-B values cost 2.01x on disk, 4,050-B values 1.03x). So the
 * default payload is 4,064 B = 127 x 32 and header + payload = 4,072 B exactly: one page per shard. The payload is a
 * multiple of 8 so shards laid out back to back in one buffer stay 4-byte aligned for the word-wide coding loop.
 */
import { ShardFormatError } from './errors.js';

export const SHARD_VERSION = 1;
export const SHARD_HEADER_BYTES = 8;
/** Largest value that fits one 4 KB LMDB overflow page (docs/measurements.md §2). */
export const LMDB_ONE_PAGE_VALUE_BYTES = 4072;
export const DEFAULT_SHARD_PAYLOAD_BYTES = LMDB_ONE_PAGE_VALUE_BYTES - SHARD_HEADER_BYTES;
export const MAX_SHARD_PAYLOAD_BYTES = 65528;

export interface ShardHeader {
  k: number;
  m: number;
  index: number;
  payloadLength: number;
}

export function writeShardHeader(shard: Uint8Array, h: ShardHeader): void {
  shard[0] = SHARD_VERSION;
  shard[1] = h.k;
  shard[2] = h.m;
  shard[3] = h.index;
  shard[4] = h.payloadLength >>> 8;
  shard[5] = h.payloadLength & 255;
  shard[6] = 0;
  shard[7] = 0;
}

/** Parses and checks a shard's header against its length; throws ShardFormatError. */
export function readShardHeader(shard: Uint8Array): ShardHeader {
  if (shard.length < SHARD_HEADER_BYTES) throw new ShardFormatError(`${shard.length} B is shorter than the header`);
  if (shard[0] !== SHARD_VERSION) throw new ShardFormatError(`unknown version ${shard[0]}`);
  const k = shard[1]!, m = shard[2]!, index = shard[3]!;
  const payloadLength = (shard[4]! << 8) | shard[5]!;
  if (k === 0 || k + m > 256) throw new ShardFormatError(`bad geometry ${k}+${m}`);
  if (index >= k + m) throw new ShardFormatError(`index ${index} outside ${k}+${m}`);
  if (shard[6] !== 0 || shard[7] !== 0) throw new ShardFormatError('reserved bytes are not zero');
  if (SHARD_HEADER_BYTES + payloadLength !== shard.length) {
    throw new ShardFormatError(`header says ${payloadLength} B payload, shard carries ${shard.length - SHARD_HEADER_BYTES}`);
  }
  return { k, m, index, payloadLength };
}

export function shardPayload(shard: Uint8Array): Uint8Array {
  return shard.subarray(SHARD_HEADER_BYTES);
}
