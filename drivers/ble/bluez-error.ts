/** D-Bus error names BlueZ answers with (bluez doc/org.bluez.*.rst, src/error.c), read off dbus-next errors. */

export function bluezErrorName(err: unknown): string | undefined {
  const type = (err as { type?: unknown })?.type;
  if (typeof type === 'string' && type.startsWith('org.')) return type;
  return undefined;
}

export function isBusy(name: string | undefined): boolean {
  return name === 'org.bluez.Error.InProgress' || name === 'org.bluez.Error.Busy';
}

export function isNotReady(name: string | undefined): boolean {
  return name === 'org.bluez.Error.NotReady';
}

/** Pairing outcomes that mean "the passkey exchange did not succeed" (src/device.c bonding_request_cancel, agent.c). */
export function isPairingRefused(name: string | undefined): boolean {
  return (
    name === 'org.bluez.Error.AuthenticationFailed' ||
    name === 'org.bluez.Error.AuthenticationRejected' ||
    name === 'org.bluez.Error.AuthenticationCanceled' ||
    name === 'org.bluez.Error.AuthenticationTimeout'
  );
}

/** "Operation failed with ATT error: 0x05" and friends: the characteristic needs an authenticated (paired) link. */
export function isInsufficientAuth(name: string | undefined, message: string): boolean {
  return name === 'org.bluez.Error.NotPermitted' || name === 'org.bluez.Error.NotAuthorized' || /ATT error: 0x0[5f]/.test(message);
}
