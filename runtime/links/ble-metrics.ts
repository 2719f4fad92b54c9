/** Metrics of BLE radio links (created once per daemon Metrics, labelled by device). */
import type { Counter, Gauge, Metrics } from '../metrics/metrics.js';

export interface BleMetrics {
  connects: Counter<'device' | 'result'>;
  drops: Counter<'device'>;
  rssi: Gauge<'device'>;
}

export function bleMetrics(metrics: Metrics): BleMetrics {
  return {
    connects: metrics.counter({
      name: 'lattice_ble_connects_total',
      help: 'BLE connection attempts to companion radios, by result (ok or the error name)',
      labelNames: ['device', 'result'],
    }),
    drops: metrics.counter({ name: 'lattice_ble_drops_total', help: 'BLE links to companion radios that dropped (not closed by us)', labelNames: ['device'] }),
    rssi: metrics.gauge({ name: 'lattice_ble_rssi_dbm', help: 'RSSI of the radio when last heard advertising (BlueZ reports it while scanning)', labelNames: ['device'] }),
  };
}
