/**
 * Delivery-bloom exchange: this node's bloom of the last 256 bundle ids it accepted for itself goes out as a
 * signed `bloom` frame on every bearer, each broadcast under a fresh salt that names the previous one; blooms
 * received from other relays are checked (signature in decodeBloomMessage, newest-only per node against replays)
 * before the router judges them (bloom-retirement.ts).
 *
 * When: every `intervalMs`; after a change, BLOOM_RUN times `debounceMs` apart (the first `debounceMs` after it),
 * so a sender sees the run of consecutive blooms retirement asks for within seconds; and at once whenever
 * ⌊256 / BLOOM_RUN⌋ ids were added since the last broadcast, so under any load every id is in at least BLOOM_RUN
 * broadcasts before 256 newer ones push it out of the ring.
 */
import { randomBytes } from 'node:crypto';
import { BROADCAST, type Bearer } from '../bearer/bearer.js';
import { systemTimerClock, type CancelTimer, type TimerClock } from '../../lib/clock/timer-clock.js';
import type { Identity } from '../identity/identity.js';
import type { Logger } from '../log/logger.js';
import { hex } from '../vault/vault-keys.js';
import { BloomVersionError, createBloomMessage, decodeBloomMessage, encodeBloomMessage } from '../wire/bloom-message.js';
import { encodeFrame } from '../wire/frame-codec.js';
import { BLOOM_RUN, type SaltedBloom } from './bloom-retirement.js';
import { BLOOM_CAPACITY, BLOOM_SALT_BYTES, BloomFilter, DeliveryBloom } from './delivery-bloom.js';

/** Ids added between two broadcasts at most: an id then stays in BLOOM_RUN broadcasts before it leaves the ring. */
export const BLOOM_CARRY_EVERY = Math.floor(BLOOM_CAPACITY / BLOOM_RUN);

/** Blooms claiming to be from further ahead than this are refused (they would shadow the sender's real ones). */
const MAX_BLOOM_SKEW_MS = 10 * 60 * 1000;

export interface BloomExchangeOptions {
  identity: Identity;
  bearers: readonly Bearer[];
  clock: () => number;
  /** The periodic broadcast and the carries after a change; default the system's. */
  timers?: TimerClock;
  intervalMs: number;
  debounceMs: number;
  onSent: () => void;
  log: Logger;
}

export type ReceivedBloom = (SaltedBloom & { nodeIdHex: string }) | { reason: string };

export class BloomExchange {
  readonly bloom = new DeliveryBloom();
  private readonly lastIssued = new Map<string, number>();
  private readonly timers: TimerClock;
  private cancelInterval?: CancelTimer;
  private cancelCarry?: CancelTimer;
  private stopped = true;
  private lastSentAt = 0;
  /** Salt of our previous broadcast (zeros before the first one of this run). */
  private lastSalt = new Uint8Array(BLOOM_SALT_BYTES);
  /** Broadcasts still owed to the newest change. */
  private carriesDue = 0;
  private addedSince = 0;

  constructor(private readonly o: BloomExchangeOptions) {
    this.timers = o.timers ?? systemTimerClock;
  }

  start(): void {
    this.stopped = false;
    this.armInterval();
    // Ids taken just before a restart may not have been carried BLOOM_RUN times yet.
    if (this.bloom.size > 0) {
      this.carriesDue = BLOOM_RUN;
      this.scheduleCarry();
    }
  }

  stop(): void {
    this.stopped = true;
    this.cancelInterval?.();
    this.cancelCarry?.();
    this.cancelInterval = this.cancelCarry = undefined;
  }

  /** The periodic broadcast, armed again each time it fires (a timer of the router's clock). */
  private armInterval(): void {
    this.cancelInterval = this.timers.setTimer(this.o.intervalMs, () => {
      if (this.stopped) return;
      this.armInterval();
      void this.broadcast();
    }, { unref: true, name: 'bloom interval' });
  }

  /** A bundle was accepted for this node: remember it and announce it BLOOM_RUN times, starting soon. */
  delivered(id: Uint8Array): void {
    this.bloom.add(id);
    this.carriesDue = BLOOM_RUN;
    this.addedSince++;
    if (this.stopped) return;
    if (this.addedSince >= BLOOM_CARRY_EVERY) void this.broadcast();
    else this.scheduleCarry();
  }

  private scheduleCarry(): void {
    if (this.stopped || this.cancelCarry || this.carriesDue <= 0) return;
    this.cancelCarry = this.timers.setTimer(this.o.debounceMs, () => {
      this.cancelCarry = undefined;
      if (this.carriesDue > 0) void this.broadcast();
    }, { unref: true, name: 'bloom carry' });
  }

  async broadcast(): Promise<number> {
    if (this.stopped) return 0;
    const bearers = this.o.bearers.filter((b) => b.canReach(BROADCAST));
    if (bearers.length === 0) return 0; // nobody to tell: keep what is owed for when somebody is
    // issuedAt must grow strictly, or receivers would take a second bloom in the same millisecond for a replay.
    const issuedAt = Math.max(this.o.clock(), this.lastSentAt + 1);
    this.lastSentAt = issuedAt;
    let salt = randomBytes(BLOOM_SALT_BYTES);
    while (salt.equals(this.lastSalt)) salt = randomBytes(BLOOM_SALT_BYTES);
    const msg = createBloomMessage(this.o.identity, { salt, prev: this.lastSalt, bloom: this.bloom.filter(salt).bits }, issuedAt);
    this.lastSalt = salt;
    this.addedSince = 0;
    if (this.carriesDue > 0) this.carriesDue--;
    this.scheduleCarry();
    const bytes = encodeFrame({ kind: 'bloom', payload: encodeBloomMessage(msg) });
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
      // An unsalted v1 bloom from a relay not yet upgraded proves nothing (bloom-message.ts): counted apart.
      return { reason: err instanceof BloomVersionError ? 'bloom-version' : 'bad-bloom' };
    }
    const nodeIdHex = hex(m.nodeId);
    if (nodeIdHex === this.o.identity.nodeIdHex) return { reason: 'own-bloom' };
    if (m.issuedAt > this.o.clock() + MAX_BLOOM_SKEW_MS) return { reason: 'bloom-from-the-future' };
    const last = this.lastIssued.get(nodeIdHex);
    if (last !== undefined && m.issuedAt <= last) return { reason: 'stale-bloom' };
    if (this.lastIssued.size > 10_000) this.lastIssued.delete(this.lastIssued.keys().next().value!);
    this.lastIssued.set(nodeIdHex, m.issuedAt);
    return { nodeId: m.nodeId, nodeIdHex, salt: m.salt, prev: m.prev, filter: new BloomFilter(m.salt, m.bloom) };
  }
}
