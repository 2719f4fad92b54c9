/**
 * Turns a configured MeshCore device (`--meshcore DEVICE`) into a link opener: `host:port` (a WiFi/Ethernet
 * companion, port 5000 by default in the firmware) → TCP; `ble:ADDRESS` / `ble://NAME` (`?pin=…&adapter=…`) →
 * Bluetooth LE (Nordic UART service) through BlueZ; anything else is a serial path (USB, 115200 8N1). The parsing and
 * opening are shared with Meshtastic (runtime/links/device-opener.ts); this file names MeshCore's port and error.
 */
import type { LinkOpener } from '../../../firmware-protocol/framing/byte-link.js';
import type { BleOpenerOptions } from '../../links/ble-opener.js';
import { companionOpener, parseCompanionDevice, type CompanionDevice } from '../../links/device-opener.js';
import { MeshCoreDeviceSpecError } from './errors.js';

export type MeshCoreDevice = CompanionDevice;

/** MeshCore companion firmware TCP_PORT default (examples/companion_radio/main.cpp). */
export const MESHCORE_TCP_PORT = 5000;

export function parseMeshCoreDevice(device: string): MeshCoreDevice {
  return parseCompanionDevice(device, {
    defaultTcpPort: MESHCORE_TCP_PORT,
    tcpExample: '192.168.1.20:5000',
    error: (d, detail) => new MeshCoreDeviceSpecError(d, detail),
  });
}

/** A LinkOpener for the device; serial, TCP and BLE modules load only when used. */
export function meshCoreOpener(device: string | MeshCoreDevice, options: { ble?: BleOpenerOptions } = {}): LinkOpener {
  return companionOpener(typeof device === 'string' ? parseMeshCoreDevice(device) : device, 'meshcore', options);
}
