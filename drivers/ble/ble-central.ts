/**
 * BleCentral: the BlueZ facade's entry point for one adapter (hci0 by default). It checks that BlueZ, the adapter
 * and its power are there (typed errors saying which is missing), scans with service-UUID / name filters, finds a
 * radio by address or advertised name, and connects. Every wait is bounded and abortable.
 *
 * BlueZ model (doc/org.bluez.Adapter.rst, Device.rst): devices appear as /org/bluez/hciN/dev_XX_… objects while
 * discovery runs (and stay cached); RSSI is present only for devices heard in the current discovery.
 */
import type { ClientInterface } from 'dbus-next';
import { advertisementFrom, isBleAddress, matchesFilter, type BleAdvertisement, type ScanFilter } from './advertisement.js';
import { openBluezBus, type BluezBus } from './bluez-bus.js';
import { bluezErrorName, isBusy, isNotReady } from './bluez-error.js';
import { BleConnection, type ConnectOptions } from './ble-connection.js';
import {
  BleAdapterNotFoundError,
  BleAdapterPoweredOffError,
  BleBusyError,
  BleDeviceNotFoundError,
  BleOperationError,
} from './errors.js';
import { sleep } from '../../lib/abort/sleep.js';
import { bounded, type WaitOptions } from './wait.js';

export interface BleCentralOptions {
  /** Adapter name; default hci0. */
  adapter?: string;
  /** D-Bus address; default DBUS_SYSTEM_BUS_ADDRESS, else the standard system bus socket. */
  busAddress?: string;
  /** Per-call bound for single D-Bus calls; default 10 s. */
  callTimeoutMs?: number;
}

export interface ScanOptions extends ScanFilter {
  durationMs: number;
  signal?: AbortSignal;
}

export type BleTarget = { address: string } | { name: string };

export class BleCentral {
  readonly adapter: string;
  private readonly busAddress?: string;
  private readonly callTimeoutMs: number;
  private b?: BluezBus;
  private readonly connections = new Set<BleConnection>();

  constructor(options: BleCentralOptions = {}) {
    this.adapter = options.adapter ?? 'hci0';
    this.busAddress = options.busAddress;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
  }

  get adapterPath(): string {
    return `/org/bluez/${this.adapter}`;
  }

  /** Connects to the bus and checks BlueZ, the adapter and its power. */
  async start(options: WaitOptions = {}): Promise<void> {
    if (this.b) return;
    const b = await openBluezBus({ address: this.busAddress, signal: options.signal, timeoutMs: options.timeoutMs ?? this.callTimeoutMs });
    this.b = b;
    try {
      const root = await this.call(b.proxy('/org/bluez'), 'the BlueZ object tree', options.signal);
      const adapters = root.nodes.map((n) => n.split('/').pop()!).filter((n) => /^hci\d+$/.test(n));
      if (!adapters.includes(this.adapter)) throw new BleAdapterNotFoundError(this.adapter, adapters);
      await this.assertPowered(options.signal);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Disconnects every connection made through this central, then closes the bus. */
  async stop(): Promise<void> {
    const b = this.b;
    this.b = undefined;
    const open = [...this.connections];
    this.connections.clear();
    await Promise.all(open.map((c) => c.disconnect().catch(() => undefined)));
    b?.close();
  }

  async isPowered(signal?: AbortSignal): Promise<boolean> {
    const props = await this.adapterProps(signal);
    return ((await this.call(props.Get('org.bluez.Adapter1', 'Powered'), `${this.adapter} Powered`, signal)) as { value: unknown }).value === true;
  }

  async assertPowered(signal?: AbortSignal): Promise<void> {
    if (!(await this.isPowered(signal))) throw new BleAdapterPoweredOffError(this.adapter);
  }

  /** Scans for `durationMs` and returns the matching devices heard (with RSSI), strongest first. */
  async scan(options: ScanOptions): Promise<BleAdvertisement[]> {
    await this.withDiscovery(options, async () => {
      await sleep(options.durationMs, { signal: options.signal });
    });
    const seen = (await this.knownDevices(options.signal)).filter((d) => d.rssi !== undefined && matchesFilter(d, options));
    return seen.sort((a, b) => (b.rssi ?? -999) - (a.rssi ?? -999));
  }

  /**
   * Finds a device by address or advertised name. A device BlueZ already knows (bonded, or heard recently) by
   * address is returned without scanning; otherwise discovery runs until it shows up or `timeoutMs` passes.
   */
  async find(target: BleTarget, options: WaitOptions & ScanFilter & { scan?: boolean } = {}): Promise<BleAdvertisement> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const want = (d: BleAdvertisement) =>
      'address' in target ? d.address === target.address.toUpperCase() : d.name === target.name;
    if ('address' in target) {
      if (!isBleAddress(target.address)) throw new TypeError(`${target.address} is not a Bluetooth address (AA:BB:CC:DD:EE:FF)`);
      const known = (await this.knownDevices(options.signal)).find(want);
      if (known) return known;
    }
    const describe = 'address' in target ? target.address : `named "${target.name}"`;
    // `scan: false` (a relay saving power): only what BlueZ already knows, no discovery.
    if (options.scan === false) {
      const known = 'address' in target ? undefined : (await this.knownDevices(options.signal)).find(want);
      if (known) return known;
      throw new BleDeviceNotFoundError(describe, 0);
    }
    // An own timer rather than AbortSignal.timeout inside AbortSignal.any: Node 20 can collect such a timeout
    // signal before it fires, and the loop below would then scan forever.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new BleDeviceNotFoundError(describe, timeoutMs)), timeoutMs);
    const deadline = options.signal ? AbortSignal.any([timeout.signal, options.signal]) : timeout.signal;
    let found: BleAdvertisement | undefined;
    try {
      await this.withDiscovery({ ...options, signal: deadline }, async () => {
        for (;;) {
          found = (await this.knownDevices(deadline)).find((d) => want(d) && ('address' in target || d.rssi !== undefined));
          if (found) return;
          await sleep(250, { signal: deadline });
        }
      });
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!deadline.aborted) throw err;
    } finally {
      clearTimeout(timer);
    }
    if (!found) throw new BleDeviceNotFoundError(describe, timeoutMs);
    return found;
  }

  /** Connects to a device BlueZ knows (find() it first), resolves GATT and pairs when asked to. */
  async connect(address: string, options: ConnectOptions = {}): Promise<BleConnection> {
    const b = this.requireBus();
    await this.assertPowered(options.signal);
    const conn = await BleConnection.open(b, this.adapter, address.toUpperCase(), { callTimeoutMs: this.callTimeoutMs, ...options });
    this.connections.add(conn);
    // Forget it once it is gone, but only after our own Disconnect call went out (stop() awaits that).
    conn.onDisconnect(() => queueMicrotask(() => this.connections.delete(conn)));
    return conn;
  }

  /** Listens for the adapter's power changes (a powered-off adapter drops every link). */
  async onPowerChange(listener: (powered: boolean) => void): Promise<() => void> {
    const props = await this.adapterProps();
    const cb = (iface: string, changed: Record<string, { value: unknown }>) => {
      if (iface === 'org.bluez.Adapter1' && 'Powered' in changed) listener(changed.Powered!.value === true);
    };
    props.on('PropertiesChanged', cb);
    return () => props.off('PropertiesChanged', cb);
  }

  /** Every device object under the adapter, read in one GetManagedObjects call. */
  async knownDevices(signal?: AbortSignal): Promise<BleAdvertisement[]> {
    const b = this.requireBus();
    const om = (await this.call(b.proxy('/'), 'the BlueZ object manager', signal)).getInterface('org.freedesktop.DBus.ObjectManager');
    const objects = (await this.call(om.GetManagedObjects(), 'BlueZ GetManagedObjects', signal)) as Record<string, Record<string, Record<string, { value: unknown }>>>;
    const out: BleAdvertisement[] = [];
    const prefix = `${this.adapterPath}/dev_`;
    for (const [path, ifaces] of Object.entries(objects)) {
      if (!path.startsWith(prefix) || path.indexOf('/', prefix.length) >= 0) continue;
      const dev = ifaces['org.bluez.Device1'];
      const ad = dev && advertisementFrom(dev);
      if (ad) out.push(ad);
    }
    return out;
  }

  private async withDiscovery(options: ScanFilter & { signal?: AbortSignal }, body: () => Promise<void>): Promise<void> {
    const b = this.requireBus();
    await this.assertPowered(options.signal);
    const adapter = (await this.call(b.proxy(this.adapterPath), `adapter ${this.adapter}`, options.signal)).getInterface('org.bluez.Adapter1');
    const { Variant } = b.dbus;
    const filter: Record<string, InstanceType<typeof Variant>> = { Transport: new Variant('s', 'le') };
    // BlueZ filters by advertised UUID itself; a name filter needs everything, so no UUID filter then.
    if (options.serviceUuids?.length && !options.names?.length) filter.UUIDs = new Variant('as', options.serviceUuids);
    try {
      await this.call(adapter.SetDiscoveryFilter(filter), 'SetDiscoveryFilter', options.signal);
      await this.call(adapter.StartDiscovery(), 'StartDiscovery', options.signal);
    } catch (err) {
      throw this.mapAdapterError('StartDiscovery', err);
    }
    try {
      await body();
    } finally {
      await bounded(adapter.StopDiscovery(), 'StopDiscovery', this.callTimeoutMs).catch(() => undefined);
    }
  }

  private mapAdapterError(op: string, err: unknown): Error {
    const name = bluezErrorName(err);
    if (isBusy(name)) return new BleBusyError(op, this.adapter, { cause: err });
    if (isNotReady(name)) return new BleAdapterPoweredOffError(this.adapter);
    if (name === undefined) return err as Error;
    return new BleOperationError(op, this.adapter, name, { cause: err });
  }

  private async adapterProps(signal?: AbortSignal): Promise<ClientInterface> {
    const b = this.requireBus();
    const obj = await this.call(b.proxy(this.adapterPath), `adapter ${this.adapter}`, signal).catch((err) => {
      throw bluezErrorName(err) === 'org.freedesktop.DBus.Error.UnknownObject' ? new BleAdapterNotFoundError(this.adapter, []) : err;
    });
    return obj.getInterface('org.freedesktop.DBus.Properties');
  }

  private call<T>(p: Promise<T>, what: string, signal?: AbortSignal): Promise<T> {
    return bounded(p, what, this.callTimeoutMs, signal);
  }

  private requireBus(): BluezBus {
    if (!this.b) throw new Error('BleCentral not started');
    return this.b;
  }
}
