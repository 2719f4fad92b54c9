/**
 * Delivery bloom: a 320-byte Bloom filter of the last 256 bundle ids this node accepted as final recipient,
 * broadcast so senders can retire outbox rows they handed to an async bearer (MQTT, backhaul).
 *
 * Sizing (docs/measurements.md §5): m = 2,560 bits, n = 256, k = 7 gives p = (1 - e^(-kn/m))^k = 0.82 %, and k = 7 is
 * optimal for m/n = 10.
 *
 * Salted (wire v2): every broadcast draws a fresh 16-byte salt and index_i = word_i(SHA-256(salt | id)) mod 2560,
 * i = 0..6 (little-endian 32-bit words; the modulo bias 2560/2^32 is negligible). With the v1 scheme (index = word
 * of the id itself) a non-member that matched one filter matched every later filter of the same ids, so asking
 * several blooms proved nothing; with a fresh salt each filter is an independent trial for a non-member
 * (delivery-bloom.test.ts measures it), which is what bloom-retirement.ts counts on.
 */
import { hash } from 'node:crypto';

export const BLOOM_BYTES = 320;
export const BLOOM_BITS = BLOOM_BYTES * 8;
export const BLOOM_K = 7;
export const BLOOM_CAPACITY = 256;
export const BLOOM_SALT_BYTES = 16;
const ID_BYTES = 32;

/** The k bit positions of `id` under `salt`. `scratch` is salt | id, reused to keep the hot path allocation-light. */
function indexes(salt: Uint8Array, id: Uint8Array, scratch: Buffer, out: Uint32Array): Uint32Array {
  if (id.length !== ID_BYTES) throw new RangeError(`bundle id must be ${ID_BYTES} bytes, got ${id.length}`);
  scratch.set(salt, 0);
  scratch.set(id, BLOOM_SALT_BYTES);
  const d = hash('sha256', scratch, 'buffer');
  for (let i = 0; i < BLOOM_K; i++) out[i] = d.readUInt32LE(4 * i) % BLOOM_BITS;
  return out;
}

/** One salted filter: as received from a peer, or as built for a broadcast. */
export class BloomFilter {
  private readonly idx = new Uint32Array(BLOOM_K);
  private readonly scratch = Buffer.alloc(BLOOM_SALT_BYTES + ID_BYTES);

  constructor(readonly salt: Uint8Array, readonly bits: Uint8Array = new Uint8Array(BLOOM_BYTES)) {
    if (salt.length !== BLOOM_SALT_BYTES) throw new RangeError(`bloom salt must be ${BLOOM_SALT_BYTES} bytes, got ${salt.length}`);
    if (bits.length !== BLOOM_BYTES) throw new RangeError(`bloom must be ${BLOOM_BYTES} bytes, got ${bits.length}`);
  }

  has(id: Uint8Array): boolean {
    for (const i of indexes(this.salt, id, this.scratch, this.idx)) if ((this.bits[i >>> 3]! & (1 << (i & 7))) === 0) return false;
    return true;
  }

  add(id: Uint8Array): void {
    for (const i of indexes(this.salt, id, this.scratch, this.idx)) this.bits[i >>> 3]! |= 1 << (i & 7);
  }

  /** Set bits / m: a filter's own false-positive rate for a random non-member is about fill^k. */
  fill(): number {
    let n = 0;
    for (const byte of this.bits) for (let b = byte; b; b &= b - 1) n++;
    return n / BLOOM_BITS;
  }
}

/**
 * The local delivery bloom: a ring of the last 256 ids. Each broadcast builds a filter over exactly the ring with
 * that broadcast's salt (256 SHA-256 hashes, a fraction of a millisecond), so an old id really leaves and the
 * false-positive rate stays at the design point.
 */
export class DeliveryBloom {
  private readonly ring: Uint8Array[] = [];
  private next = 0;
  private version = 0;

  /** Incremented on every change. */
  get changes(): number {
    return this.version;
  }

  get size(): number {
    return this.ring.length;
  }

  add(id: Uint8Array): void {
    if (id.length !== ID_BYTES) throw new RangeError(`bundle id must be ${ID_BYTES} bytes, got ${id.length}`);
    const copy = new Uint8Array(id);
    this.version++;
    if (this.ring.length < BLOOM_CAPACITY) {
      this.ring.push(copy);
      return;
    }
    this.ring[this.next] = copy;
    this.next = (this.next + 1) % BLOOM_CAPACITY;
  }

  /** Ids in insertion order, oldest first. */
  ids(): Uint8Array[] {
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  /** The filter over the ring under `salt`. */
  filter(salt: Uint8Array): BloomFilter {
    const f = new BloomFilter(salt);
    for (const id of this.ring) f.add(id);
    return f;
  }
}
