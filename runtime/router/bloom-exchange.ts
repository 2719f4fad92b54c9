/**
 * Delivery-bloom exchange: this node's bloom of the last 256 bundle ids it accepted for itself goes out as a
 * signed `bloom` frame on every bearer, periodically and (debounced) after each change; blooms received from other
 * relays are checked (signature in decodeBloomMessage, newest-only per node against replays) before the router
 * retires outbox rows with them.
 */
import { BROADCAST, type Bearer } from '../bearer/bearer.js';
import type { Identity } from '../identity/identity.js';
import type { Logger } from '../log/logger.js';
import { hex } from '../vault/vault-keys.js';
import { createBloomMessage, decodeBloomMessage, encodeBloomMessage } from '../wire/bloom-message.js';
import { encodeFrame } from '../wire/frame-codec.js';
import { BloomFilter, DeliveryBloom } from './delivery-bloom.js';

/** Blooms claiming to be from further ahead than this are refused (they would shadow the sender's real ones). */
const MAX_BLOOM_SKEW_MS = 10 * 60 * 1000;

export interface BloomExchangeOptions {
  identity: Identity;
  bearers: readonly Bearer[];
  clock: () => number;
  intervalMs: number;
  debounceMs: number;
  onSent: () => void;
  log: Logger;
}

export type ReceivedBloom = { nodeId: Uint8Array; nodeIdHex: string; filter: BloomFilter } | { reason: string };

export class BloomExchange {
  readonly bloom = new DeliveryBloom();
  private readonly lastIssued = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private stopped = true;
  private lastSentAt = 0;

  constructor(private readonly o: BloomExchangeOptions) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.broadcast(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.timer = this.debounce = undefined;
  }

  /** A bundle was accepted for this node: remember it and announce soon. */
  delivered(id: Uint8Array): void {
    this.bloom.add(id);
    if (this.stopped || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.broadcast();
    }, this.o.debounceMs);
    this.debounce.unref();
  }

  async broadcast(): Promise<number> {
    if (this.stopped) return 0;
    // issuedAt must grow strictly, or receivers would take a second bloom in the same millisecond for a replay.
    const issuedAt = Math.max(this.o.clock(), this.lastSentAt + 1);
    this.lastSentAt = issuedAt;
    const msg = createBloomMessage(this.o.identity, this.bloom.toBytes(), issuedAt);
    const bytes = encodeFrame({ kind: 'bloom', payload: encodeBloomMessage(msg) });
    const bearers = this.o.bearers.filter((b) => b.canReach(BROADCAST));
    const results = await Promise.allSettled(bearers.map((b) => b.send({ peer: BROADCAST, kind: 'bloom', bytes }, { signal: AbortSignal.timeout(30_000) })));
    let n = 0;
    for (const r of results) if (r.status === 'fulfilled' && r.value === 'accepted') {
      n++;
      this.o.onSent();
    }
    return n;
  }

  receive(payload: Uint8Array): ReceivedBloom {
    let m;
    try {
      m = decodeBloomMessage(payload);
    } catch (err) {
      this.o.log.debug('bloom refused', { err: (err as Error).message });
      return { reason: 'bad-bloom' };
    }
    const nodeIdHex = hex(m.nodeId);
    if (nodeIdHex === this.o.identity.nodeIdHex) return { reason: 'own-bloom' };
    if (m.issuedAt > this.o.clock() + MAX_BLOOM_SKEW_MS) return { reason: 'bloom-from-the-future' };
    const last = this.lastIssued.get(nodeIdHex);
    if (last !== undefined && m.issuedAt <= last) return { reason: 'stale-bloom' };
    if (this.lastIssued.size > 10_000) this.lastIssued.delete(this.lastIssued.keys().next().value!);
    this.lastIssued.set(nodeIdHex, m.issuedAt);
    return { nodeId: m.nodeId, nodeIdHex, filter: new BloomFilter(m.bloom) };
  }
}
