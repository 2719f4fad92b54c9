/**
 * Turns a configured MeshCore device (`--meshcore DEVICE`) into a link opener: `host:port` (a WiFi/Ethernet
 * companion, port 5000 by default in the firmware) → TCP; `ble:ADDRESS` / `ble://NAME` (`?pin=…&adapter=…`) →
 * Bluetooth LE (Nordic UART service) through BlueZ; anything else is a serial path (USB, 115200 8N1).
 */
import type { LinkOpener } from '../../../firmware-protocol/framing/byte-link.js';
import { isBleSpec, parseBleSpec, type BleDeviceSpec } from '../../links/ble-device-spec.js';
import type { BleOpenerOptions } from '../../links/ble-opener.js';
import { MeshCoreDeviceSpecError } from './errors.js';

export type MeshCoreDevice =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'serial'; path: string }
  | { kind: 'ble'; ble: BleDeviceSpec };

/** MeshCore companion firmware TCP_PORT default (examples/companion_radio/main.cpp). */
export const MESHCORE_TCP_PORT = 5000;

export function parseMeshCoreDevice(device: string): MeshCoreDevice {
  const d = device.trim();
  if (d === '') throw new MeshCoreDeviceSpecError(device, 'empty');
  if (isBleSpec(d)) {
    const r = parseBleSpec(d);
    if (!r.ok) throw new MeshCoreDeviceSpecError(device, r.reason);
    return { kind: 'ble', ble: r.spec };
  }
  if (d.startsWith('/') || d.startsWith('.') || /^COM\d+$/i.test(d)) return { kind: 'serial', path: d };
  const m = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:/\s]+)(?::(\d{1,5}))?$/.exec(d);
  if (!m) throw new MeshCoreDeviceSpecError(device, 'expected a serial path (/dev/ttyUSB0) or host:port (192.168.1.20:5000)');
  const port = m[2] === undefined ? MESHCORE_TCP_PORT : Number(m[2]);
  if (port < 1 || port > 65535) throw new MeshCoreDeviceSpecError(device, `port ${port} out of range`);
  return { kind: 'tcp', host: m[1].replace(/^\[|\]$/g, ''), port };
}

/** A LinkOpener for the device; serial, TCP and BLE modules load only when used. */
export function meshCoreOpener(device: string | MeshCoreDevice, options: { ble?: BleOpenerOptions } = {}): LinkOpener {
  const spec = typeof device === 'string' ? parseMeshCoreDevice(device) : device;
  if (spec.kind === 'ble') {
    let opener: LinkOpener | undefined;
    return async (o) => {
      const { bleLinkOpener } = await import('../../links/ble-opener.js');
      opener ??= bleLinkOpener('meshcore', spec.ble, options.ble);
      return opener(o);
    };
  }
  if (spec.kind === 'tcp') {
    return async (options) => {
      const { TcpLink } = await import('../../links/tcp-link.js');
      return TcpLink.open({ host: spec.host, port: spec.port, signal: options?.signal });
    };
  }
  return async (options) => {
    const { openSerialLink } = await import('../../../drivers/serial/serial-link.js');
    return openSerialLink({ path: spec.path, baudRate: 115200, signal: options?.signal });
  };
}
