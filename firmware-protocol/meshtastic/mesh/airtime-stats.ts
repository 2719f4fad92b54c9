/**
 * Channel utilisation and our transmit airtime (firmware src/airtime.{h,cpp}): utilisation is every airtime heard or
 * sent in the last minute (6 periods of 10 s) over 60 s; TX utilisation is our transmit airtime in the last hour
 * (60 periods of 1 min) over one hour. Both drive the contention window, the retransmission interval, the NodeInfo
 * reply gate (40 %) and DeviceMetrics.
 */
export const CHANNEL_UTILIZATION_PERIODS = 6;
const UTIL_PERIOD_MS = 10_000;
const MINUTES_IN_HOUR = 60;
const MS_IN_MINUTE = 60_000;
const MS_IN_HOUR = 3_600_000;
/** airtime.h max_channel_util_percent / polite_channel_util_percent / polite_duty_cycle_percent. */
export const MAX_CHANNEL_UTIL_PERCENT = 40;
export const POLITE_CHANNEL_UTIL_PERCENT = 25;
export const POLITE_DUTY_CYCLE_PERCENT = 50;

class Ring {
  private readonly sums: number[];
  private readonly periods: number[];
  constructor(private readonly slots: number, private readonly periodMs: number) {
    this.sums = new Array<number>(slots).fill(0);
    this.periods = new Array<number>(slots).fill(-1);
  }
  add(now: number, ms: number): void {
    const period = Math.floor(now / this.periodMs);
    const i = period % this.slots;
    if (this.periods[i] !== period) {
      this.periods[i] = period;
      this.sums[i] = 0;
    }
    this.sums[i]! += ms;
  }
  total(now: number): number {
    const period = Math.floor(now / this.periodMs);
    let sum = 0;
    for (let i = 0; i < this.slots; i++) if (this.periods[i]! > period - this.slots) sum += this.sums[i]!;
    return sum;
  }
}

export class AirtimeStats {
  private readonly channel = new Ring(CHANNEL_UTILIZATION_PERIODS, UTIL_PERIOD_MS);
  private readonly tx = new Ring(MINUTES_IN_HOUR, MS_IN_MINUTE);
  private txTotal = 0;
  private rxTotal = 0;

  constructor(private readonly now: () => number) {}

  /** AirTime::logAirtime(TX_LOG). */
  logTx(ms: number): void {
    const t = this.now();
    this.tx.add(t, ms);
    this.channel.add(t, ms);
    this.txTotal += ms;
  }

  /** AirTime::logAirtime(RX_LOG / RX_ALL_LOG): everything heard counts for channel utilisation. */
  logRx(ms: number): void {
    this.channel.add(this.now(), ms);
    this.rxTotal += ms;
  }

  /** AirTime::channelUtilizationPercent. */
  channelUtilizationPercent(): number {
    return (this.channel.total(this.now()) / (CHANNEL_UTILIZATION_PERIODS * UTIL_PERIOD_MS)) * 100;
  }

  /** AirTime::utilizationTXPercent: our airtime in the last hour. */
  utilizationTxPercent(): number {
    return (this.tx.total(this.now()) / MS_IN_HOUR) * 100;
  }

  /** Our transmit airtime in the last hour, in ms. */
  txAirtimeLastHourMs(): number {
    return this.tx.total(this.now());
  }

  /** Since start: transmitted and received airtime in ms (counters for the runtime's metrics). */
  totals(): { txMs: number; rxMs: number } {
    return { txMs: this.txTotal, rxMs: this.rxTotal };
  }

  /** AirTime::isTxAllowedChannelUtil. */
  isTxAllowedChannelUtil(polite: boolean): boolean {
    return this.channelUtilizationPercent() < (polite ? POLITE_CHANNEL_UTIL_PERCENT : MAX_CHANNEL_UTIL_PERCENT);
  }
}
