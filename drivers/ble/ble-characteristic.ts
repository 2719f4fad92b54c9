/**
 * One GATT characteristic of a connected device: read, write (with or without response) and notifications, every
 * call bounded and failing at once when the link drops (BlueZ may never answer a call in flight then).
 */
import type { BleConnection } from './ble-connection.js';
import type { NodeBleCharacteristic } from './node-ble.js';
import { bounded } from './wait.js';

export interface WriteOptions {
  signal?: AbortSignal;
  /** ATT Write Command instead of Write Request (no flow control; default false). */
  withoutResponse?: boolean;
}

export class BleCharacteristic {
  constructor(
    readonly uuid: string,
    private readonly conn: BleConnection,
    private readonly ch: NodeBleCharacteristic,
    private readonly timeoutMs: number,
  ) {}

  private get target(): string {
    return `${this.conn.address} ${this.uuid}`;
  }

  /** The caller's signal, and the link: a call in flight when the link drops fails at once (BlueZ may never answer). */
  private signalFor(signal?: AbortSignal): AbortSignal {
    return signal ? AbortSignal.any([signal, this.conn.lifetime]) : this.conn.lifetime;
  }

  async read(options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    try {
      const buf = await bounded(this.ch.readValue(), `a read of ${this.target}`, this.timeoutMs, this.signalFor(options.signal));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
    } catch (err) {
      throw this.conn.mapError('read', this.target, err);
    }
  }

  async write(data: Uint8Array, options: WriteOptions = {}): Promise<void> {
    try {
      const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
      await bounded(this.ch.writeValue(buf, { type: options.withoutResponse ? 'command' : 'request' }), `a write to ${this.target}`, this.timeoutMs, this.signalFor(options.signal));
    } catch (err) {
      throw this.conn.mapError('write', this.target, err);
    }
  }

  /** Subscribes to notifications (StartNotify); returns the unsubscribe function. */
  async subscribe(listener: (value: Uint8Array) => void, options: { signal?: AbortSignal } = {}): Promise<() => Promise<void>> {
    const cb = (buf: Buffer) => listener(new Uint8Array(buf.buffer, buf.byteOffset, buf.length));
    this.ch.on('valuechanged', cb);
    try {
      await bounded(this.ch.startNotifications(), `StartNotify on ${this.target}`, this.timeoutMs, this.signalFor(options.signal));
    } catch (err) {
      this.ch.removeListener('valuechanged', cb);
      throw this.conn.mapError('subscribe', this.target, err);
    }
    return async () => {
      this.ch.removeListener('valuechanged', cb);
      if (this.conn.isConnected) await bounded(this.ch.stopNotifications(), `StopNotify on ${this.target}`, this.timeoutMs).catch(() => undefined);
    };
  }
}
