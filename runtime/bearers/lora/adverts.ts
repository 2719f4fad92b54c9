/**
 * LoRa adverts: how neighbours learn each other's full node id (the 4-byte link prefixes address frames; the bundle
 * inside carries full keys, link-frame.ts). An advert is our 32-byte id, then the prefixes of the neighbours we hear
 * (most recent first, as many as the frame holds), so each learns that we hold its key and may leave it out of what
 * it sends us (compact-bundle.ts bit 6).
 *
 * When: one (jittered) at start, every `advertIntervalMs`, in answer to an unknown neighbour's advert or frame (at
 * most once per `advertMinSpacingMs`), and as a probe while the radio is down. Adverts go through the same queue and
 * airtime governor as every frame; they are not signed (they only make `canReach` say yes; the router verifies every
 * bundle anyway).
 */
import type { Logger } from '../../log/logger.js';
import type { LoraMetrics } from './lora-metrics.js';
import { MAX_ADVERT_NEIGHBOURS, PREFIX_BYTES, encodeLinkFrame, linkHeaderLength, samePrefix, type LinkFrame } from './link-frame.js';
import type { PeerTable } from './peer-table.js';

export interface AdvertOptions {
  /** Advert period (ms); 0: none but the one at start. */
  intervalMs: number;
  /** Random delay before an advert. */
  jitterMs: number;
  /** Answer a new neighbour's advert with ours. */
  answerNew: boolean;
  /** Least spacing of adverts triggered by an unknown neighbour. */
  minSpacingMs: number;
}

export interface AdvertsDeps {
  nodeId: Uint8Array;
  prefix: Uint8Array;
  maxFrame: number;
  peers: PeerTable;
  now(): number;
  random(): number;
  /** Whether adverts may go out (the bearer is up, or down and probing). */
  active(): boolean;
  /** What follows each advert (the v2 chain anchor). */
  afterAdvert?(signal?: AbortSignal): Promise<void>;
  /** Wall time on air of a frame of n bytes on this channel. */
  airtimeMs(n: number): number;
  /** Puts one frame on the air through the bearer's queue. */
  transmit(bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  metrics: LoraMetrics;
  log: Logger;
  /** We speak link version 2: our adverts say so (encoding bits 01, which v1 receivers ignore on adverts). */
  v2?: boolean;
}

export class Adverts {
  private lastAt = Number.NEGATIVE_INFINITY;
  /** Unknown v2 transmitters (link hint) we advertised for, and when. */
  private readonly unknownAt = new Map<string, number>();
  /** When our last advert finished on the air. */
  private lastEnd?: number;
  private pending = false;
  private timers: NodeJS.Timeout[] = [];
  private periodic?: NodeJS.Timeout;
  private factor = 1;

  constructor(private readonly d: AdvertsDeps, private readonly o: AdvertOptions) {}

  /** The periodic advert, and one soon when `now`. */
  start(now: boolean): void {
    this.startPeriodic();
    if (now) this.schedule();
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    if (this.periodic) clearInterval(this.periodic);
    this.periodic = undefined;
  }

  /** The advert period × `factor` from now on (a relay short of power stretches it, runtime/power); 1 = as configured. */
  setIntervalFactor(factor: number): void {
    if (factor === this.factor) return;
    this.factor = factor;
    if (this.periodic) this.startPeriodic();
  }

  get intervalMs(): number {
    return this.o.intervalMs * this.factor;
  }

  private startPeriodic(): void {
    if (this.periodic) clearInterval(this.periodic);
    this.periodic = undefined;
    if (this.o.intervalMs > 0) this.periodic = setInterval(() => this.schedule(), this.intervalMs).unref();
  }

  /** Sends an advert now. */
  async advertise(signal?: AbortSignal): Promise<void> {
    const room = Math.min(MAX_ADVERT_NEIGHBOURS, Math.floor((this.d.maxFrame - linkHeaderLength(false, false) - 32) / PREFIX_BYTES));
    const heard = this.d.peers.recent().slice(0, Math.max(0, room));
    const payload = new Uint8Array(32 + heard.length * PREFIX_BYTES);
    payload.set(this.d.nodeId);
    heard.forEach((n, i) => payload.set(n.id.subarray(0, PREFIX_BYTES), 32 + i * PREFIX_BYTES));
    const bytes = encodeLinkFrame({ type: 'advert', from: this.d.prefix, encoding: this.d.v2 ? 'compact' : 'wire', payload });
    this.lastAt = this.d.now();
    await this.d.transmit(bytes, signal);
    this.lastEnd = this.d.now();
    this.d.metrics.frameOut('advert');
    await this.d.afterAdvert?.(signal);
  }

  /** Sends an advert after a random jitter unless one went out less than `minSpacingMs` ago or one is pending. */
  schedule(minSpacingMs = 0): void {
    if (!this.d.active() || this.pending) return;
    if (this.d.now() - this.lastAt < minSpacingMs) return;
    this.pending = true;
    const t = setTimeout(() => {
      this.timers = this.timers.filter((x) => x !== t);
      this.advertise()
        .catch((err: Error) => {
          if (this.d.active()) this.d.log.warn('advert not sent', { error: err.message, name: err.name });
        })
        .finally(() => {
          this.pending = false;
        });
    }, this.d.random() * this.o.jitterMs);
    t.unref();
    this.timers.push(t);
  }

  /** A frame from a neighbour we do not know yet: tell it who we are (rate-limited). With `key` (the v2 link hint
   * of the unknown transmitter), spaced per key rather than by our last advert: our advert at start is typically the
   * one it missed, and ours not listing it is what makes it answer with its own (received()). */
  unknownSender(key?: string): void {
    if (key === undefined) return this.schedule(this.o.minSpacingMs);
    const now = this.d.now();
    if (now - (this.unknownAt.get(key) ?? Number.NEGATIVE_INFINITY) < this.o.minSpacingMs) return;
    if (this.unknownAt.size >= 256) this.unknownAt.delete(this.unknownAt.keys().next().value!);
    this.unknownAt.set(key, now);
    this.schedule();
  }

  /** An advert frame was received. */
  received(f: LinkFrame, rssi?: number, snr?: number): void {
    if (!samePrefix(f.payload, f.from)) {
      this.d.metrics.discarded('malformed');
      return;
    }
    this.d.metrics.frameIn('advert');
    const known = this.d.peers.reachable(Buffer.from(f.payload.subarray(0, 32)).toString('hex')) !== undefined;
    const n = this.d.peers.learn(f.payload.subarray(0, 32), rssi, snr);
    n.knowsUs = false;
    n.v2 = f.encoding === 'compact';
    for (let o = 32; o < f.payload.length; o += PREFIX_BYTES) if (samePrefix(f.payload.subarray(o), this.d.prefix)) n.knowsUs = true;
    if (!known && this.o.answerNew) this.schedule(this.o.minSpacingMs);
    // A neighbour whose advert has room for us but does not list us, though it was sent after ours: it missed ours
    // (at start two adverts go out close together and a half-duplex radio misses the other's) and would not know us
    // until our next periodic advert. Answered once per neighbour per advertMinSpacingMs, whatever our last advert.
    const room = (f.payload.length - 32) / PREFIX_BYTES < MAX_ADVERT_NEIGHBOURS;
    const now = this.d.now();
    // Theirs began (now − its time on air) after ours had ended: it could have heard ours.
    const missedOurs = !n.knowsUs && room && this.lastEnd !== undefined && now - this.d.airtimeMs(linkHeaderLength(false, false) + f.payload.length) > this.lastEnd;
    if (missedOurs && this.o.answerNew && now - (n.answeredAt ?? Number.NEGATIVE_INFINITY) >= this.o.minSpacingMs) {
      n.answeredAt = now;
      this.schedule();
    }
  }
}
