/**
 * Token buckets by key (a source address): `burst` tokens, one more every `refillMs`. Used to rate-limit how many
 * new identities one address may introduce (admission.ts). The map is bounded: past `maxKeys` the least recently
 * used bucket is forgotten, so a flood of spoofed addresses costs memory once, not per datagram.
 */
export interface TokenBucketOptions {
  burst: number;
  refillMs: number;
  maxKeys: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly o: TokenBucketOptions) {
    if (!(o.burst >= 1) || !(o.refillMs > 0) || !(o.maxKeys >= 1)) throw new RangeError('token buckets need burst >= 1, refillMs > 0, maxKeys >= 1');
  }

  /** Whether `key` has a token now (takes none). */
  peek(key: string, now: number): boolean {
    return this.level(key, now) >= 1;
  }

  /** Takes a token; false (and nothing taken) when there is none. */
  take(key: string, now: number): boolean {
    const tokens = this.level(key, now);
    if (tokens < 1) return false;
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    while (this.buckets.size > this.o.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }

  private level(key: string, now: number): number {
    const b = this.buckets.get(key);
    if (!b) return this.o.burst;
    return Math.min(this.o.burst, b.tokens + Math.max(0, now - b.at) / this.o.refillMs);
  }
}
