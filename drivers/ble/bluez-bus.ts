/**
 * A private connection to the system D-Bus where BlueZ lives. The address comes from the option, else
 * DBUS_SYSTEM_BUS_ADDRESS (balena: unix:path=/host/run/dbus/system_bus_socket, where the io.balena.features.dbus
 * label mounts the host's /run/dbus; balena docs, reference/supervisor/docker-compose), else the standard socket.
 * dbus-next is loaded only when BLE is configured (CONTRIBUTING.md habit 7).
 */
import type { MessageBus, ProxyObject } from 'dbus-next';
import { BleUnavailableError } from './errors.js';
import { bounded } from './wait.js';

export const DEFAULT_SYSTEM_BUS = 'unix:path=/var/run/dbus/system_bus_socket';
export const BLUEZ = 'org.bluez';

export function systemBusAddress(explicit?: string): string {
  return explicit ?? process.env.DBUS_SYSTEM_BUS_ADDRESS ?? DEFAULT_SYSTEM_BUS;
}

export interface BluezBus {
  readonly bus: MessageBus;
  readonly address: string;
  readonly dbus: typeof import('dbus-next');
  proxy(path: string): Promise<ProxyObject>;
  /** Called once if the bus connection fails after it was opened (dbus-daemon gone). */
  onError(listener: (err: Error) => void): () => void;
  /**
   * Called when bluetoothd leaves the bus (crash, restart) or BlueZ removes an object (`path` with the removed
   * interfaces: a device forgotten, an adapter unplugged). Subscribes on first use.
   */
  onTreeChange(listener: (change: { bluezGone: true } | { removed: string; interfaces: string[] }) => void): Promise<() => void>;
  close(): void;
}

export async function openBluezBus(options: { address?: string; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<BluezBus> {
  const address = systemBusAddress(options.address);
  // dbus-next is CommonJS: its exports arrive as the ESM default export.
  const dbus = (await import('dbus-next')).default;
  const bus = dbus.sessionBus({ busAddress: address });
  const errorListeners = new Set<(err: Error) => void>();
  let failed: Error | undefined;
  bus.on('error', (err: Error) => {
    failed ??= err;
    for (const l of errorListeners) {
      try { l(err); } catch { /* isolated */ }
    }
  });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try { bus.disconnect(); } catch { /* already gone */ }
  };
  try {
    const check = (async () => {
      const obj = await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
      const iface = obj.getInterface('org.freedesktop.DBus');
      return (await iface.NameHasOwner(BLUEZ)) as boolean;
    })();
    const failedEarly = new Promise<never>((_, reject) => errorListeners.add(reject));
    const owned = await bounded(Promise.race([check, failedEarly]), `the system D-Bus at ${address}`, options.timeoutMs ?? 10_000, options.signal);
    errorListeners.clear();
    if (!owned) throw new Error('org.bluez is not on the bus');
  } catch (err) {
    close();
    if ((err as Error)?.name === 'AbortError' || options.signal?.aborted) throw err;
    throw new BleUnavailableError(address, { cause: failed ?? err });
  }
  type TreeListener = Parameters<BluezBus['onTreeChange']>[0];
  const treeListeners = new Set<TreeListener>();
  let treeWatch: Promise<void> | undefined;
  const emitTree = (change: Parameters<TreeListener>[0]) => {
    for (const l of [...treeListeners]) {
      try { l(change); } catch { /* isolated */ }
    }
  };
  const watchTree = async () => {
    const dbusIface = (await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    dbusIface.on('NameOwnerChanged', (name: string, _old: string, owner: string) => {
      if (name === BLUEZ && owner === '') emitTree({ bluezGone: true });
    });
    const om = (await bus.getProxyObject(BLUEZ, '/')).getInterface('org.freedesktop.DBus.ObjectManager');
    om.on('InterfacesRemoved', (path: string, interfaces: string[]) => emitTree({ removed: path, interfaces }));
  };
  return {
    bus,
    address,
    dbus,
    proxy: (path) => bus.getProxyObject(BLUEZ, path),
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    async onTreeChange(listener) {
      treeWatch ??= watchTree();
      await treeWatch;
      treeListeners.add(listener);
      return () => treeListeners.delete(listener);
    },
    close,
  };
}
