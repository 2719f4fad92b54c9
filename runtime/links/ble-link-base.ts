/**
 * What the two BLE radio links share: a BleConnection presented as a ByteLink (drivers/serial/byte-link.ts), so the
 * Meshtastic and MeshCore sessions run over BLE unchanged. GATT writes go out one at a time in call order; the
 * link closes (once) when BlueZ reports the device gone, and close() disconnects.
 */
import type { BleConnection } from '../../drivers/ble/ble-connection.js';
import { LinkBase } from '../../drivers/serial/link-base.js';
import { LinkClosedError } from '../../drivers/serial/errors.js';

export interface BleLinkStats {
  writes: number;
  /** Values received (FromRadio reads / TX notifications). */
  values: number;
  notifications: number;
  /** Received values dropped as impossible (oversize, empty notification). */
  dropped: number;
  /** Bytes the session wrote outside any frame (Meshtastic wake bytes): BLE has no byte stream to wake. */
  ignoredBytes: number;
}

export abstract class BleLinkBase extends LinkBase {
  readonly description: string;
  readonly stats: BleLinkStats = { writes: 0, values: 0, notifications: 0, dropped: 0, ignoredBytes: 0 };
  private openFlag = true;
  private writeTail: Promise<void> = Promise.resolve();
  protected readonly cleanups: Array<() => void | Promise<void>> = [];

  protected constructor(readonly connection: BleConnection, kind: string) {
    super();
    this.description = `ble:${connection.address} (${kind})`;
    this.cleanups.push(connection.onDisconnect((err) => this.fail(err)));
  }

  get isOpen(): boolean {
    return this.openFlag && this.connection.isConnected;
  }

  /** Runs GATT writes strictly one after another, in the order write() was called. */
  protected enqueue(work: () => Promise<void>, signal?: AbortSignal): Promise<void> {
    if (!this.isOpen) return Promise.reject(new LinkClosedError(this.description));
    signal?.throwIfAborted();
    const run = this.writeTail.then(() => {
      if (!this.isOpen) throw new LinkClosedError(this.description);
      return work();
    });
    this.writeTail = run.catch(() => undefined);
    return run;
  }

  /** A write() that carried no frame: nothing to send, but still an error once the link is closed. */
  protected idle(): Promise<void> {
    return this.isOpen ? Promise.resolve() : Promise.reject(new LinkClosedError(this.description));
  }

  /** The link broke under us: tell the session (once) and let go of the connection. */
  protected fail(error: Error): void {
    if (!this.openFlag) return;
    this.openFlag = false;
    void this.teardown();
    this.emitClose(error);
  }

  async close(): Promise<void> {
    if (!this.openFlag) return;
    this.openFlag = false;
    this.emitClose();
    await this.teardown();
  }

  private async teardown(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) {
      try { await c(); } catch { /* best effort */ }
    }
    await this.connection.disconnect().catch(() => undefined);
  }
}
