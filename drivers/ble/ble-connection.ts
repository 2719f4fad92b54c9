/**
 * One LE connection to a device through BlueZ: Device1.Connect, the wait for ServicesResolved, pairing with a PIN
 * through our agent when the device is not bonded yet, GATT lookup, and a single "disconnected" event however the
 * link ends (Connected=false from BlueZ, the bus connection failing, or our own disconnect()).
 */
import type { ClientInterface } from 'dbus-next';
import type { BluezBus } from './bluez-bus.js';
import { bluezErrorName, isBusy, isInsufficientAuth, isNotReady, isPairingRefused } from './bluez-error.js';
import {
  BleAdapterPoweredOffError,
  BleBusyError,
  BleConnectError,
  BleDeviceNotFoundError,
  BleDisconnectedError,
  BleGattMissingError,
  BleOperationError,
  BlePairingRefusedError,
} from './errors.js';
import { BleCharacteristic } from './ble-characteristic.js';
import { devicePathSegment, nodeBleDevice, type NodeBleDevice, type NodeBleGattServer } from './node-ble.js';
import { registerPinAgent } from './pin-agent.js';
import { bounded } from './wait.js';

/**
 * MeshCore BLE_PIN_CODE (`-D BLE_PIN_CODE=123456` in the BLE companion builds, variants/<board>/platformio.ini) and
 * Meshtastic defaultBLEPin (firmware src/DebugConfiguration.h).
 */
export const DEFAULT_BLE_PIN = 123456;

export interface ConnectOptions {
  signal?: AbortSignal;
  /** Bound for Connect + service resolution; default 30 s. */
  timeoutMs?: number;
  /** Pair (bond) when the device is not paired yet; default true. */
  pair?: boolean;
  /** Passkey our agent answers with; default 123456. */
  pin?: number;
  /** Bound for single D-Bus calls; default 10 s. */
  callTimeoutMs?: number;
}

export class BleConnection {
  private connected = true;
  private readonly life = new AbortController();
  private disconnecting?: Promise<void>;
  private readonly listeners = new Set<(error: BleDisconnectedError) => void>();
  private readonly cleanups: Array<() => void> = [];
  private gattServer?: NodeBleGattServer;
  /** Passkeys our agent gave BlueZ during this connection's pairing. */
  passkeyRequests = 0;

  private constructor(
    private readonly b: BluezBus,
    readonly adapter: string,
    readonly address: string,
    private readonly device: NodeBleDevice,
    private readonly props: ClientInterface,
    private readonly callTimeoutMs: number,
  ) {}

  get isConnected(): boolean {
    return this.connected;
  }

  /** Aborted (with a BleDisconnectedError) when the link ends. */
  get lifetime(): AbortSignal {
    return this.life.signal;
  }

  get path(): string {
    return `/org/bluez/${this.adapter}/${devicePathSegment(this.address)}`;
  }

  static async open(b: BluezBus, adapter: string, address: string, options: ConnectOptions = {}): Promise<BleConnection> {
    const callTimeoutMs = options.callTimeoutMs ?? 10_000;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const path = `/org/bluez/${adapter}/${devicePathSegment(address)}`;
    let obj;
    try {
      obj = await bounded(b.proxy(path), `device ${address}`, callTimeoutMs, options.signal);
    } catch (err) {
      if (bluezErrorName(err) === 'org.freedesktop.DBus.Error.UnknownObject') throw new BleDeviceNotFoundError(address, 0);
      throw err;
    }
    if (!obj.interfaces['org.bluez.Device1']) throw new BleDeviceNotFoundError(address, 0);
    const props = obj.getInterface('org.freedesktop.DBus.Properties');
    const device1 = obj.getInterface('org.bluez.Device1');
    const conn = new BleConnection(b, adapter, address, nodeBleDevice(b.bus, adapter, address), props, callTimeoutMs);
    conn.watch();
    try {
      conn.cleanups.push(await bounded(b.onTreeChange((c) => conn.onTreeChange(c)), 'BlueZ object manager signals', callTimeoutMs, options.signal));
      const prop = async (name: string) => ((await bounded(props.Get('org.bluez.Device1', name), `${address} ${name}`, callTimeoutMs, options.signal)) as { value: unknown }).value;
      // Subscribe before Connect so the ServicesResolved change cannot slip by; dropped if it was already true.
      const stopWaiting = new AbortController();
      const resolved = conn.waitFor('ServicesResolved', timeoutMs, AbortSignal.any([stopWaiting.signal, ...(options.signal ? [options.signal] : [])]));
      resolved.catch(() => undefined);
      try {
        await conn.connectAndResolve(device1, prop, resolved, timeoutMs, options.signal);
      } finally {
        stopWaiting.abort();
      }
      if (options.pair ?? true) {
        if ((await prop('Paired')) !== true) await conn.pair(device1, options.pin ?? DEFAULT_BLE_PIN, options.signal);
      }
      conn.gattServer = await bounded(conn.device.gatt(), `GATT services of ${address}`, timeoutMs, options.signal);
    } catch (err) {
      await conn.disconnect().catch(() => undefined);
      throw err;
    }
    return conn;
  }

  private async connectAndResolve(
    device1: ClientInterface,
    prop: (name: string) => Promise<unknown>,
    resolved: Promise<void>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const { address, adapter } = this;
    if ((await prop('Connected')) !== true) {
      try {
        await bounded(device1.Connect(), `Connect to ${address}`, timeoutMs, signal);
      } catch (err) {
        const name = bluezErrorName(err);
        if (name !== 'org.bluez.Error.AlreadyConnected') {
          if (isBusy(name)) throw new BleBusyError('Connect', address, { cause: err });
          if (isNotReady(name)) throw new BleAdapterPoweredOffError(adapter);
          throw new BleConnectError(address, name, { cause: err });
        }
      }
    }
    if ((await prop('ServicesResolved')) !== true) await resolved;
  }

  /** Looks a characteristic up in the resolved GATT database. */
  async characteristic(serviceUuid: string, charUuid: string): Promise<BleCharacteristic> {
    if (!this.gattServer || !this.connected) throw new BleDisconnectedError(this.address);
    const service = await this.gattServer.getPrimaryService(serviceUuid.toLowerCase()).catch(() => undefined);
    if (!service) throw new BleGattMissingError(this.address, 'service', serviceUuid);
    const ch = await service.getCharacteristic(charUuid.toLowerCase()).catch(() => undefined);
    if (!ch) throw new BleGattMissingError(this.address, 'characteristic', charUuid);
    return new BleCharacteristic(charUuid.toLowerCase(), this, ch, this.callTimeoutMs);
  }

  /** RSSI BlueZ last reported for the device (dBm), if any. */
  async rssi(): Promise<number | undefined> {
    const v = (await bounded(this.props.Get('org.bluez.Device1', 'RSSI'), `${this.address} RSSI`, this.callTimeoutMs).catch(() => undefined)) as { value: unknown } | undefined;
    return typeof v?.value === 'number' ? v.value : undefined;
  }

  /** Called once when the link ends, whatever the cause. */
  onDisconnect(listener: (error: BleDisconnectedError) => void): () => void {
    if (!this.connected) {
      queueMicrotask(() => listener(new BleDisconnectedError(this.address)));
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Disconnects (Device1.Disconnect); concurrent callers share the one call. */
  disconnect(): Promise<void> {
    if (this.disconnecting) return this.disconnecting;
    const wasConnected = this.connected;
    this.lost('closed by us');
    this.disconnecting = wasConnected ? this.sendDisconnect() : Promise.resolve();
    return this.disconnecting;
  }

  private async sendDisconnect(): Promise<void> {
    const device1 = (await this.b.proxy(this.path).catch(() => undefined))?.getInterface('org.bluez.Device1');
    await bounded(device1?.Disconnect() ?? Promise.resolve(), `Disconnect from ${this.address}`, this.callTimeoutMs).catch(() => undefined);
  }

  /** Maps a failed GATT operation to a typed error. */
  mapError(op: string, target: string, err: unknown): Error {
    if (err instanceof Error && (err.name === 'BleTimeoutError' || err.name === 'AbortError' || err.name === 'TimeoutError')) return err;
    if (!this.connected) return new BleDisconnectedError(this.address);
    const name = bluezErrorName(err);
    const message = err instanceof Error ? err.message : String(err);
    if (isInsufficientAuth(name, message)) {
      return new BlePairingRefusedError(this.address, `${op} needs an authenticated (paired) link`, { cause: err });
    }
    if (name === 'org.bluez.Error.NotConnected' || (name === 'org.bluez.Error.Failed' && /not connected/i.test(message))) {
      return new BleDisconnectedError(this.address);
    }
    return new BleOperationError(op, target, name, { cause: err });
  }

  private async pair(device1: ClientInterface, pin: number, signal?: AbortSignal): Promise<void> {
    const agent = await registerPinAgent(this.b, pin);
    try {
      await bounded(device1.Pair(), `pairing with ${this.address}`, 60_000, signal);
    } catch (err) {
      const name = bluezErrorName(err);
      if (name === 'org.bluez.Error.AlreadyExists') return;
      if (isPairingRefused(name)) throw new BlePairingRefusedError(this.address, name!.replace('org.bluez.Error.', ''), { cause: err });
      if (err instanceof Error && err.name === 'BleTimeoutError') throw new BlePairingRefusedError(this.address, 'no answer to the pairing request', { cause: err });
      throw err;
    } finally {
      this.passkeyRequests = agent.requests;
      await agent.unregister();
    }
    // Trusted: BlueZ lets the bonded radio reconnect without asking the agent again (doc/org.bluez.Device.rst).
    await bounded(this.props.Set('org.bluez.Device1', 'Trusted', new this.b.dbus.Variant('b', true)), `${this.address} Trusted`, this.callTimeoutMs).catch(() => undefined);
  }

  private watch(): void {
    const cb = (iface: string, changed: Record<string, { value: unknown }>) => {
      if (iface === 'org.bluez.Device1' && changed.Connected?.value === false) this.lost('the device disconnected');
    };
    this.props.on('PropertiesChanged', cb);
    this.cleanups.push(() => this.props.off('PropertiesChanged', cb));
    this.cleanups.push(this.b.onError(() => this.lost('the D-Bus connection failed')));
  }

  private onTreeChange(change: { bluezGone: true } | { removed: string; interfaces: string[] }): void {
    if ('bluezGone' in change) this.lost('bluetoothd left the bus');
    else if (change.removed === this.path) this.lost('BlueZ removed the device');
    else if (change.removed === `/org/bluez/${this.adapter}`) this.lost(`adapter ${this.adapter} went away`);
  }

  private waitFor(property: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      const cb = (iface: string, changed: Record<string, { value: unknown }>) => {
        if (iface !== 'org.bluez.Device1') return;
        if (changed[property]?.value === true) finish(() => resolve());
        else if (changed.Connected?.value === false) finish(() => reject(new BleDisconnectedError(this.address, `disconnected before ${property}`)));
      };
      const finish = (f: () => void) => {
        this.props.off('PropertiesChanged', cb);
        f();
      };
      this.props.on('PropertiesChanged', cb);
      this.cleanups.push(() => this.props.off('PropertiesChanged', cb));
    });
    return bounded(done, `${property} on ${this.address}`, timeoutMs, signal);
  }

  private lost(why: string): void {
    if (!this.connected) return;
    this.connected = false;
    for (const c of this.cleanups.splice(0)) c();
    const err = new BleDisconnectedError(this.address, why);
    this.life.abort(err);
    for (const l of [...this.listeners]) {
      try { l(err); } catch { /* isolated */ }
    }
    this.listeners.clear();
  }
}
