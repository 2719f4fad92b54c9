/**
 * The adverts a relay believes: the newest verified advert per node id. Decides whether an incoming advert is
 * news, a repeat, or to be ignored (and why, for the lattice_ip_adverts_rejected_total{reason} counter).
 *
 * Replay protection is the per-node sequence (issuedAt): an advert older than the newest one seen is a replay.
 * The age window is a backstop for the first advert heard of a node (nothing to compare with yet); it relies on
 * roughly right clocks, so its default is wide (24 h) and a board without RTC or NTP should widen it further.
 */
import { verifyAdvert, type Advert } from './advert.js';

export type AdvertRejection = 'bad-signature' | 'replayed' | 'stale';

export type AdvertVerdict =
  | { ok: true; news: boolean; advert: Advert }
  | { ok: false; reason: AdvertRejection };

export interface AdvertBookOptions {
  /** Adverts issued longer ago (or further in the future) than this are stale. */
  maxAgeMs: number;
  /** Bound on remembered nodes; the one with the oldest advert is forgotten first... */
  maxEntries: number;
  /** ...among those not protected (admission.ts: static and proven relays keep their adverts against a flood). */
  isProtected?: (nodeIdHex: string) => boolean;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export class AdvertBook {
  private readonly byNode = new Map<string, Advert>();

  constructor(private readonly options: AdvertBookOptions) {}

  /** Checks an advert (cheap tests first, the signature last) and records it when it is newer. */
  consider(advert: Advert, now: number): AdvertVerdict {
    const verdict = this.check(advert, now);
    if (verdict.ok && verdict.news) this.record(advert);
    return verdict;
  }

  /** consider() without recording: the caller decides first whether the node gets a slot (admission.ts). */
  check(advert: Advert, now: number): AdvertVerdict {
    if (Math.abs(now - advert.issuedAt) > this.options.maxAgeMs) return { ok: false, reason: 'stale' };
    const known = this.byNode.get(advert.nodeIdHex);
    if (known) {
      if (advert.issuedAt < known.issuedAt) return { ok: false, reason: 'replayed' };
      if (advert.issuedAt === known.issuedAt) {
        if (sameBytes(advert.bytes, known.bytes)) return { ok: true, news: false, advert: known };
        // Same sequence, other content: either forged or the node signed two adverts with one sequence.
        return verifyAdvert(advert) ? { ok: false, reason: 'replayed' } : { ok: false, reason: 'bad-signature' };
      }
    }
    if (!verifyAdvert(advert)) return { ok: false, reason: 'bad-signature' };
    return { ok: true, news: true, advert };
  }

  /** Records an advert check() found to be news. */
  record(advert: Advert): void {
    if (!this.byNode.has(advert.nodeIdHex) && this.byNode.size >= this.options.maxEntries) this.evictOldest();
    this.byNode.set(advert.nodeIdHex, advert);
  }

  get(nodeIdHex: string): Advert | undefined {
    return this.byNode.get(nodeIdHex);
  }

  all(): Advert[] {
    return [...this.byNode.values()];
  }

  forget(nodeIdHex: string): void {
    this.byNode.delete(nodeIdHex);
  }

  get size(): number {
    return this.byNode.size;
  }

  private evictOldest(): void {
    const prot = this.options.isProtected;
    let oldest: Advert | undefined;
    let oldestProtected = true;
    for (const a of this.byNode.values()) {
      const p = prot?.(a.nodeIdHex) ?? false;
      if (!oldest || (oldestProtected && !p) || (p === oldestProtected && a.issuedAt < oldest.issuedAt)) {
        oldest = a;
        oldestProtected = p;
      }
    }
    if (oldest) this.byNode.delete(oldest.nodeIdHex);
  }
}
