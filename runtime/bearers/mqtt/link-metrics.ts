/**
 * Counters of the broker links of the MQTT gateways (broker-link.ts), in memory always (status, tests) and in
 * Prometheus when the daemon's Metrics is given:
 *   lattice_mqtt_dropped_total{reason}            queue-full (the oldest message of a full queue), oversize,
 *                                                 and what a gateway refuses to uplink or downlink (its reasons)
 *   lattice_mqtt_published_total{broker}          messages the broker took (PUBACK, or written at QoS 0)
 *   lattice_mqtt_downlinked_total{broker}         broker messages a gateway handed to its radio
 *   lattice_mqtt_queued{broker}                   messages waiting for the broker now
 *   lattice_mqtt_broker_connected{broker}         1 while connected
 * The drop counter has only `reason`, as issue 17 names it; which broker dropped is in each bearer's status.
 */
import type { Counter, Gauge, Metrics } from '../../metrics/metrics.js';

export class LinkMetrics {
  readonly counters: Record<string, number> = {};
  private readonly prom?: { dropped: Counter<'reason'>; published: Counter<'broker'>; downlinked: Counter<'broker'>; queued: Gauge<'broker'>; connected: Gauge<'broker'> };

  constructor(private readonly broker: string, metrics?: Metrics) {
    if (!metrics) return;
    this.prom = {
      dropped: metrics.counter({ name: 'lattice_mqtt_dropped_total', help: 'Messages an MQTT gateway dropped or refused, by reason', labelNames: ['reason'] }),
      published: metrics.counter({ name: 'lattice_mqtt_published_total', help: 'Messages an MQTT gateway published', labelNames: ['broker'] }),
      downlinked: metrics.counter({ name: 'lattice_mqtt_downlinked_total', help: 'Broker messages an MQTT gateway handed to its radio', labelNames: ['broker'] }),
      queued: metrics.gauge({ name: 'lattice_mqtt_queued', help: 'Messages waiting for an MQTT broker', labelNames: ['broker'] }),
      connected: metrics.gauge({ name: 'lattice_mqtt_broker_connected', help: '1 while an MQTT gateway is connected to its broker', labelNames: ['broker'] }),
    };
  }

  private bump(key: string): void {
    this.counters[key] = (this.counters[key] ?? 0) + 1;
  }

  dropped(reason: string): void {
    this.bump(`dropped.${reason}`);
    this.prom?.dropped.inc({ reason });
  }

  published(): void {
    this.bump('published');
    this.prom?.published.inc({ broker: this.broker });
  }

  downlinked(): void {
    this.bump('downlinked');
    this.prom?.downlinked.inc({ broker: this.broker });
  }

  connects(): void {
    this.bump('connects');
  }

  queued(n: number): void {
    this.prom?.queued.set({ broker: this.broker }, n);
  }

  connected(up: boolean): void {
    this.prom?.connected.set({ broker: this.broker }, up ? 1 : 0);
  }

  get(key: string): number {
    return this.counters[key] ?? 0;
  }
}
