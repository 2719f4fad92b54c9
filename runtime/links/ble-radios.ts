/**
 * GATT layout and advertising of the two companion radio families (each with its firmware source):
 * - Meshtastic: service 6ba1b218-…, ToRadio (write, one ToRadio protobuf per write), FromRadio (read, one FromRadio
 *   per read, empty when drained), FromNum (notify + read, u32 LE counter bumped when FromRadio data is queued)
 *   — firmware src/BluetoothCommon.h, src/nimble/NimbleBluetooth.cpp. Advertised name `Meshtastic_<last 4 hex>`
 *   by default (firmware getDeviceName) but users rename radios.
 * - MeshCore: Nordic UART service, RX 6e400002 (app → radio, one frame per write), TX 6e400003 (notify, one frame
 *   per notification), no '<'/'>' header over BLE; advertised name `MeshCore-<node name>` (BLE_NAME_PREFIX)
 *   — firmware src/helpers/esp32/SerialBLEInterface.cpp, src/helpers/nrf52/SerialBLEInterface.cpp.
 */
import type { BleAdvertisement } from '../../drivers/ble/advertisement.js';

export const MESHTASTIC_BLE = {
  service: '6ba1b218-15a8-461f-9fa8-5dcae273eafd',
  toRadio: 'f75c76d2-129e-4dad-a1dd-7866124401e7',
  fromRadio: '2c55e69e-4993-11ed-b878-0242ac120002',
  fromNum: 'ed9da18c-a800-4f66-a670-aa7547e34453',
} as const;

export const MESHCORE_BLE = {
  service: '6e400001-b5a3-f393-e0a9-e50e24dcca9e',
  rx: '6e400002-b5a3-f393-e0a9-e50e24dcca9e',
  tx: '6e400003-b5a3-f393-e0a9-e50e24dcca9e',
} as const;

export const MESHCORE_NAME = /^MeshCore-/;
export const MESHTASTIC_NAME = /^Meshtastic_[0-9a-f]{4}$/i;

export type BleRadioKind = 'meshtastic' | 'meshcore';

/**
 * Which radio an advertisement belongs to. The Meshtastic service UUID is unique to it; the Nordic UART service is
 * used by many gadgets, so a MeshCore radio is NUS plus its name prefix (or the name alone when the service UUID did
 * not fit the advertisement).
 */
export function classifyRadio(ad: BleAdvertisement): BleRadioKind | undefined {
  if (ad.serviceUuids.includes(MESHTASTIC_BLE.service) || (ad.name !== undefined && MESHTASTIC_NAME.test(ad.name))) return 'meshtastic';
  if (ad.name !== undefined && MESHCORE_NAME.test(ad.name)) return 'meshcore';
  return undefined;
}

export const RADIO_SCAN_FILTER = {
  serviceUuids: [MESHTASTIC_BLE.service, MESHCORE_BLE.service],
  names: [MESHCORE_NAME, MESHTASTIC_NAME],
};
