/** Errors of the runtime's byte links (TCP, BLE); tests assert on `name`. */
import { LinkClosedError } from '../../drivers/serial/errors.js';

/**
 * The other end closed the connection cleanly (a TCP FIN, no reset, no timeout). A companion radio does this when it
 * closes our session on purpose: Meshtastic and MeshCore firmware serve one TCP client and stop the old one when a
 * new one connects. A radio that reboots or drops off Wi-Fi sends no FIN; that ends in a reset or a timeout instead.
 * A LinkClosedError, so code that only cares that the link is gone needs no change.
 */
export class LinkClosedByRemoteError extends LinkClosedError {
  override name = 'LinkClosedByRemoteError';
  constructor(link: string) {
    super(link);
    this.message = `${link} closed the connection (a clean close from the other end)`;
  }
}

/** Whether `err` or any error in its `cause` chain says the other end closed the link cleanly. */
export function closedCleanlyByRemote(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e.name === 'LinkClosedByRemoteError') return true;
  }
  return false;
}

/** A radio BlueZ does not know needs a scan, and scans are paused while the battery is low (ble-scan-gate.ts). */
export class BleScanPausedError extends Error {
  override readonly name = 'BleScanPausedError';
  constructor(readonly device: string) {
    super(`BLE scanning is paused while the battery is low; ${device} is not known to BlueZ without a scan (it connects once the battery is back)`);
  }
}
