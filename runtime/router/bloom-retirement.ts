/**
 * Bloom retirement: when a recipient's delivery blooms prove that a bundle handed off to it arrived.
 *
 * A bundle enters the awaiting index of node N only when it was handed off (router.ts `awaitBloom`): accepted by
 * an async bearer for N, or passed on towards N by a relay. A bloom never retires anything else, so a false
 * positive can no longer retire a bundle that was never sent (issue 11: `created → stored → delivered (delivery
 * bloom)` 44 ms later, no `sent`).
 *
 * The rule: N's blooms retire the bundle once BLOOM_RUN = 7 of them in a row, as this relay receives them, carry its
 * id with no bloom of N between them that lacks it. Each broadcast is salted afresh (delivery-bloom.ts), so for an
 * id N does not have each bloom is an independent trial with p ≤ 0.83 % (a full ring of 256 ids in 2,560 bits,
 * k = 7, measured), whichever of N's blooms reach us — PROVIDED which ones reach us does not depend on their
 * content. Loss on the air does not; a relay that passed on only the blooms that carry something would (a run of
 * false positives as received). So relays pass on every bloom of N to the neighbours they carried N-bound bundles
 * for, hit or miss (router.ts onBloom), and a bloom we did not see (its `prev` salt, bloom-message.ts, names one we
 * missed) neither breaks nor extends a run: on a lossy radio a real delivery still gets confirmed, where demanding
 * N's own consecutive broadcasts would restart the count at every lost bloom (7 in a row at 10 % loss: 48 %).
 *
 * False retirement of one sent bundle over its whole wait ≤ T · p^7 (union bound over where the run ends), T = the
 * blooms N issues meanwhile. N broadcasts at most every `intervalMs` (30 s), every `debounceMs` (2 s) while
 * deliveries keep coming, and once per ⌊256 / 7⌋ = 36 deliveries (bloom-exchange.ts), so with the default 7-day
 * lifetime T ≤ 20,160 + 302,400 + D/36 for D deliveries at N during the wait: p^7 = 2.8e-15 keeps the rate
 * below 1e-6 up to D = 1.3e10 deliveries (21,000/s for a week; ~5,000/s for the 30-day maximum lifetime with
 * 1-s blooms), more than a relay can ingest; it is 3e-9 at 50 deliveries/s. "Any two blooms agree" would give
 * about C(T,2)·p², already 1 % at T = 20; two consecutive ones (T-1)·p², 1.4 expected false retirements per
 * bundle over a week of 30-s blooms. BENCHMARKS.md has the measured rates (bench/bloom.bench.ts).
 *
 * A real delivery is confirmed because N keeps each id for 256 further deliveries and broadcasts 7 times after each
 * change (debounced) and at least once every 36 deliveries, so every id it took is in ≥ 7 consecutive broadcasts
 * (a lost one only delays the count; the id stays while N's traffic allows).
 *
 * State per awaiting entry (stored in the vault beside it, so a restart keeps runs): empty = no run; else
 * u8 run | salt (16) of the last bloom that carried the id. After retirement the entry lingers for BLOOM_RUN more
 * blooms that carry the id (fewer if one does not), so a relay keeps passing N's blooms upstream to a sender that
 * missed one of the first run; the router drops it at once where there is nobody upstream.
 */
import { BLOOM_SALT_BYTES } from './delivery-bloom.js';

export const BLOOM_RUN = 7;

/** The vault's awaiting index (vault.ts). */
export interface AwaitingIndex {
  awaitingEntries(nodeId: Uint8Array): Array<{ id: Uint8Array; state: Uint8Array }>;
  addAwaiting(nodeId: Uint8Array, id: Uint8Array, state?: Uint8Array): void;
  removeAwaiting(nodeId: Uint8Array, id: Uint8Array): void;
}

/** A verified bloom (bloom-exchange.ts). */
export interface SaltedBloom {
  nodeId: Uint8Array;
  salt: Uint8Array;
  prev: Uint8Array;
  filter: { has(id: Uint8Array): boolean };
}

export interface BloomVerdict {
  /** Ids this bloom carries (really or falsely). */
  carried: Uint8Array[];
  /** Every id that was waiting for this node's blooms (carried or not, lingering included): a relay passes the bloom
   * on to where those bundles came from — all of them, so that what reaches upstream does not depend on content. */
  waiting: Uint8Array[];
  /** Ids whose run reached BLOOM_RUN with this bloom: retire them (once; the entry may linger afterwards). */
  confirmed: Uint8Array[];
}

function encodeState(run: number, salt: Uint8Array): Uint8Array {
  const s = new Uint8Array(1 + BLOOM_SALT_BYTES);
  s[0] = run;
  s.set(salt, 1);
  return s;
}

/** Run length recorded for an entry (0 for a fresh or unreadable state, which only restarts the count). */
function runOf(state: Uint8Array): number {
  return state.length === 1 + BLOOM_SALT_BYTES ? state[0]! : 0;
}

function sameSalt(state: Uint8Array, salt: Uint8Array): boolean {
  return Buffer.compare(state.subarray(1), salt) === 0;
}

/**
 * Tests every id waiting for `bloom`'s node against it and advances their runs (writes go to the index; only
 * entries whose state changed are written: a hit, or a miss ending a run).
 */
export function judgeBloom(index: AwaitingIndex, bloom: SaltedBloom, run = BLOOM_RUN): BloomVerdict {
  const carried: Uint8Array[] = [];
  const confirmed: Uint8Array[] = [];
  const waiting: Uint8Array[] = [];
  for (const { id, state } of index.awaitingEntries(bloom.nodeId)) {
    waiting.push(id);
    const before = runOf(state);
    if (!bloom.filter.has(id)) {
      if (before >= run) index.removeAwaiting(bloom.nodeId, id); // retired, and it left the node's ring: done
      else if (before > 0) index.addAwaiting(bloom.nodeId, id); // a run of false positives ends here
      continue;
    }
    carried.push(id);
    if (before >= run) {
      // Retired already: lingering so the blooms go on upstream, for BLOOM_RUN more of them.
      if (before + 1 >= 2 * run) index.removeAwaiting(bloom.nodeId, id);
      else index.addAwaiting(bloom.nodeId, id, encodeState(before + 1, bloom.salt));
      continue;
    }
    // A bloom of the node that we missed in between (its salt is not this one's `prev`) is neither a hit nor a miss:
    // see the rule above. The same bloom twice never counts twice (bloom-exchange.ts takes each node's newest only;
    // the salt check is a second guard).
    if (before > 0 && sameSalt(state, bloom.salt)) continue;
    const next = before + 1;
    if (next >= run) confirmed.push(id);
    index.addAwaiting(bloom.nodeId, id, encodeState(next, bloom.salt));
  }
  return { carried, waiting, confirmed };
}
