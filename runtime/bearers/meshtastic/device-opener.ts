/**
 * Turns a configured Meshtastic device (`--meshtastic DEVICE`) into a link opener: a path (`/dev/ttyUSB0`,
 * `/dev/serial/by-id/…`) → USB serial at 115200 (firmware DebugConfiguration.h SERIAL_BAUD); `host[:port]` → the
 * TCP API, port 4403 by default (firmware src/mesh/api/ServerAPI.h SERVER_API_DEFAULT_PORT); `ble:ADDRESS` /
 * `ble://NAME` (`?pin=…&adapter=…`) → Bluetooth LE through BlueZ (runtime/links/ble-device-spec.ts). The parsing and
 * opening are shared with MeshCore (runtime/links/device-opener.ts); this file names Meshtastic's port and error.
 */
import type { LinkOpener } from '../../../firmware-protocol/framing/byte-link.js';
import type { BleOpenerOptions } from '../../links/ble-opener.js';
import { companionOpener, parseCompanionDevice, type CompanionDevice } from '../../links/device-opener.js';
import { MeshtasticDeviceSpecError } from './errors.js';

export type MeshtasticDevice = CompanionDevice;

export const MESHTASTIC_TCP_PORT = 4403;

export function parseMeshtasticDevice(device: string): MeshtasticDevice {
  return parseCompanionDevice(device, {
    defaultTcpPort: MESHTASTIC_TCP_PORT,
    tcpExample: 'meshtastic.local:4403',
    error: (d, detail) => new MeshtasticDeviceSpecError(d, detail),
  });
}

/** A LinkOpener for the device; the serial, TCP and BLE modules load only when used. */
export function meshtasticOpener(device: string | MeshtasticDevice, options: { ble?: BleOpenerOptions } = {}): LinkOpener {
  return companionOpener(typeof device === 'string' ? parseMeshtasticDevice(device) : device, 'meshtastic', options);
}
