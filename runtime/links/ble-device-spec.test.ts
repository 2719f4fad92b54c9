/** `ble:` device specs, as the Meshtastic and MeshCore device openers take them from flags and config. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMeshCoreDevice } from '../bearers/meshcore/device-opener.js';
import { parseMeshtasticDevice } from '../bearers/meshtastic/device-opener.js';
import { parseBleSpec } from './ble-device-spec.js';
import { classifyRadio } from './ble-radios.js';

const OK: [string, ReturnType<typeof parseBleSpec>][] = [
  ['ble:AA:BB:CC:DD:EE:FF', { ok: true, spec: { address: 'AA:BB:CC:DD:EE:FF' } }],
  ['ble://aa:bb:cc:dd:ee:0f', { ok: true, spec: { address: 'AA:BB:CC:DD:EE:0F' } }],
  ['BLE:MeshCore-Rooftop', { ok: true, spec: { name: 'MeshCore-Rooftop' } }],
  ['ble://MeshCore-My%20Node?pin=654321', { ok: true, spec: { name: 'MeshCore-My Node', pin: 654321 } }],
  ['ble:Meshtastic_1a2b?adapter=hci1&pin=000001', { ok: true, spec: { name: 'Meshtastic_1a2b', adapter: 'hci1', pin: 1 } }],
  // Five octets is not an address: a name that happens to contain colons.
  ['ble:AA:BB:CC:DD:EE', { ok: true, spec: { name: 'AA:BB:CC:DD:EE' } }],
];
for (const [spec, want] of OK) test(`parses ${spec}`, () => assert.equal(parseBleSpec(spec), want));

for (const bad of ['ble:', 'ble://', 'ble://?pin=1', 'ble:X?pin=1234567', 'ble:X?pin=abc', 'ble:X?adapter=usb0', 'ble:X?mtu=200']) {
  test(`rejects ${bad}`, () => assert.is(parseBleSpec(bad).ok, false));
}

test('the device openers take ble: forms and report bad ones with their own error', () => {
  assert.equal(parseMeshtasticDevice('ble:AA:BB:CC:DD:EE:FF'), { kind: 'ble', ble: { address: 'AA:BB:CC:DD:EE:FF' } });
  assert.equal(parseMeshCoreDevice('ble://MeshCore-Roof?pin=111111'), { kind: 'ble', ble: { name: 'MeshCore-Roof', pin: 111111 } });
  assert.throws(() => parseMeshtasticDevice('ble:'), (e: Error) => e.name === 'MeshtasticDeviceSpecError');
  assert.throws(() => parseMeshCoreDevice('ble:x?pin=x'), (e: Error) => e.name === 'MeshCoreDeviceSpecError');
  // Unchanged forms.
  assert.equal(parseMeshtasticDevice('/dev/ttyUSB0'), { kind: 'serial', path: '/dev/ttyUSB0' });
  assert.equal(parseMeshCoreDevice('10.0.0.2'), { kind: 'tcp', host: '10.0.0.2', port: 5000 });
});

test('radio classification: Meshtastic by service UUID or default name, MeshCore by name prefix, others not', () => {
  const ad = (name: string | undefined, uuids: string[] = []) => ({ address: 'AA:BB:CC:DD:EE:FF', name, serviceUuids: uuids, paired: false, connected: false });
  assert.is(classifyRadio(ad('Roof node', ['6ba1b218-15a8-461f-9fa8-5dcae273eafd'])), 'meshtastic');
  assert.is(classifyRadio(ad('Meshtastic_1a2b')), 'meshtastic');
  assert.is(classifyRadio(ad('MeshCore-Roof', ['6e400001-b5a3-f393-e0a9-e50e24dcca9e'])), 'meshcore');
  assert.is(classifyRadio(ad('MeshCore-Roof')), 'meshcore');
  assert.is(classifyRadio(ad('Nordic_UART', ['6e400001-b5a3-f393-e0a9-e50e24dcca9e'])), undefined);
  assert.is(classifyRadio(ad(undefined)), undefined);
});

test.run();
