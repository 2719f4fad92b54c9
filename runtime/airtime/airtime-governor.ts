/**
 * AirtimeGovernor: the one gate every LoRa transmission passes. In order:
 *   1. dwell: a frame longer than the region's per-transmission limit fails with DwellTimeExceededError (waiting
 *      cannot help, so it never waits);
 *   2. duty cycle: when the sub-band's rolling-hour budget has no room, either wait (abortable) until it has, or fail
 *      with DutyCycleExceededError carrying the wait needed (`policy`); where the region limits occupancy per channel
 *      (US915, FCC 15.247(a)(1)(i): 400 ms per 10 or 20 s, lib/lora/regions.ts) that window is checked the same way;
 *   3. listen-before-talk (optional): first the quiet time after a frame heard (`ListenBeforeTalk.quietMs`), then
 *      CAD; a busy channel defers by a random back-off and retries, then fails with ChannelBusyError (EN 300 220-1
 *      §5.21 "polite spectrum access": defer by a random multiple of the minimum deferral when the channel is busy);
 *   4. the airtime is recorded in the ledger (persisted) before the frame goes out, so a crash mid-TX still counts;
 *      when the ledger cannot save it the permit fails with LedgerSaveError and the frame is not sent (fail closed).
 * Callers are serialised: two concurrent permits cannot both spend the same budget (and the budget is checked again
 * after listen-before-talk, so governors of several radios sharing one ledger cannot either).
 */
import type { AirtimeLedger } from './airtime-ledger.js';
import { systemClock, type Clock } from '../../lib/clock/clock.js';
import { ChannelBusyError, DutyCycleExceededError, DwellTimeExceededError } from './errors.js';
import { budgetMs, dwellLimitMs, occupancyLimit, subBandFor, type RegionRules, type SubBand } from '../../lib/lora/regions.js';

export interface ListenBeforeTalk {
  /** True when the channel is busy (SX126x CAD: CadDetected). */
  channelActivity(options?: { signal?: AbortSignal }): Promise<boolean>;
  /** How many CADs before giving up (default 5). */
  attempts?: number;
  /** Random back-off range after a busy CAD, ms (default 50..500). */
  backoffMs?: [min: number, max: number];
  /**
   * How long this radio should still keep quiet (ms, 0 or less = not at all) because it heard a frame: waited out
   * before every CAD, and asked again after the wait (a frame heard meanwhile extends it). A CAD right after a
   * neighbour's frame ended finds the channel clear while that neighbour is about to send its next fragment (or
   * expects an ACK): both would go and collide, and broadcasts have no ACK to recover. The SX126x driver keeps the
   * same quiet time when it listens itself (drivers/sx126x/listen-before-talk.ts postRxQuietMs).
   */
  quietMs?(): number;
}

export interface Transmission {
  frequencyHz: number;
  bandwidthHz: number;
  airtimeMs: number;
}

export interface GovernorObserver {
  dutyCycleWait?(subBand: string, waitMs: number): void;
  channelBusy?(subBand: string): void;
  airtime?(subBand: string, airtimeMs: number): void;
  /** The ledger could not save the booking: the frame is refused (LedgerSaveError). */
  ledgerRefused?(subBand: string, err: Error): void;
}

export interface AirtimeGovernorInit {
  region: RegionRules;
  ledger: AirtimeLedger;
  /** 'wait' (default): sends over budget wait for room; 'fail': they reject with DutyCycleExceededError. */
  policy?: 'wait' | 'fail';
  lbt?: ListenBeforeTalk;
  clock?: Clock;
  random?: () => number;
  observer?: GovernorObserver;
}

export class AirtimeGovernor {
  readonly region: RegionRules;
  private readonly ledger: AirtimeLedger;
  private readonly policy: 'wait' | 'fail';
  private readonly lbt?: ListenBeforeTalk;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly observer: GovernorObserver;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(init: AirtimeGovernorInit) {
    this.region = init.region;
    this.ledger = init.ledger;
    this.policy = init.policy ?? 'wait';
    this.lbt = init.lbt;
    this.clock = init.clock ?? systemClock;
    this.random = init.random ?? Math.random;
    this.observer = init.observer ?? {};
  }

  /** The sub-band a channel is in (throws ChannelOutOfBandError). */
  subBand(frequencyHz: number, bandwidthHz: number): SubBand {
    return subBandFor(this.region, frequencyHz, bandwidthHz);
  }

  /** Throws DwellTimeExceededError when one frame of this length is unlawful whatever the budget. */
  checkDwell(tx: Pick<Transmission, 'bandwidthHz' | 'airtimeMs'>): void {
    const limit = dwellLimitMs(this.region, tx.bandwidthHz);
    if (limit !== undefined && tx.airtimeMs > limit) throw new DwellTimeExceededError(this.region.name, tx.airtimeMs, limit);
  }

  /** Milliseconds before a frame of this length could start in its sub-band (0 = now). No side effects. */
  waitMs(tx: Transmission): number {
    const band = this.subBand(tx.frequencyHz, tx.bandwidthHz);
    return this.lawfulIn(band, tx, this.clock.now());
  }

  /** ms until both the sub-band's duty cycle and the channel's occupancy limit (if any) have room for `tx`. */
  private lawfulIn(band: SubBand, tx: Transmission, at: number): number {
    const duty = this.ledger.waitMs(band.id, budgetMs(band, this.ledger.windowMs), tx.airtimeMs, at);
    const occ = occupancyLimit(this.region, tx.bandwidthHz);
    if (!occ) return duty;
    return Math.max(duty, this.ledger.waitMs(band.id, occ.maxMs, tx.airtimeMs, at, { windowMs: occ.windowMs, frequencyHz: tx.frequencyHz }));
  }

  /** Resolves when the frame may go on the air now (and its airtime is booked); see the class comment. */
  permit(tx: Transmission, options: { signal?: AbortSignal } = {}): Promise<void> {
    const run = this.queue.then(() => this.permitNow(tx, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async permitNow(tx: Transmission, { signal }: { signal?: AbortSignal }): Promise<void> {
    signal?.throwIfAborted();
    this.checkDwell(tx);
    const band = this.subBand(tx.frequencyHz, tx.bandwidthHz);
    const budget = budgetMs(band, this.ledger.windowMs);
    let busy = 0;
    let clear = false;
    const attempts = this.lbt?.attempts ?? 5;
    for (;;) {
      const wait = this.lawfulIn(band, tx, this.clock.now());
      if (wait > 0) {
        if (this.policy === 'fail' || !Number.isFinite(wait)) throw new DutyCycleExceededError(band.id, tx.airtimeMs, wait, budget);
        this.observer.dutyCycleWait?.(band.id, wait);
        await this.clock.sleep(Math.ceil(wait), { signal });
        clear = false;
        continue;
      }
      if (this.lbt && !clear) {
        const quiet = this.lbt.quietMs?.() ?? 0;
        if (quiet > 0) {
          await this.clock.sleep(quiet, { signal });
          continue;
        }
        if (await this.lbt.channelActivity({ signal })) {
          busy++;
          this.observer.channelBusy?.(band.id);
          if (busy >= attempts) throw new ChannelBusyError(band.id, busy);
          const [min, max] = this.lbt.backoffMs ?? [50, 500];
          await this.clock.sleep(min + this.random() * (max - min), { signal });
          continue;
        }
        // The CAD took time (and another governor on the same ledger may have booked meanwhile): check again.
        clear = true;
        continue;
      }
      signal?.throwIfAborted();
      try {
        await this.ledger.record(band.id, this.clock.now(), tx.airtimeMs, occupancyLimit(this.region, tx.bandwidthHz) ? tx.frequencyHz : undefined);
      } catch (err) {
        this.observer.ledgerRefused?.(band.id, err as Error);
        throw err;
      }
      this.observer.airtime?.(band.id, tx.airtimeMs);
      return;
    }
  }
}
