/**
 * Counters of the MQTT bearer, in memory always (status().detail.counters, tests) and in Prometheus when the
 * daemon's Metrics is given:
 *   lattice_mqtt_frames_in_total, lattice_mqtt_frames_out_total
 *   lattice_mqtt_rejected_total{reason}   malformed | bad-signature | wrong-recipient | topic-mismatch | replayed | oversize
 *   lattice_mqtt_connects_total           successful (re)connections to the broker
 *   lattice_mqtt_connected                1 while connected to the broker
 *   lattice_mqtt_peers                    relays whose presence says online
 */
import type { Counter, Gauge, Metrics } from '../../metrics/metrics.js';

export class MqttMetrics {
  readonly counters: Record<string, number> = {};
  private readonly prom?: {
    framesIn: Counter;
    framesOut: Counter;
    rejected: Counter<'reason'>;
    connects: Counter;
    connected: Gauge;
    peers: Gauge;
  };

  constructor(metrics?: Metrics) {
    if (!metrics) return;
    this.prom = {
      framesIn: metrics.counter({ name: 'lattice_mqtt_frames_in_total', help: 'Lattice frames received through the MQTT broker' }),
      framesOut: metrics.counter({ name: 'lattice_mqtt_frames_out_total', help: 'Lattice frames the MQTT broker accepted (PUBACK)' }),
      rejected: metrics.counter({
        name: 'lattice_mqtt_rejected_total',
        help: 'MQTT messages on Lattice topics ignored (malformed, forged, misaddressed, replayed)',
        labelNames: ['reason'],
      }),
      connects: metrics.counter({ name: 'lattice_mqtt_connects_total', help: 'Successful connections to the MQTT broker' }),
      connected: metrics.gauge({ name: 'lattice_mqtt_connected', help: '1 while connected to the MQTT broker' }),
      peers: metrics.gauge({ name: 'lattice_mqtt_peers', help: 'Relays online on the MQTT broker' }),
    };
  }

  private bump(key: string, n = 1): void {
    this.counters[key] = (this.counters[key] ?? 0) + n;
  }

  frameIn(): void {
    this.bump('frames_in');
    this.prom?.framesIn.inc();
  }

  frameOut(): void {
    this.bump('frames_out');
    this.prom?.framesOut.inc();
  }

  rejected(reason: string): void {
    this.bump(`rejected.${reason}`);
    this.prom?.rejected.inc({ reason });
  }

  connect(): void {
    this.bump('connects');
    this.prom?.connects.inc();
  }

  connected(up: boolean): void {
    this.prom?.connected.set(up ? 1 : 0);
  }

  peers(n: number): void {
    this.prom?.peers.set(n);
  }

  get(key: string): number {
    return this.counters[key] ?? 0;
  }
}
