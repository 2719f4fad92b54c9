/**
 * node-ble's classes, constructed on our own bus connection. node-ble's createBluetooth() always opens
 * dbus-next's systemBus() (no address, no way to share the connection with our pairing agent), so we build its
 * Device on our connection instead; the classes take `(dbus, adapter, device)` (node-ble 1.13 src/Device.js).
 */
import { createRequire } from 'node:module';
import type { MessageBus } from 'dbus-next';
import type NodeBle from 'node-ble';

export type NodeBleDevice = NodeBle.Device;
export type NodeBleGattServer = NodeBle.GattServer;
export type NodeBleCharacteristic = NodeBle.GattCharacteristic;

type DeviceCtor = new (dbus: MessageBus, adapter: string, device: string) => NodeBleDevice;

let DeviceClass: DeviceCtor | undefined;

export function nodeBleDevice(bus: MessageBus, adapter: string, address: string): NodeBleDevice {
  DeviceClass ??= createRequire(import.meta.url)('node-ble/src/Device.js') as DeviceCtor;
  return new DeviceClass(bus, adapter, devicePathSegment(address));
}

/** BlueZ object path segment of a device: `dev_AA_BB_CC_DD_EE_FF` (src/device.c). */
export function devicePathSegment(address: string): string {
  return `dev_${address.toUpperCase().replace(/:/g, '_')}`;
}
