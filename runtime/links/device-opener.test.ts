import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCompanionDevice, type CompanionDeviceRules } from './device-opener.js';
import { parseMeshCoreDevice } from '../bearers/meshcore/device-opener.js';
import { parseMeshtasticDevice } from '../bearers/meshtastic/device-opener.js';

class FamilyDeviceError extends Error {
  override readonly name = 'FamilyDeviceError';
  constructor(readonly device: string, readonly detail: string) {
    super(`bad device ${device}: ${detail}`);
  }
}

const RULES: CompanionDeviceRules = { defaultTcpPort: 1234, tcpExample: 'radio.example:1234', error: (d, detail) => new FamilyDeviceError(d, detail) };

test('the family rules give the default port, the example and the error', () => {
  assert.equal(parseCompanionDevice('radio.lan', RULES), { kind: 'tcp', host: 'radio.lan', port: 1234 });
  assert.equal(parseCompanionDevice('radio.lan:99', RULES), { kind: 'tcp', host: 'radio.lan', port: 99 });
  assert.throws(() => parseCompanionDevice('host:port', RULES), (e: FamilyDeviceError) =>
    e.name === 'FamilyDeviceError' && e.device === 'host:port' && e.detail.includes('radio.example:1234'));
  assert.throws(() => parseCompanionDevice('ble:', RULES), (e: Error) => e.name === 'FamilyDeviceError');
});

test('Meshtastic and MeshCore read the same forms, each with its own port and error', () => {
  for (const d of ['/dev/ttyUSB0', './pty', 'COM3', 'tcp://10.0.0.5:77', '[::1]:9', 'ble:AA:BB:CC:DD:EE:FF']) {
    assert.equal(parseMeshtasticDevice(d), parseMeshCoreDevice(d), d);
  }
  assert.is((parseMeshtasticDevice('radio.lan') as { port: number }).port, 4403);
  assert.is((parseMeshCoreDevice('radio.lan') as { port: number }).port, 5000);
  assert.throws(() => parseMeshtasticDevice('host:0'), (e: Error) => e.name === 'MeshtasticDeviceSpecError');
  assert.throws(() => parseMeshCoreDevice('host:0'), (e: Error) => e.name === 'MeshCoreDeviceSpecError');
});

test.run();
