/** What a scan reports about one nearby device (BlueZ Device1 properties, doc/org.bluez.Device.rst). */
export interface BleAdvertisement {
  address: string;
  /** Advertised name (`Name`), else BlueZ's alias. */
  name?: string;
  /** dBm; absent when BlueZ has the device cached but did not hear it in this discovery. */
  rssi?: number;
  /** Advertised service UUIDs, lowercase 128-bit. */
  serviceUuids: string[];
  paired: boolean;
  connected: boolean;
}

export interface ScanFilter {
  /** Keep devices advertising any of these service UUIDs (lowercase 128-bit). */
  serviceUuids?: string[];
  /** Keep devices whose name matches any of these. */
  names?: RegExp[];
}

/** A filter with both lists keeps a device that matches either (radios differ in what they advertise). */
export function matchesFilter(ad: BleAdvertisement, filter: ScanFilter): boolean {
  const uuids = filter.serviceUuids ?? [];
  const names = filter.names ?? [];
  if (uuids.length === 0 && names.length === 0) return true;
  if (uuids.some((u) => ad.serviceUuids.includes(u.toLowerCase()))) return true;
  return ad.name !== undefined && names.some((re) => re.test(ad.name!));
}

const MAC = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/i;

export function isBleAddress(s: string): boolean {
  return MAC.test(s);
}

/** Reads a Device1 property dictionary (values are dbus-next Variants). */
export function advertisementFrom(props: Record<string, { value: unknown }>): BleAdvertisement | undefined {
  const address = props.Address?.value;
  if (typeof address !== 'string') return undefined;
  const name = (props.Name?.value ?? props.Alias?.value) as string | undefined;
  const rssi = props.RSSI?.value;
  const uuids = props.UUIDs?.value;
  return {
    address: address.toUpperCase(),
    name: typeof name === 'string' && name !== '' ? name : undefined,
    rssi: typeof rssi === 'number' ? rssi : undefined,
    serviceUuids: Array.isArray(uuids) ? uuids.map((u) => String(u).toLowerCase()) : [],
    paired: props.Paired?.value === true,
    connected: props.Connected?.value === true,
  };
}
