/**
 * A stored file's manifest: geometry, chunk hashes, shard addresses and where each shard was first placed, in CBOR
 * (cbor-x, plain byte strings, no record extension). The manifest id is SHA-256 of the exact encoded bytes, so a
 * manifest fetched from anyone is checked against the id it was asked for.
 *
 * Per-chunk data is packed into byte strings (32 B per hash, 2 B big-endian peer index per placement) rather than
 * arrays of maps: a 100 MB file has 8,602 chunks, and packed it is ~1.7 MB instead of ~5 MB of CBOR maps.
 * Placement is the one made at put time; repairs move shards later and are tracked in the store's placement table
 * (shard-store.ts), which keeps the id stable.
 */
import { createHash } from 'node:crypto';
import { Encoder } from 'cbor-x';
import { ManifestDecodeError } from './errors.js';
import { CborWriter } from './cbor-writer.js';

export const MANIFEST_VERSION = 1;

export interface Manifest {
  v: number;
  /** File name as given to put (base name only), for `lattice get` without -o. */
  name: string;
  /** File length in bytes. */
  size: number;
  k: number;
  m: number;
  /** Shard payload bytes; a chunk carries k x payload bytes of the file. */
  payload: number;
  createdAt: number;
  expiresAt: number;
  /** Node id of the relay that stored the file. */
  origin: string;
  /** SHA-256 of each chunk's file bytes (unpadded), 32 B each. */
  chunkHashes: Uint8Array;
  /** Shard addresses (shard-hash.ts), (k + m) per chunk, 32 B each. */
  shardHashes: Uint8Array;
  /** Holders referenced by `placement`. */
  peers: string[];
  /** Index into `peers` of the first holder of each shard, 2 B big endian, (k + m) per chunk. */
  placement: Uint8Array;
}

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const writer = new CborWriter();

export function chunkBytes(m: Pick<Manifest, 'k' | 'payload'>): number {
  return m.k * m.payload;
}

export function chunkCount(m: Pick<Manifest, 'k' | 'payload' | 'size'>): number {
  return Math.ceil(m.size / chunkBytes(m));
}

export function encodeManifest(m: Manifest): Uint8Array {
  // Fixed key order so the same manifest always encodes (and hashes) the same.
  return writer.encode({
    v: m.v, name: m.name, size: m.size, k: m.k, m: m.m, payload: m.payload, createdAt: m.createdAt,
    expiresAt: m.expiresAt, origin: m.origin, chunkHashes: m.chunkHashes, shardHashes: m.shardHashes,
    peers: m.peers, placement: m.placement,
  });
}

export function manifestId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function isManifestId(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

function bytesField(o: Record<string, unknown>, key: string, len: number): Uint8Array {
  const v = o[key];
  if (!(v instanceof Uint8Array)) throw new ManifestDecodeError(`${key} is not a byte string`);
  if (v.length !== len) throw new ManifestDecodeError(`${key} has ${v.length} B, expected ${len}`);
  return Uint8Array.from(v);
}

function intField(o: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new ManifestDecodeError(`${key} must be an integer in [${min}, ${max}]`);
  return v;
}

/** Decodes and checks every field; throws ManifestDecodeError. */
export function decodeManifest(bytes: Uint8Array): Manifest {
  let o: unknown;
  try {
    o = cbor.decode(bytes);
  } catch (cause) {
    throw new ManifestDecodeError('not CBOR', { cause });
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ManifestDecodeError('not a map');
  const r = o as Record<string, unknown>;
  const v = intField(r, 'v', MANIFEST_VERSION, MANIFEST_VERSION);
  const k = intField(r, 'k', 1, 255);
  const m = intField(r, 'm', 0, 256 - k);
  const payload = intField(r, 'payload', 1, 65535);
  const size = intField(r, 'size', 0, Number.MAX_SAFE_INTEGER);
  const createdAt = intField(r, 'createdAt', 0, Number.MAX_SAFE_INTEGER);
  const expiresAt = intField(r, 'expiresAt', 0, Number.MAX_SAFE_INTEGER);
  if (typeof r.name !== 'string') throw new ManifestDecodeError('name is not a string');
  if (typeof r.origin !== 'string') throw new ManifestDecodeError('origin is not a string');
  if (!Array.isArray(r.peers) || r.peers.some((p) => typeof p !== 'string')) throw new ManifestDecodeError('peers is not a list of strings');
  const n = Math.ceil(size / (k * payload));
  const total = k + m;
  const placement = bytesField(r, 'placement', n * total * 2);
  for (let i = 0; i < n * total; i++) {
    if (((placement[2 * i]! << 8) | placement[2 * i + 1]!) >= r.peers.length) throw new ManifestDecodeError(`placement ${i} names no peer`);
  }
  return {
    v, name: r.name, size, k, m, payload, createdAt, expiresAt, origin: r.origin,
    chunkHashes: bytesField(r, 'chunkHashes', n * 32),
    shardHashes: bytesField(r, 'shardHashes', n * total * 32),
    peers: r.peers as string[],
    placement,
  };
}

export function chunkHashOf(m: Manifest, chunk: number): Uint8Array {
  return m.chunkHashes.subarray(chunk * 32, chunk * 32 + 32);
}

export function shardHashOf(m: Manifest, chunk: number, index: number): Uint8Array {
  const at = (chunk * (m.k + m.m) + index) * 32;
  return m.shardHashes.subarray(at, at + 32);
}

export function placedPeerOf(m: Manifest, chunk: number, index: number): string {
  const at = (chunk * (m.k + m.m) + index) * 2;
  return m.peers[(m.placement[at]! << 8) | m.placement[at + 1]!]!;
}
