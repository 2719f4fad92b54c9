/**
 * One direction's drain: hands the queued parts in order to the router as new bundles signed by this relay, with the
 * entry's fixed `sentAt` (a re-send after a crash yields the same bundle id, and the vault's put-if-absent turns the
 * copy into a duplicate). Before each part it waits for the receiving radio (canReach), for another bridge's
 * hold-off (peer-holdoff.ts), for the direction's limits (messages per minute, airtime per hour), and after it for the
 * router to report the part handed to the radio, so parts leave in order.
 *
 * Time: the paces the bridge sets itself (rate limit, airtime budget, hold-off) run on the bridge's Clock, so a test
 * can let them pass without waiting; waits for something to happen (an entry, the radio, the router) are woken by
 * that event and fall back to a real timer.
 */
import type { Clock } from '../../lib/clock/clock.js';
import { systemClock } from '../../lib/clock/clock.js';
import type { RadioGateway } from '../bearer/radio-gateway.js';
import type { Logger } from '../log/logger.js';
import type { SendRequest } from '../node/relay-node.js';
import type { Vault } from '../vault/vault.js';
import type { MeshNet } from './attribution.js';
import type { BridgeEvents } from './bridge-events.js';
import type { BridgeMetrics } from './bridge-metrics.js';
import type { BridgeQueue, QueueEntry, QueueName } from './bridge-queue.js';
import type { DeliveryWaits } from './delivery-waits.js';
import type { PeerHoldoff } from './peer-holdoff.js';
import type { SendLimiter } from './send-limiter.js';

/** How long an idle drain sleeps before it looks at its queue again (new entries wake it at once). */
const IDLE_MS = 60_000;

export interface DrainInit {
  queueName: QueueName;
  /** The mesh this drain sends to. */
  net: MeshNet;
  queue: BridgeQueue;
  radio: RadioGateway;
  limiter: SendLimiter;
  holdoff: PeerHoldoff;
  deliveries: DeliveryWaits;
  send(request: SendRequest & { sentAt: number }): Promise<{ bundleId: string }>;
  vault: Pick<Vault, 'trace'>;
  counters: BridgeMetrics;
  events: BridgeEvents;
  clock: Clock;
  log: Logger;
  /** How often a drain re-checks a radio that cannot take its head entry. */
  pollMs: number;
  /** A bundle the bridge made (so it is never taken as foreign text). */
  made(bundleId: string): void;
}

export class BridgeDrain {
  private waker?: AbortController;
  /** Set by wake(): something changed since the loop last looked, so the next wait returns at once. */
  private woken = false;

  constructor(private readonly init: DrainInit) {}

  /** New entries, a radio (re)connected, another bridge's copy heard: look again now. */
  wake(): void {
    this.woken = true;
    this.waker?.abort();
  }

  async run(signal: AbortSignal): Promise<void> {
    const { queue, queueName: q, radio, holdoff, limiter, net, pollMs } = this.init;
    while (!signal.aborted) {
      this.woken = false;
      let head: QueueEntry | undefined;
      try {
        head = queue.head(q);
      } catch {
        return;
      }
      if (!head) {
        await this.wait(IDLE_MS, signal, systemClock);
        continue;
      }
      if (!radio.canReach(head.target)) {
        await this.wait(pollMs, signal, systemClock);
        continue;
      }
      if (head.kind === 'broadcast' && holdoff.active(net)) {
        if (holdoff.sentFirst(net, head.text)) {
          await this.skipDuplicate(head);
          continue;
        }
        const hold = holdoff.remainingMs(head);
        if (hold > 0) {
          await this.wait(hold, signal, this.init.clock);
          continue;
        }
      }
      const bytes = Buffer.byteLength(head.text);
      const pace = limiter.waitFor(bytes);
      if (pace > 0) {
        await this.init.clock.sleep(pace, { signal }).catch(() => undefined);
        continue;
      }
      queue.setInFlight(q, head.seq);
      try {
        await this.sendEntry(head, signal);
        limiter.take(bytes);
        await queue.remove(q, head.seq);
      } catch (err) {
        if (signal.aborted) return;
        this.init.log.warn('bridged part not sent; retrying', { direction: q, target: head.target, err: String(err) });
        await this.wait(pollMs, signal, systemClock);
      } finally {
        queue.setInFlight(q, undefined);
      }
    }
  }

  /** Resolves after `ms` on `clock`, on wake(), or at stop. */
  private async wait(ms: number, signal: AbortSignal, clock: Clock): Promise<void> {
    if (this.woken || signal.aborted) return;
    const waker = (this.waker = new AbortController());
    try {
      await clock.sleep(ms, { signal: AbortSignal.any([signal, waker.signal]) });
    } catch {
      // woken or stopping
    } finally {
      if (this.waker === waker) this.waker = undefined;
    }
  }

  private async skipDuplicate(e: QueueEntry): Promise<void> {
    const { queue, queueName: q } = this.init;
    await queue.remove(q, e.seq);
    this.init.counters.drop(q, 'duplicate');
    this.init.events.emit('dropped', { sourceId: e.source, direction: q, reason: 'duplicate', detail: `part ${e.part}/${e.parts} to ${e.target}: another bridge sent it first` });
    this.init.vault.trace(Buffer.from(e.source, 'hex'), { at: this.init.clock.now(), event: 'bridge-dropped', peer: e.target, detail: `duplicate: another bridge sent part ${e.part}/${e.parts} first` });
    this.init.log.info('another bridge sent it first; not sending ours', { direction: q, target: e.target, part: `${e.part}/${e.parts}`, source: e.source });
  }

  private async sendEntry(e: QueueEntry, signal: AbortSignal): Promise<void> {
    const { queueName: q } = this.init;
    const { bundleId } = await this.init.send({ to: e.target, text: e.text, sentAt: e.sentAt });
    this.init.made(bundleId);
    const at = this.init.clock.now();
    this.init.vault.trace(Buffer.from(e.source, 'hex'), { at, event: 'bridged', peer: e.target, detail: `part ${e.part}/${e.parts} as ${bundleId}` });
    this.init.vault.trace(Buffer.from(bundleId, 'hex'), { at, event: 'bridged-from', detail: e.source });
    await this.init.deliveries.wait(bundleId, signal);
    this.init.counters.bridged(q);
    this.init.log.info('bridged', { direction: q, target: e.target, part: `${e.part}/${e.parts}`, text: e.text.length > 80 ? `${[...e.text].slice(0, 79).join('')}…` : e.text, id: bundleId, source: e.source });
    this.init.events.emit('bridged', { sourceId: e.source, direction: q, target: e.target, text: e.text, bundleId, part: e.part, parts: e.parts });
  }
}
