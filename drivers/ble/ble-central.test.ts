/**
 * The BlueZ facade against python3-dbusmock's bluez5 template on a private bus (testing/bluez-mock.ts): what the
 * relay sees when BlueZ, the adapter or its power is missing, when BlueZ is busy, and how scanning filters and
 * finds radios. Every wait here is bounded; failures are typed (err.name).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BleCentral } from './ble-central.js';
import { BluezMock } from './testing/bluez-mock.js';

const MT = '6ba1b218-15a8-461f-9fa8-5dcae273eafd';
const NUS = '6e400001-b5a3-f393-e0a9-e50e24dcca9e';

const mock = await BluezMock.start({ adapters: ['hci0', 'hci1'] });
await mock.addRadio({ address: '10:00:00:00:00:01', name: 'Meshtastic_0001', profile: 'meshtastic', rssi: -80 });
await mock.addRadio({ address: '10:00:00:00:00:02', name: 'MeshCore-Roof', profile: 'meshcore', rssi: -55 });
await mock.addRadio({ address: '10:00:00:00:00:03', name: 'MeshCore-Far', profile: 'meshcore', rssi: -95 });

async function expectError(p: Promise<unknown>, name: string): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.is((err as Error).name, name, (err as Error).message);
    return err as Error;
  }
  assert.unreachable(`expected ${name}`);
  throw new Error('unreachable');
}

test('no D-Bus at the address: BleUnavailableError naming the balena socket', async () => {
  const c = new BleCentral({ busAddress: `unix:path=${mock.dir}/no-such-socket` });
  const err = await expectError(c.start({ timeoutMs: 5000 }), 'BleUnavailableError');
  assert.match(err.message, /DBUS_SYSTEM_BUS_ADDRESS=unix:path=\/host\/run\/dbus\/system_bus_socket/);
});

test('adapter that does not exist: BleAdapterNotFoundError listing the ones there are', async () => {
  const err = await expectError(new BleCentral({ busAddress: mock.address, adapter: 'hci7' }).start(), 'BleAdapterNotFoundError');
  assert.equal((err as unknown as { available: string[] }).available.sort(), ['hci0', 'hci1']);
});

test('scan: radios by service UUID, strongest first, with RSSI; name filter; everything without a filter', async () => {
  const c = new BleCentral({ busAddress: mock.address });
  await c.start();
  try {
    const meshcore = await c.scan({ durationMs: 200, serviceUuids: [NUS] });
    assert.equal(meshcore.map((d) => [d.address, d.rssi]), [['10:00:00:00:00:02', -55], ['10:00:00:00:00:03', -95]]);
    const both = await c.scan({ durationMs: 200, serviceUuids: [MT, NUS] });
    assert.equal(both.map((d) => d.name), ['MeshCore-Roof', 'Meshtastic_0001', 'MeshCore-Far']);
    const byName = await c.scan({ durationMs: 200, names: [/^Meshtastic_/] });
    assert.equal(byName.map((d) => d.address), ['10:00:00:00:00:01']);
    assert.is((await c.scan({ durationMs: 100 })).length, 3);
  } finally {
    await c.stop();
  }
});

test('find: by address without scanning, by name, and a missing name times out with BleDeviceNotFoundError', async () => {
  const c = new BleCentral({ busAddress: mock.address });
  await c.start();
  try {
    assert.is((await c.find({ address: '10:00:00:00:00:03' })).name, 'MeshCore-Far');
    assert.is((await c.find({ name: 'MeshCore-Roof' }, { timeoutMs: 3000 })).address, '10:00:00:00:00:02');
    const err = await expectError(c.find({ name: 'MeshCore-Nowhere' }, { timeoutMs: 600 }), 'BleDeviceNotFoundError');
    assert.is((err as unknown as { waitedMs: number }).waitedMs, 600);
    const ctl = new AbortController();
    const pending = c.find({ name: 'MeshCore-Nowhere' }, { timeoutMs: 30_000, signal: ctl.signal });
    setTimeout(() => ctl.abort(new Error('stop looking')), 100);
    try {
      await pending;
      assert.unreachable();
    } catch (e) {
      assert.is((e as Error).message, 'stop looking');
    }
  } finally {
    await c.stop();
  }
});

test('find with scan: false (a relay saving power): a known address is found, anything else fails at once', async () => {
  const c = new BleCentral({ busAddress: mock.address });
  await c.start();
  try {
    assert.is((await c.find({ address: '10:00:00:00:00:01' }, { scan: false })).name, 'Meshtastic_0001');
    const err = await expectError(c.find({ name: 'MeshCore-Nowhere' }, { timeoutMs: 30_000, scan: false }), 'BleDeviceNotFoundError');
    assert.is((err as unknown as { waitedMs: number }).waitedMs, 0, 'no discovery was waited for');
  } finally {
    await c.stop();
  }
});

test('busy: BlueZ answering InProgress is BleBusyError; an unreachable radio is BleConnectError', async () => {
  const radio = await mock.addRadio({ address: '10:00:00:00:00:04', name: 'MeshCore-Busy', profile: 'meshcore' });
  const c = new BleCentral({ busAddress: mock.address });
  await c.start();
  try {
    await radio.failNextConnect('InProgress', 'In Progress');
    await expectError(c.connect('10:00:00:00:00:04'), 'BleBusyError');
    await radio.failNextConnect('Failed', 'le-connection-abort-by-local');
    const err = await expectError(c.connect('10:00:00:00:00:04'), 'BleConnectError');
    assert.is((err as unknown as { bluezError: string }).bluezError, 'org.bluez.Error.Failed');
    const conn = await c.connect('10:00:00:00:00:04');
    assert.ok(conn.isConnected);
    await conn.disconnect();
  } finally {
    await c.stop();
  }
});

test('connections end with one disconnect event; GATT lookups of a missing service are typed', async () => {
  const c = new BleCentral({ busAddress: mock.address });
  await c.start();
  try {
    const conn = await c.connect('10:00:00:00:00:01');
    await expectError(conn.characteristic('0000180f-0000-1000-8000-00805f9b34fb', '00002a19-0000-1000-8000-00805f9b34fb'), 'BleGattMissingError');
    const events: string[] = [];
    conn.onDisconnect((e) => events.push(e.name));
    await conn.disconnect();
    await conn.disconnect();
    assert.equal(events, ['BleDisconnectedError']);
    await expectError(conn.characteristic(MT, 'f75c76d2-129e-4dad-a1dd-7866124401e7'), 'BleDisconnectedError');
  } finally {
    await c.stop();
  }
});

test('adapter powered off: start and scans fail with BleAdapterPoweredOffError; links drop', async () => {
  const c = new BleCentral({ busAddress: mock.address });
  await c.start();
  const conn = await c.connect('10:00:00:00:00:02');
  const dropped = new Promise<string>((r) => conn.onDisconnect((e) => r(e.name)));
  const powered: boolean[] = [];
  const off = await c.onPowerChange((p) => powered.push(p));
  await mock.setPowered(false);
  try {
    assert.is(await dropped, 'BleDisconnectedError');
    await expectError(c.scan({ durationMs: 100 }), 'BleAdapterPoweredOffError');
    await expectError(c.connect('10:00:00:00:00:02'), 'BleAdapterPoweredOffError');
    await expectError(new BleCentral({ busAddress: mock.address }).start(), 'BleAdapterPoweredOffError');
    assert.equal(powered, [false]);
  } finally {
    off();
    await mock.setPowered(true);
    await c.stop();
  }
});

test('a USB adapter unplugged: its links end', async () => {
  await mock.addRadio({ address: '10:00:00:00:00:05', name: 'MeshCore-Dongle', profile: 'meshcore', adapter: 'hci1' });
  const c = new BleCentral({ busAddress: mock.address, adapter: 'hci1' });
  await c.start();
  try {
    const conn = await c.connect('10:00:00:00:00:05');
    const why = new Promise<string>((r) => conn.onDisconnect((e) => r(e.why)));
    await mock.removeAdapter('hci1');
    // bluetoothd removes the adapter's devices, then the adapter (src/adapter.c adapter_remove).
    assert.match(await why, /BlueZ removed the device|adapter hci1 went away/);
  } finally {
    await c.stop();
  }
});

test('bluetoothd leaves the bus: open links end, and starting says BleUnavailableError', async () => {
  const c = new BleCentral({ busAddress: mock.address });
  await c.start();
  try {
    const conn = await c.connect('10:00:00:00:00:01');
    const why = new Promise<string>((r) => conn.onDisconnect((e) => r(e.why)));
    await mock.stopBluez();
    assert.is(await why, 'bluetoothd left the bus');
  } finally {
    await c.stop();
  }
  await expectError(new BleCentral({ busAddress: mock.address }).start({ timeoutMs: 5000 }), 'BleUnavailableError');
});

test.after(async () => {
  await mock.stop();
});

test.run();
