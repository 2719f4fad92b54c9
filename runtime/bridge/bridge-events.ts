/**
 * Typed events of the bridge, for the one-line logs of the simulated default, benchmarks and tests (EventBus:
 * listener errors are isolated, a bad listener never stops a drain).
 */
import { EventBus } from '../events/event-bus.js';
import type { QueueName } from './bridge-queue.js';

export interface BridgeEventMap {
  /** A foreign bundle was taken and its parts queued for the other mesh (or a reply queued for the sender). */
  queued: { sourceId: string; direction: QueueName; from: string; fromName?: string; targets: string[]; parts: number; shed: number };
  /** One part went to the receiving radio as a new relay-signed bundle. */
  bridged: { sourceId: string; direction: QueueName; target: string; text: string; bundleId: string; part: number; parts: number };
  /** A foreign bundle (or a queued part, reason `limit`) was not bridged. */
  dropped: { sourceId: string; direction: QueueName; reason: string; detail?: string };
}

export class BridgeEvents extends EventBus<BridgeEventMap> {}
