/**
 * Delivery bloom: the 320-byte Bloom filter of the last 256 bundle ids this node decrypted (accepted as final
 * recipient), broadcast so senders on async bearers (MQTT, backhaul) can retire their outbox rows.
 *
 * Sizing (research/store.md §5): m = 2,560 bits, n = 256, k = 7 gives p = (1 - e^(-kn/m))^k = 0.82 %, and k = 7 is
 * optimal for m/n = 10. Bundle ids are SHA-256 outputs, so their first seven 32-bit little-endian words are already
 * independent uniform hashes: index_i = word_i mod 2560 (measured FPR 0.82 %, the best of the schemes tried there;
 * the modulo bias 2560/2^32 is negligible). The hash scheme is fixed by the wire version.
 */
export const BLOOM_BYTES = 320;
export const BLOOM_BITS = BLOOM_BYTES * 8;
export const BLOOM_K = 7;
export const BLOOM_CAPACITY = 256;

function indexes(id: Uint8Array, out: Uint32Array): Uint32Array {
  if (id.length < 4 * BLOOM_K) throw new RangeError(`bundle id must be at least ${4 * BLOOM_K} bytes`);
  const dv = new DataView(id.buffer, id.byteOffset, id.byteLength);
  for (let i = 0; i < BLOOM_K; i++) out[i] = dv.getUint32(4 * i, true) % BLOOM_BITS;
  return out;
}

/** A read-only filter as received from a peer. */
export class BloomFilter {
  private readonly idx = new Uint32Array(BLOOM_K);
  constructor(readonly bits: Uint8Array = new Uint8Array(BLOOM_BYTES)) {
    if (bits.length !== BLOOM_BYTES) throw new RangeError(`bloom must be ${BLOOM_BYTES} bytes, got ${bits.length}`);
  }

  has(id: Uint8Array): boolean {
    for (const i of indexes(id, this.idx)) if ((this.bits[i >>> 3]! & (1 << (i & 7))) === 0) return false;
    return true;
  }

  protected set(id: Uint8Array): void {
    for (const i of indexes(id, this.idx)) this.bits[i >>> 3]! |= 1 << (i & 7);
  }
}

/**
 * The local delivery bloom: a ring of the last 256 ids and the filter over exactly those. When the ring wraps,
 * the filter is rebuilt from the ring (256 x 7 bit sets, microseconds) so an old id really leaves it and the
 * false-positive rate stays at the design point instead of creeping up.
 */
export class DeliveryBloom extends BloomFilter {
  private readonly ring: Uint8Array[] = [];
  private next = 0;
  private version = 0;

  constructor() {
    super(new Uint8Array(BLOOM_BYTES));
  }

  /** Incremented on every change; callers broadcast when it moved. */
  get changes(): number {
    return this.version;
  }

  get size(): number {
    return this.ring.length;
  }

  add(id: Uint8Array): void {
    const copy = new Uint8Array(id);
    this.version++;
    if (this.ring.length < BLOOM_CAPACITY) {
      this.ring.push(copy);
      this.set(copy);
      return;
    }
    this.ring[this.next] = copy;
    this.next = (this.next + 1) % BLOOM_CAPACITY;
    this.bits.fill(0);
    for (const r of this.ring) this.set(r);
  }

  /** Ids in insertion order, oldest first (for persistence across restarts). */
  ids(): Uint8Array[] {
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  toBytes(): Uint8Array {
    return new Uint8Array(this.bits);
  }
}
