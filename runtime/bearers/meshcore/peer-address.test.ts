import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMeshCorePeer, isMeshCorePeer, channelPeer, contactPeer } from './peer-address.js';
import { parseMeshCoreDevice } from './device-opener.js';

const KEY = 'a1'.repeat(32);

test('contact and channel addresses', () => {
  const c = parseMeshCorePeer(`mc:${KEY.toUpperCase()}`);
  assert.is(c.kind, 'contact');
  if (c.kind === 'contact') {
    assert.is(c.hex, KEY);
    assert.is(c.key.length, 32);
  }
  const p = parseMeshCorePeer('mc:a1b2c3d4e5f6');
  assert.ok(p.kind === 'contact' && p.key.length === 6);
  assert.equal(parseMeshCorePeer('mc:ch:7'), { kind: 'channel', index: 7 });
  assert.is(channelPeer(3), 'mc:ch:3');
  assert.is(contactPeer('AB'), 'mc:ab');
  assert.ok(isMeshCorePeer('mc:ch:0'));
  assert.not.ok(isMeshCorePeer('mt:ch:0'));
});

test('malformed addresses throw MeshCoreAddressError', () => {
  for (const bad of ['mt:!a1b2c3d4', 'mc:', 'mc:abc', 'mc:zz', 'mc:ch:', 'mc:ch:256', 'mc:ch:-1', `mc:${KEY}00`]) {
    assert.throws(() => parseMeshCorePeer(bad), (e: Error) => e.name === 'MeshCoreAddressError', bad);
  }
});

test('device specs: serial path or host:port (5000 default)', () => {
  assert.equal(parseMeshCoreDevice('/dev/ttyUSB0'), { kind: 'serial', path: '/dev/ttyUSB0' });
  assert.equal(parseMeshCoreDevice('192.168.1.20:5000'), { kind: 'tcp', host: '192.168.1.20', port: 5000 });
  assert.equal(parseMeshCoreDevice('radio.local'), { kind: 'tcp', host: 'radio.local', port: 5000 });
  assert.equal(parseMeshCoreDevice('tcp://[::1]:5001'), { kind: 'tcp', host: '::1', port: 5001 });
  for (const bad of ['', 'host:99999', 'a b:1']) {
    assert.throws(() => parseMeshCoreDevice(bad), (e: Error) => e.name === 'MeshCoreDeviceSpecError', bad);
  }
});

test.run();
