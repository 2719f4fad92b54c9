/**
 * The one parser and opener for a companion radio's device string, shared by the Meshtastic and MeshCore bearers
 * (runtime/bearers/{meshtastic,meshcore}/device-opener.ts name the family's default port and error): a path
 * (`/dev/ttyUSB0`, `./pty`, `COM3`) → USB serial at 115200 8N1; `host[:port]` (or `tcp://…`, `[v6]:port`) → TCP;
 * `ble:ADDRESS` / `ble://NAME` (`?pin=…&adapter=…`) → Bluetooth LE through BlueZ (ble-device-spec.ts).
 */
import type { LinkOpener } from '../../firmware-protocol/framing/byte-link.js';
import { isBleSpec, parseBleSpec, type BleDeviceSpec } from './ble-device-spec.js';
import type { BleOpenerOptions } from './ble-opener.js';
import type { BleRadioKind } from './ble-radios.js';

export type CompanionDevice =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'serial'; path: string }
  | { kind: 'ble'; ble: BleDeviceSpec };

/** What differs between the radio families: the firmware's TCP port, the example in the message, the error. */
export interface CompanionDeviceRules {
  defaultTcpPort: number;
  /** A host:port shown when the string is none of the forms, e.g. `meshtastic.local:4403`. */
  tcpExample: string;
  /** The family's typed error (its own `name`), thrown for every string that cannot be used. */
  error: (device: string, detail: string) => Error;
}

export function parseCompanionDevice(device: string, rules: CompanionDeviceRules): CompanionDevice {
  const d = device.trim();
  if (d === '') throw rules.error(device, 'empty');
  if (isBleSpec(d)) {
    const r = parseBleSpec(d);
    if (!r.ok) throw rules.error(device, r.reason);
    return { kind: 'ble', ble: r.spec };
  }
  if (d.startsWith('/') || d.startsWith('.') || /^COM\d+$/i.test(d)) return { kind: 'serial', path: d };
  const m = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:/\s]+)(?::(\d{1,5}))?$/.exec(d);
  if (!m) throw rules.error(device, `expected a serial path (/dev/ttyUSB0) or host:port (${rules.tcpExample})`);
  const port = m[2] === undefined ? rules.defaultTcpPort : Number(m[2]);
  if (port < 1 || port > 65535) throw rules.error(device, `port ${port} out of range`);
  return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** A LinkOpener for the device; the serial, TCP and BLE modules load only when used. */
export function companionOpener(spec: CompanionDevice, bleKind: BleRadioKind, options: { ble?: BleOpenerOptions } = {}): LinkOpener {
  if (spec.kind === 'ble') {
    let opener: LinkOpener | undefined;
    return async (o) => {
      const { bleLinkOpener } = await import('./ble-opener.js');
      opener ??= bleLinkOpener(bleKind, spec.ble, options.ble);
      return opener(o);
    };
  }
  if (spec.kind === 'tcp') {
    return async (o) => {
      const { TcpLink } = await import('./tcp-link.js');
      return TcpLink.open({ host: spec.host, port: spec.port, signal: o?.signal });
    };
  }
  return async (o) => {
    const { openSerialLink } = await import('../../drivers/serial/serial-link.js');
    return openSerialLink({ path: spec.path, baudRate: 115200, signal: o?.signal });
  };
}
