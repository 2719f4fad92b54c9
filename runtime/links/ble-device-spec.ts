/**
 * `ble:` device specs for companion radios: `ble:AA:BB:CC:DD:EE:FF`, `ble://MeshCore-Rooftop`,
 * `ble:Meshtastic_1a2b?pin=654321&adapter=hci1`. A six-octet address names the radio by address, anything else by
 * its advertised name. `pin` is the passkey our agent answers with (default 123456), `adapter` the local
 * controller (default hci0).
 */
import { isBleAddress } from '../../drivers/ble/advertisement.js';

export interface BleDeviceSpec {
  address?: string;
  name?: string;
  pin?: number;
  adapter?: string;
}

export type BleSpecResult = { ok: true; spec: BleDeviceSpec } | { ok: false; reason: string };

const PREFIX = /^ble:(?:\/\/)?/i;

export function isBleSpec(device: string): boolean {
  return PREFIX.test(device.trim());
}

/** Parses a `ble:` spec; call only when isBleSpec() is true. */
export function parseBleSpec(device: string): BleSpecResult {
  const rest = device.trim().replace(PREFIX, '');
  const q = rest.indexOf('?');
  const target = decodeURIComponent((q >= 0 ? rest.slice(0, q) : rest).trim());
  if (target === '') return { ok: false, reason: 'ble: needs an address (ble:AA:BB:CC:DD:EE:FF) or an advertised name (ble:MeshCore-Rooftop)' };
  const spec: BleDeviceSpec = isBleAddress(target) ? { address: target.toUpperCase() } : { name: target };
  if (q >= 0) {
    for (const [key, value] of new URLSearchParams(rest.slice(q + 1))) {
      if (key === 'pin') {
        if (!/^\d{1,6}$/.test(value)) return { ok: false, reason: `pin ${JSON.stringify(value)} is not a number of up to 6 digits` };
        spec.pin = Number(value);
      } else if (key === 'adapter') {
        if (!/^hci\d+$/.test(value)) return { ok: false, reason: `adapter ${JSON.stringify(value)} is not hciN` };
        spec.adapter = value;
      } else {
        return { ok: false, reason: `unknown option ${JSON.stringify(key)} (known: pin, adapter)` };
      }
    }
  }
  return { ok: true, spec };
}
