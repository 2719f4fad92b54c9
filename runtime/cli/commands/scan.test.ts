/** `lattice scan` against the BlueZ mock: radios listed with RSSI, other devices only with --all, typed failures. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BluezMock } from '../../../drivers/ble/testing/bluez-mock.js';
import { runCli } from '../cli.js';
import { memoryIo } from '../testing/memory-io.js';

const mock = await BluezMock.start();
await mock.addRadio({ address: '20:00:00:00:00:01', name: 'Meshtastic_4f2a', profile: 'meshtastic', rssi: -71 });
await mock.addRadio({ address: '20:00:00:00:00:02', name: 'MeshCore-Rooftop', profile: 'meshcore', rssi: -58 });
// A Nordic UART gadget that is not a MeshCore radio.
await mock.addRadio({ address: '20:00:00:00:00:03', name: 'Thermometer', profile: 'meshcore', rssi: -40 });

const env = () => ({ DBUS_SYSTEM_BUS_ADDRESS: mock.address });

test('lists Meshtastic and MeshCore radios, strongest first, with RSSI', async () => {
  const io = memoryIo({ env: env() });
  assert.is(await runCli(['scan', '--seconds', '0.3'], io), 0, io.err());
  const lines = io.out().trim().split('\n');
  assert.match(lines[0]!, /^KIND\s+ADDRESS\s+NAME\s+RSSI\s+PAIRED/);
  assert.match(lines[1]!, /^meshcore\s+20:00:00:00:00:02\s+MeshCore-Rooftop\s+-58 dBm\s+no/);
  assert.match(lines[2]!, /^meshtastic\s+20:00:00:00:00:01\s+Meshtastic_4f2a\s+-71 dBm\s+no/);
  assert.is(lines.length, 3);
});

test('--json and --all', async () => {
  const io = memoryIo({ env: env() });
  assert.is(await runCli(['scan', '--seconds', '0.2', '--all', '--json'], io), 0, io.err());
  const rows = JSON.parse(io.out()) as Array<{ kind: string; name: string; rssi: number }>;
  assert.equal(rows.map((r) => [r.kind, r.name, r.rssi]), [
    ['other', 'Thermometer', -40],
    ['meshcore', 'MeshCore-Rooftop', -58],
    ['meshtastic', 'Meshtastic_4f2a', -71],
  ]);
});

test('adapter off or absent: a clear message and exit 1; bad flags: exit 2', async () => {
  await mock.setPowered(false);
  try {
    const io = memoryIo({ env: env() });
    assert.is(await runCli(['scan', '--seconds', '0.2'], io), 1);
    assert.match(io.err(), /hci0 is powered off/);
  } finally {
    await mock.setPowered(true);
  }
  const io2 = memoryIo({ env: env() });
  assert.is(await runCli(['scan', '--seconds', '0.2', '--adapter', 'hci3'], io2), 1);
  assert.match(io2.err(), /no Bluetooth adapter hci3 \(BlueZ has: hci0\)/);
  const io3 = memoryIo({ env: env() });
  assert.is(await runCli(['scan', '--seconds', 'soon'], io3), 2);
  const io4 = memoryIo({ env: { DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${mock.dir}/nothing` } });
  assert.is(await runCli(['scan', '--seconds', '0.2'], io4), 1);
  assert.match(io4.err(), /BlueZ is not reachable/);
});

test.after(async () => {
  await mock.stop();
});

test.run();
