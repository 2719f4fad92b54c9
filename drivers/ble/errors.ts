/**
 * One error class per failure mode of the BlueZ facade; tests assert on `name`. Messages say what to do, because
 * BLE failures on a relay board are almost always setup problems (no bluetoothd, adapter off, a radio bonded with a
 * different PIN) rather than bugs.
 */

/** BlueZ (bluetoothd, `org.bluez`) is not on the system bus, or the bus itself cannot be reached. */
export class BleUnavailableError extends Error {
  override readonly name = 'BleUnavailableError';
  constructor(readonly busAddress: string, options?: { cause?: unknown }) {
    const why = options?.cause instanceof Error ? ` (${options.cause.message})` : '';
    super(
      `BlueZ is not reachable on the system D-Bus at ${busAddress}${why}: is bluetoothd running? ` +
        'Under balena add the label io.balena.features.dbus and set DBUS_SYSTEM_BUS_ADDRESS=unix:path=/host/run/dbus/system_bus_socket',
      options,
    );
  }
}

export class BleAdapterNotFoundError extends Error {
  override readonly name = 'BleAdapterNotFoundError';
  constructor(readonly adapter: string, readonly available: string[]) {
    super(`no Bluetooth adapter ${adapter} (BlueZ has: ${available.length ? available.join(', ') : 'none'}); is the controller enabled (dtoverlay, rfkill) and attached to bluetoothd?`);
  }
}

export class BleAdapterPoweredOffError extends Error {
  override readonly name = 'BleAdapterPoweredOffError';
  constructor(readonly adapter: string) {
    super(`Bluetooth adapter ${adapter} is powered off (try \`bluetoothctl power on\` or \`rfkill unblock bluetooth\`)`);
  }
}

/** BlueZ refused because another operation is running (org.bluez.Error.InProgress / Busy). */
export class BleBusyError extends Error {
  override readonly name = 'BleBusyError';
  constructor(readonly operation: string, readonly target: string, options?: { cause?: unknown }) {
    super(`${operation} on ${target}: BlueZ is busy with another operation (another app scanning or connecting?)`, options);
  }
}

export class BleDeviceNotFoundError extends Error {
  override readonly name = 'BleDeviceNotFoundError';
  constructor(readonly target: string, readonly waitedMs: number) {
    super(`no BLE device ${target} seen within ${waitedMs} ms of scanning (in range, powered, advertising, and not connected to a phone?)`);
  }
}

export class BleConnectError extends Error {
  override readonly name = 'BleConnectError';
  constructor(readonly address: string, readonly bluezError: string | undefined, options?: { cause?: unknown }) {
    const why = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`cannot connect to ${address}${why}`, options);
  }
}

/** Pairing failed: wrong PIN, the radio rejected or cancelled, or no passkey was exchanged in time. */
export class BlePairingRefusedError extends Error {
  override readonly name = 'BlePairingRefusedError';
  constructor(readonly address: string, readonly reason: string, options?: { cause?: unknown }) {
    super(
      `pairing with ${address} was refused (${reason}): check the PIN (the radio shows it on its screen or in its app ` +
        'settings; MeshCore and Meshtastic FIXED_PIN default to 123456) and pass it as ?pin=NNNNNN; if the radio was ' +
        'bonded to this host before with another PIN, remove the old bond with `bluetoothctl remove ' + address + '`',
      options,
    );
  }
}

export class BleGattMissingError extends Error {
  override readonly name = 'BleGattMissingError';
  constructor(readonly address: string, readonly what: 'service' | 'characteristic', readonly uuid: string) {
    super(`${address} has no GATT ${what} ${uuid} (is this the right kind of radio, with its firmware's BLE enabled?)`);
  }
}

/** A read, write or notify subscription failed; `bluezError` is the D-Bus error name when BlueZ gave one. */
export class BleOperationError extends Error {
  override readonly name = 'BleOperationError';
  constructor(readonly operation: string, readonly target: string, readonly bluezError: string | undefined, options?: { cause?: unknown }) {
    const why = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`${operation} on ${target} failed${why}`, options);
  }
}

/** The link to the device went away (out of range, radio reset, adapter powered off). */
export class BleDisconnectedError extends Error {
  override readonly name = 'BleDisconnectedError';
  constructor(readonly address: string, readonly why: string = 'link lost') {
    super(`BLE link to ${address} closed: ${why}`);
  }
}

export class BleTimeoutError extends Error {
  override readonly name = 'BleTimeoutError';
  constructor(readonly waitedFor: string, readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms waiting for ${waitedFor}`);
  }
}
