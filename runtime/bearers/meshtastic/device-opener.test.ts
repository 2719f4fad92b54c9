import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMeshtasticDevice } from './device-opener.js';

const OK: [string, ReturnType<typeof parseMeshtasticDevice>][] = [
  ['/dev/ttyUSB0', { kind: 'serial', path: '/dev/ttyUSB0' }],
  ['/dev/serial/by-id/usb-Silicon_Labs_CP2102-if00-port0', { kind: 'serial', path: '/dev/serial/by-id/usb-Silicon_Labs_CP2102-if00-port0' }],
  ['./radio', { kind: 'serial', path: './radio' }],
  ['meshtastic.local', { kind: 'tcp', host: 'meshtastic.local', port: 4403 }],
  ['192.168.1.20:4403', { kind: 'tcp', host: '192.168.1.20', port: 4403 }],
  ['tcp://10.0.0.5:14403', { kind: 'tcp', host: '10.0.0.5', port: 14403 }],
  ['[::1]:4403', { kind: 'tcp', host: '::1', port: 4403 }],
];

for (const [spec, want] of OK) {
  test(`parses ${spec}`, () => assert.equal(parseMeshtasticDevice(spec), want));
}

for (const bad of ['', '   ', 'host:0', 'host:70000', 'a b:1', 'host:port']) {
  test(`rejects ${JSON.stringify(bad)}`, () => {
    assert.throws(() => parseMeshtasticDevice(bad), (e: Error) => e.name === 'MeshtasticDeviceSpecError');
  });
}

test.run();
