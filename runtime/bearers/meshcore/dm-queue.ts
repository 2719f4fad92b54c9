/**
 * The DMs in flight: at most EXPECTED_ACK_TABLE_SIZE (the firmware forgets older expected ACKs), each retried by
 * runDmRetries until confirmed or expired. Routes SEND_CONFIRMED to the DM whose attempt it acknowledges and wakes
 * backed-off DMs when their contact is heard again.
 */
import type { MeshCoreSession } from '../../../firmware-protocol/meshcore/client-session.js';
import type { SendConfirmed, SentInfo } from '../../../firmware-protocol/meshcore/device-frames.js';
import { toHex } from '../../../firmware-protocol/meshcore/bytes.js';
import { runDmRetries, type DmJob, type DmRetryPolicy } from './dm-retry.js';
import type { MeshCoreMetrics } from './meshcore-metrics.js';

export interface DmQueueHost {
  bearer: string;
  now(): number;
  session(signal: AbortSignal): Promise<MeshCoreSession>;
  metrics?: MeshCoreMetrics;
  log: { info(message: string, fields?: Record<string, unknown>): void };
  /** A slot became free. */
  onSlotFree(): void;
}

export class DmQueue {
  private readonly jobs = new Set<DmJob>();
  confirmations = 0;
  retries = 0;
  expired = 0;
  lastRttMs?: number;

  constructor(private readonly host: DmQueueHost, private readonly policy: DmRetryPolicy, readonly maxInFlight: number) {}

  get size(): number {
    return this.jobs.size;
  }

  hasRoom(): boolean {
    return this.jobs.size < this.maxInFlight;
  }

  /** Takes a DM the radio answered SENT for and retries it in the background until confirmed or expired. */
  track(job: DmJob, first: SentInfo, signal: AbortSignal): void {
    job.acks.add(first.expectedAck);
    this.jobs.add(job);
    this.gauge();
    const h = this.host;
    runDmRetries(job, first, {
      now: h.now,
      session: h.session,
      onRetry: () => {
        this.retries++;
        h.metrics?.dmRetries.inc({ bearer: h.bearer });
      },
      onConfirmed: (_j, c) => {
        this.confirmations++;
        this.lastRttMs = c.roundTripMs;
        h.metrics?.dmConfirmed.inc({ bearer: h.bearer });
        h.metrics?.ackRtt.observe({ bearer: h.bearer }, c.roundTripMs / 1000);
      },
      onExpired: (j) => {
        this.expired++;
        h.metrics?.dmExpired.inc({ bearer: h.bearer });
        h.log.info('DM expired unconfirmed', { peer: j.peer, attempts: j.attempt + 1 });
      },
    }, this.policy, signal)
      .catch(() => undefined)
      .finally(() => {
        this.jobs.delete(job);
        this.gauge();
        h.onSlotFree();
      });
  }

  /** PUSH_CODE_SEND_CONFIRMED: any attempt's ACK code confirms its DM. */
  confirm(c: SendConfirmed): void {
    for (const job of this.jobs) {
      if (!job.acks.has(c.ackCode)) continue;
      job.confirmation = c;
      job.onConfirm?.(c);
      return;
    }
  }

  /** The contact was heard (advert, new path): retry its backed-off DMs now. */
  wake(publicKey: Uint8Array): void {
    const hex = toHex(publicKey);
    for (const job of this.jobs) {
      if (toHex(job.key) === hex && this.host.now() - job.lastSendAt >= this.policy.minAckWaitMs) job.wake?.();
    }
  }

  clear(): void {
    this.jobs.clear();
    this.gauge();
  }

  private gauge(): void {
    this.host.metrics?.queueDepth.set({ bearer: this.host.bearer }, this.jobs.size);
  }
}
