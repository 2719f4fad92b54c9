/**
 * POST /login's brake on token guessing, per client address: `maxFailures` wrong tokens within `windowMs` and that
 * address is refused (429, Retry-After) for `windowMs`, twice as long on each further strike (capped at
 * `maxBlockMs`). While refused, every attempt is refused, the right token included: otherwise a 429 for a wrong
 * token and a 303 for the right one would let a guesser go on at full speed. The strikes are forgotten after
 * `maxBlockMs` without a failure or a refusal, and a successful login clears the address.
 *
 * Bounded memory: at most `maxAddresses` addresses are tracked, the least recently failing one forgotten first (a
 * flood of spoofed-looking sources cannot grow the map; on a LAN there are a handful).
 * The address is the TCP peer's: behind a reverse proxy every client shares the proxy's (documented in the README).
 */
export interface LoginThrottleOptions {
  /** Wrong tokens allowed within `windowMs` before the address is refused (default 5). */
  maxFailures?: number;
  /** The counting window and the first refusal's length (default 60 s). */
  windowMs?: number;
  /** The longest refusal (default 15 min). */
  maxBlockMs?: number;
  /** Addresses tracked at most (default 1024). */
  maxAddresses?: number;
  /** Milliseconds, only compared with its own readings (tests move it). */
  now?: () => number;
}

interface Entry {
  /** Times of the recent failures within the window, oldest first. */
  failures: number[];
  blockedUntil: number;
  strikes: number;
  lastFailureAt: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxBlockMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxBlockMs = options.maxBlockMs ?? 15 * 60_000;
    this.maxAddresses = options.maxAddresses ?? 1024;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds this address must wait before its next attempt, 0 when it may try now. */
  retryAfterMs(address: string): number {
    const e = this.current(address);
    return e ? Math.max(0, e.blockedUntil - this.now()) : 0;
  }

  /** A wrong token from this address. Returns the wait it now has (0 while it has tries left). */
  failed(address: string): number {
    const now = this.now();
    const e = this.current(address) ?? { failures: [], blockedUntil: 0, strikes: 0, lastFailureAt: now };
    this.entries.delete(address); // re-inserted last: the map's order is the eviction order
    e.failures = e.failures.filter((t) => now - t < this.windowMs);
    e.failures.push(now);
    e.lastFailureAt = now;
    if (e.failures.length >= this.maxFailures) {
      e.strikes++;
      e.blockedUntil = now + Math.min(this.windowMs * 2 ** (e.strikes - 1), this.maxBlockMs);
      e.failures = [];
    }
    this.entries.set(address, e);
    if (this.entries.size > this.maxAddresses) this.entries.delete(this.entries.keys().next().value!);
    return Math.max(0, e.blockedUntil - now);
  }

  /** The right token: this address starts afresh. */
  succeeded(address: string): void {
    this.entries.delete(address);
  }

  /** Addresses tracked now (for tests of the bound). */
  get size(): number {
    return this.entries.size;
  }

  private current(address: string): Entry | undefined {
    const e = this.entries.get(address);
    if (!e) return undefined;
    const now = this.now();
    // Quiet for maxBlockMs since the last failure or the end of the last refusal: a fresh start.
    if (now - Math.max(e.blockedUntil, e.lastFailureAt) >= this.maxBlockMs) {
      this.entries.delete(address);
      return undefined;
    }
    return e;
  }
}
