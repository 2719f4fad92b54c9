/**
 * Turns a configured Meshtastic device (`--meshtastic DEVICE`) into a link opener: a path (`/dev/ttyUSB0`,
 * `/dev/serial/by-id/…`) → USB serial at 115200 (firmware DebugConfiguration.h SERIAL_BAUD); `host[:port]` → the
 * TCP API, port 4403 by default (firmware src/mesh/api/ServerAPI.h SERVER_API_DEFAULT_PORT); `ble:ADDRESS` /
 * `ble://NAME` (`?pin=…&adapter=…`) → Bluetooth LE through BlueZ (runtime/links/ble-device-spec.ts).
 */
import type { LinkOpener } from '../../../firmware-protocol/framing/byte-link.js';
import { isBleSpec, parseBleSpec, type BleDeviceSpec } from '../../links/ble-device-spec.js';
import type { BleOpenerOptions } from '../../links/ble-opener.js';
import { MeshtasticDeviceSpecError } from './errors.js';

export type MeshtasticDevice =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'serial'; path: string }
  | { kind: 'ble'; ble: BleDeviceSpec };

export const MESHTASTIC_TCP_PORT = 4403;

export function parseMeshtasticDevice(device: string): MeshtasticDevice {
  const d = device.trim();
  if (d === '') throw new MeshtasticDeviceSpecError(device, 'empty');
  if (isBleSpec(d)) {
    const r = parseBleSpec(d);
    if (!r.ok) throw new MeshtasticDeviceSpecError(device, r.reason);
    return { kind: 'ble', ble: r.spec };
  }
  if (d.startsWith('/') || d.startsWith('.') || /^COM\d+$/i.test(d)) return { kind: 'serial', path: d };
  const m = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:/\s]+)(?::(\d{1,5}))?$/.exec(d);
  if (!m) throw new MeshtasticDeviceSpecError(device, 'expected a serial path (/dev/ttyUSB0) or host:port (meshtastic.local:4403)');
  const port = m[2] === undefined ? MESHTASTIC_TCP_PORT : Number(m[2]);
  if (port < 1 || port > 65535) throw new MeshtasticDeviceSpecError(device, `port ${port} out of range`);
  return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** A LinkOpener for the device; the serial, TCP and BLE modules load only when used. */
export function meshtasticOpener(device: string | MeshtasticDevice, options: { ble?: BleOpenerOptions } = {}): LinkOpener {
  const spec = typeof device === 'string' ? parseMeshtasticDevice(device) : device;
  if (spec.kind === 'ble') {
    let opener: LinkOpener | undefined;
    return async (o) => {
      const { bleLinkOpener } = await import('../../links/ble-opener.js');
      opener ??= bleLinkOpener('meshtastic', spec.ble, options.ble);
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
