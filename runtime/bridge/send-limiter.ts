/**
 * Per-direction limits for bridged traffic: a message rate (token bucket, messages per minute, bursts up to the
 * same number) and an airtime budget for the receiving radio (estimated time on air per rolling hour). Bursts
 * wait; they are not dropped here — the queue in front decides what to shed.
 */
export interface SendLimits {
  messagesPerMinute: number;
  /** Bucket size: messages that may go back to back before the rate applies. Default messagesPerMinute. */
  burst?: number;
  /** Airtime the bridge may spend on the receiving radio per rolling hour, in ms (e.g. 36 000 = 1 % duty). */
  airtimeMsPerHour?: number;
  /** Estimated time on air for a payload of n bytes on the receiving mesh's preset. */
  airtimeOf?: (bytes: number) => number;
}

export class SendLimiter {
  private tokens: number;
  private readonly capacity: number;
  private last: number;
  private readonly spent: { at: number; ms: number }[] = [];

  constructor(private readonly limits: SendLimits, private readonly now: () => number = Date.now) {
    if (!(limits.messagesPerMinute > 0)) throw new RangeError('messagesPerMinute must be > 0');
    this.capacity = limits.burst ?? limits.messagesPerMinute;
    if (!(this.capacity >= 1)) throw new RangeError('burst must be >= 1');
    this.tokens = this.capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 60_000) * this.limits.messagesPerMinute);
    this.last = t;
  }

  private airtimeUsed(): number {
    const horizon = this.now() - 3_600_000;
    while (this.spent.length && this.spent[0]!.at < horizon) this.spent.shift();
    return this.spent.reduce((a, s) => a + s.ms, 0);
  }

  /** Milliseconds until a message of `bytes` may go (0 = now). */
  waitFor(bytes: number): number {
    this.refill();
    let wait = this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.limits.messagesPerMinute) * 60_000;
    const { airtimeMsPerHour, airtimeOf } = this.limits;
    if (airtimeMsPerHour !== undefined && airtimeOf) {
      const cost = airtimeOf(bytes);
      let used = this.airtimeUsed();
      if (used + cost > airtimeMsPerHour) {
        // Wait until enough old transmissions leave the rolling hour.
        for (const s of this.spent) {
          used -= s.ms;
          if (used + cost <= airtimeMsPerHour) {
            wait = Math.max(wait, s.at + 3_600_000 - this.now());
            break;
          }
        }
      }
    }
    return Math.max(0, Math.ceil(wait));
  }

  /** Records a message that went out now. */
  take(bytes: number): void {
    this.refill();
    this.tokens -= 1;
    const { airtimeOf } = this.limits;
    if (airtimeOf) this.spent.push({ at: this.now(), ms: airtimeOf(bytes) });
  }
}
