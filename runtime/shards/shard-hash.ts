/**
 * Shard addresses and storage proofs.
 *
 * A shard's address is a SHA-256 (node:crypto) Merkle root over its bytes cut into 8 equal segments (the last one
 * shorter or empty): leaf = H(0x00 || segment), node = H(0x01 || left || right), the RFC 6962 §2.1 domain separation
 * that stops a leaf being passed off as an inner node. A plain H(shard) would let only someone holding the whole
 * shard check an answer; with the root, any challenger that knows just the address (from a manifest) can check the
 * answer to "send the bytes at offset o": the holder returns that segment (≤ 509 B for a 4,072-B shard) and the three
 * sibling hashes. Cost: 15 hash calls per 4 KB (~20 µs on the reference x86), paid on every store and read.
 */
import { hash as oneShot, timingSafeEqual } from 'node:crypto';

export const SEGMENTS = 8;
const DEPTH = 3;
const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

export function segmentLength(shardLength: number): number {
  return Math.ceil(shardLength / SEGMENTS);
}

// One-shot crypto.hash over a scratch buffer holding prefix || data: about 2x faster than createHash().update()
// chains for these 65-509 B inputs. Synchronous, so one module-level scratch buffer is safe.
let scratch = new Uint8Array(1024);

function prefixed(prefix: number, a: Uint8Array, b?: Uint8Array): Uint8Array {
  const len = 1 + a.length + (b?.length ?? 0);
  if (scratch.length < len) scratch = new Uint8Array(len * 2);
  scratch[0] = prefix;
  scratch.set(a, 1);
  if (b) scratch.set(b, 1 + a.length);
  return scratch.subarray(0, len);
}

function leafHash(segment: Uint8Array): Buffer {
  return oneShot('sha256', prefixed(LEAF[0]!, segment), 'buffer');
}

function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return oneShot('sha256', prefixed(NODE[0]!, left, right), 'buffer');
}

function segment(shard: Uint8Array, i: number): Uint8Array {
  const len = segmentLength(shard.length);
  const from = Math.min(i * len, shard.length);
  return shard.subarray(from, Math.min(from + len, shard.length));
}

function levels(shard: Uint8Array): Buffer[][] {
  const out: Buffer[][] = [];
  let level: Buffer[] = [];
  for (let i = 0; i < SEGMENTS; i++) level.push(leafHash(segment(shard, i)));
  out.push(level);
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    out.push(next);
    level = next;
  }
  return out;
}

/** The 32-byte address of a shard. */
export function shardHash(shard: Uint8Array): Uint8Array {
  return levels(shard)[DEPTH]![0]!;
}

export function shardHashHex(shard: Uint8Array): string {
  return Buffer.from(shardHash(shard)).toString('hex');
}

export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SegmentProof {
  /** Which of the 8 segments. */
  segment: number;
  /** The segment's bytes. */
  bytes: Uint8Array;
  /** Sibling hashes from the leaf level up (3 x 32 B). */
  siblings: Uint8Array[];
}

/** Proof that `shard` holds the segment containing byte `offset`. */
export function proveSegment(shard: Uint8Array, offset: number): SegmentProof {
  if (!Number.isInteger(offset) || offset < 0 || offset >= Math.max(shard.length, 1)) throw new RangeError(`offset ${offset} outside the shard`);
  const seg = shard.length === 0 ? 0 : Math.floor(offset / segmentLength(shard.length));
  const tree = levels(shard);
  const siblings: Uint8Array[] = [];
  let idx = seg;
  for (let d = 0; d < DEPTH; d++) {
    siblings.push(tree[d]![idx ^ 1]!);
    idx >>= 1;
  }
  return { segment: seg, bytes: Uint8Array.from(segment(shard, seg)), siblings };
}

/** True when `proof` hashes up to `root`. */
export function verifySegment(root: Uint8Array, proof: SegmentProof): boolean {
  if (!Number.isInteger(proof.segment) || proof.segment < 0 || proof.segment >= SEGMENTS) return false;
  if (proof.siblings.length !== DEPTH || proof.siblings.some((s) => s.length !== 32)) return false;
  let h: Uint8Array = leafHash(proof.bytes);
  let idx = proof.segment;
  for (let d = 0; d < DEPTH; d++) {
    const sib = proof.siblings[d]!;
    h = idx & 1 ? nodeHash(sib, h) : nodeHash(h, sib);
    idx >>= 1;
  }
  return hashEquals(h, root);
}
