/**
 * The sender side of the LoRa link ACK (lora-bearer.ts says when one is asked for): how long to wait for it, how
 * long to keep our own queue quiet meanwhile, and the waits themselves.
 *
 * The ACK comes after the addressee decoded the last frame, made the payload durable (its router settled it: the
 * vault's flush, in wall time whatever the radio's time scale) and put 10 bytes on the air; it may first have to
 * finish a frame of its own (ACKs jump its queue but do not interrupt a transmission). A half-duplex radio
 * transmitting the next payload would not hear it, so the queue stays quiet for the ACK's share of the timeout; an
 * ACK arriving while we transmit is lost and costs a whole retransmission.
 */
import type { LoraModulation } from '../../../drivers/sx126x/lora-radio.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import type { Clock } from '../../../lib/clock/clock.js';
import { linkHeaderLength } from './link-frame.js';

/** Wall time an addressee may take to make a payload durable before its ACK (linkAck.storeMs). */
export const DEFAULT_STORE_MS = 400;

export interface AckTiming {
  /** Retransmissions after the first attempt. */
  retries: number;
  /** Longest wait for the ACK after the last frame went out. */
  timeoutMs: number;
  /** Of which the queue stays quiet (never above the timeout). */
  holdMs: number;
}

export type LinkAckOption = boolean | { retries?: number; timeoutMs?: number; storeMs?: number } | undefined;

/** The timing of link ACKs for this link, or undefined when unicast sends wait for none (`linkAck: false`). */
export function ackTiming(option: LinkAckOption, m: LoraModulation, maxFrame: number, timeScale = 1): AckTiming | undefined {
  const o = option ?? true;
  if (o === false) return undefined;
  const custom = typeof o === 'object' ? o : {};
  // The addressee ACKs only once the payload is durable in its vault: that time is wall time, not chip time.
  const storeMs = custom.storeMs ?? DEFAULT_STORE_MS;
  const ackMs = timeOnAirMs(m, linkHeaderLength(true, false) + 1);
  // Two full frames plus the ACK plus processing slack, in wall time.
  const timeoutMs = custom.timeoutMs ?? (2 * timeOnAirMs(m, maxFrame) + ackMs) * timeScale + 250 + storeMs;
  const holdMs = Math.min(timeoutMs, ackMs * timeScale + 100 + storeMs);
  return { retries: custom.retries ?? 2, timeoutMs, holdMs };
}

/** One payload's wait for its ACK. */
export interface AckWait {
  /** True once the ACK is in; waits at most `ms` (abortable). */
  within(ms: number, signal: AbortSignal): Promise<boolean>;
  /** Stops listening for it. */
  done(): void;
}

/** ACKs awaited, by `<addressee prefix hex>:<message>`. */
export class AckWaiters {
  private readonly waiting = new Map<string, () => void>();

  constructor(private readonly clock: Clock) {}

  /** Registers interest in the ACK for `key` before the payload goes out (an ACK can come back very fast). */
  expect(key: string): AckWait {
    let got = false;
    let wake: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.waiting.set(key, () => {
      got = true;
      wake();
    });
    return {
      done: () => {
        this.waiting.delete(key);
      },
      within: async (ms, signal) => {
        if (got) return true;
        const timeout = new AbortController();
        try {
          await Promise.race([arrived, this.clock.sleep(ms, { signal: AbortSignal.any([signal, timeout.signal]) })]);
        } catch (err) {
          if (signal.aborted) throw signal.reason;
          throw err;
        } finally {
          timeout.abort();
        }
        return got;
      },
    };
  }

  /** An ACK for `key` arrived. */
  arrived(key: string): void {
    this.waiting.get(key)?.();
  }

  /** Sends still waiting reject through their aborted signal; they never count as acknowledged. */
  clear(): void {
    this.waiting.clear();
  }
}
