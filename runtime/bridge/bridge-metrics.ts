/**
 * Bridge metrics: `lattice_bridge_messages_total{direction}` (parts handed to the receiving radio),
 * `lattice_bridge_drops_total{direction,reason}` (loop, limit (shed from a full queue), unknown-name,
 * ambiguous-name, no-key, too-long, empty, wrong-mesh, unreadable, duplicate (another bridge on the same meshes
 * sent the same words first)) and `lattice_bridge_queue_depth{direction}`.
 * The same counts are kept in memory for `lattice status` whether or not metrics are on.
 */
import type { Metrics } from '../metrics/metrics.js';
import type { QueueName } from './bridge-queue.js';

export interface BridgeCounts {
  bridged: Record<QueueName, number>;
  dropped: Record<string, number>;
}

export class BridgeMetrics {
  readonly counts: BridgeCounts = { bridged: { 'mt-to-mc': 0, 'mc-to-mt': 0 }, dropped: {} };
  private readonly messages?: ReturnType<Metrics['counter']>;
  private readonly drops?: ReturnType<Metrics['counter']>;

  constructor(metrics: Metrics | undefined, depth: (q: QueueName) => number) {
    if (!metrics) return;
    this.messages = metrics.counter({ name: 'lattice_bridge_messages_total', help: 'Bridged message parts handed to the receiving radio', labelNames: ['direction'] });
    this.drops = metrics.counter({ name: 'lattice_bridge_drops_total', help: 'Messages the bridge did not bridge, by reason', labelNames: ['direction', 'reason'] });
    metrics.gauge({
      name: 'lattice_bridge_queue_depth',
      help: 'Entries waiting in the bridge queue of each direction',
      labelNames: ['direction'],
      collect() {
        for (const q of ['mt-to-mc', 'mc-to-mt'] as const) this.set({ direction: q }, depth(q));
      },
    });
  }

  bridged(direction: QueueName): void {
    this.counts.bridged[direction]++;
    this.messages?.inc({ direction });
  }

  drop(direction: QueueName, reason: string, n = 1): void {
    this.counts.dropped[reason] = (this.counts.dropped[reason] ?? 0) + n;
    this.drops?.inc({ direction, reason }, n);
  }
}
