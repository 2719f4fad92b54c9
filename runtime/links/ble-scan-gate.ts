/**
 * Whether BLE scans may run: a relay short of power (runtime/power) stops them, as scanning keeps the Bluetooth
 * radio receiving continuously. Radios BlueZ already knows by address still connect without a scan
 * (BleCentral.find); one that needs a scan fails with BleScanPausedError and its bearer retries with its usual
 * back-off, so the scan happens once the battery is back.
 *
 * Process-wide (the openers are built deep inside the bearers), with one hold per holder so that two relays in one
 * process (tests) pause and resume independently: scanning is paused while anyone holds it paused.
 */
const holders = new Set<object>();

export function pauseBleScans(holder: object, paused: boolean): void {
  if (paused) holders.add(holder);
  else holders.delete(holder);
}

export function bleScansPaused(): boolean {
  return holders.size > 0;
}
