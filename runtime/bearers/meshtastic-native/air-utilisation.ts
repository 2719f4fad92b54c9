/**
 * Channel utilisation and transmit airtime as the firmware reports them (src/airtime.cpp, AirTime::logAirtime):
 * - channel utilisation = airtime heard and sent in the last minute (6 periods of 10 s), in percent
 *   (channelUtilizationPercent, DeviceMetrics.channel_utilization);
 * - TX utilisation = our own airtime in the last hour (60 one-minute buckets), in percent (utilizationTXPercent,
 *   DeviceMetrics.air_util_tx).
 * Buckets rotate on the injected clock, so tests run in virtual time.
 */
import type { Clock } from '../../../lib/clock/clock.js';

const PERIOD_MS = 10_000;
const CHANNEL_PERIODS = 6;
const MINUTE_MS = 60_000;
const HOUR_MINUTES = 60;

export class AirUtilisation {
  /** Airtime per 10 s period (rx + tx), by period number (time / 10 s). */
  private readonly channel = new Map<number, number>();
  /** Our airtime per minute, by minute number. */
  private readonly tx = new Map<number, number>();
  private readonly rxHour = new Map<number, number>();

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  /** A frame we sent (AirTime TX_LOG). */
  sent(airtimeMs: number): void {
    const now = this.clock.now();
    add(this.channel, Math.floor(now / PERIOD_MS), airtimeMs);
    add(this.tx, Math.floor(now / MINUTE_MS), airtimeMs);
    this.prune(now);
  }

  /** A valid frame heard (AirTime RX_LOG). */
  heard(airtimeMs: number): void {
    const now = this.clock.now();
    add(this.channel, Math.floor(now / PERIOD_MS), airtimeMs);
    add(this.rxHour, Math.floor(now / MINUTE_MS), airtimeMs);
    this.prune(now);
  }

  /** Percent of the last minute the channel carried frames we heard or sent. */
  channelUtilisationPercent(): number {
    const p = Math.floor(this.clock.now() / PERIOD_MS);
    return (sumSince(this.channel, p - CHANNEL_PERIODS + 1) / (CHANNEL_PERIODS * PERIOD_MS)) * 100;
  }

  /** Percent of the last hour we were transmitting. */
  txUtilisationPercent(): number {
    return (this.txMsLastHour() / (HOUR_MINUTES * MINUTE_MS)) * 100;
  }

  txMsLastHour(): number {
    return sumSince(this.tx, Math.floor(this.clock.now() / MINUTE_MS) - HOUR_MINUTES + 1);
  }

  rxMsLastHour(): number {
    return sumSince(this.rxHour, Math.floor(this.clock.now() / MINUTE_MS) - HOUR_MINUTES + 1);
  }

  private prune(now: number): void {
    dropBefore(this.channel, Math.floor(now / PERIOD_MS) - CHANNEL_PERIODS + 1);
    const minute = Math.floor(now / MINUTE_MS) - HOUR_MINUTES + 1;
    dropBefore(this.tx, minute);
    dropBefore(this.rxHour, minute);
  }
}

function add(m: Map<number, number>, k: number, v: number): void {
  m.set(k, (m.get(k) ?? 0) + v);
}

function sumSince(m: Map<number, number>, from: number): number {
  let s = 0;
  for (const [k, v] of m) if (k >= from) s += v;
  return s;
}

function dropBefore(m: Map<number, number>, from: number): void {
  for (const k of m.keys()) if (k < from) m.delete(k);
}
