/**
 * Opens a companion radio over BLE as a ByteLink, once per call: the bearers call their LinkOpener again with
 * backoff when a link drops (MeshtasticBearer / MeshCoreGateway), so each call starts from nothing — its own D-Bus
 * connection, a lookup by address or advertised name (scanning when BlueZ does not know the radio yet), connect,
 * pairing with the PIN when the radio is not bonded, GATT, link. Closing the link disconnects and closes the bus.
 */
import { BleCentral } from '../../drivers/ble/ble-central.js';
import type { LinkOpener } from '../../firmware-protocol/framing/byte-link.js';
import type { Metrics } from '../metrics/metrics.js';
import { BleMeshCoreLink } from './ble-meshcore-link.js';
import { BleMeshtasticLink } from './ble-meshtastic-link.js';
import { bleMetrics } from './ble-metrics.js';
import { bleScansPaused } from './ble-scan-gate.js';
import { BleScanPausedError } from './errors.js';
import type { BleDeviceSpec } from './ble-device-spec.js';
import { MESHCORE_BLE, MESHCORE_NAME, MESHTASTIC_BLE, MESHTASTIC_NAME, type BleRadioKind } from './ble-radios.js';

export interface BleOpenerOptions {
  /** D-Bus address of the system bus; default DBUS_SYSTEM_BUS_ADDRESS or the standard socket. */
  busAddress?: string;
  /** How long to scan for a radio BlueZ does not know yet; default 30 s. */
  scanTimeoutMs?: number;
  /** Connect + service resolution bound; default 30 s. */
  connectTimeoutMs?: number;
  callTimeoutMs?: number;
  /** PIN when the spec has none; default 123456. */
  pin?: number;
  metrics?: Metrics;
}

export function bleLinkOpener(kind: BleRadioKind, spec: BleDeviceSpec, options: BleOpenerOptions = {}): LinkOpener {
  const m = options.metrics ? bleMetrics(options.metrics) : undefined;
  const device = spec.address ?? spec.name ?? '?';
  return async (o) => {
    const signal = o?.signal;
    const central = new BleCentral({ adapter: spec.adapter, busAddress: options.busAddress, callTimeoutMs: options.callTimeoutMs });
    try {
      await central.start({ signal });
      const filter = kind === 'meshtastic'
        ? { serviceUuids: [MESHTASTIC_BLE.service], names: [MESHTASTIC_NAME] }
        : { serviceUuids: [MESHCORE_BLE.service], names: [MESHCORE_NAME] };
      const target = spec.address ? { address: spec.address } : { name: spec.name! };
      const ad = await central.find(target, { ...filter, signal, timeoutMs: options.scanTimeoutMs ?? 30_000, ...(bleScansPaused() ? { scan: false } : {}) });
      if (ad.rssi !== undefined) m?.rssi.set({ device }, ad.rssi);
      const conn = await central.connect(ad.address, { signal, pin: spec.pin ?? options.pin, timeoutMs: options.connectTimeoutMs });
      const link = kind === 'meshtastic' ? await BleMeshtasticLink.open(conn, { signal }) : await BleMeshCoreLink.open(conn, { signal });
      m?.connects.inc({ device, result: 'ok' });
      link.onClose((err) => {
        if (err) m?.drops.inc({ device });
        void central.stop();
      });
      return link;
    } catch (caught) {
      // Not found without a scan while scans are paused: say why, so the log points at the battery, not the radio.
      const err = bleScansPaused() && (caught as Error)?.name === 'BleDeviceNotFoundError' ? new BleScanPausedError(device) : caught;
      m?.connects.inc({ device, result: (err as Error)?.name ?? 'Error' });
      await central.stop();
      throw err;
    }
  };
}
