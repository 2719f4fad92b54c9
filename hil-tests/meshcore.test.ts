/**
 * The MeshCore gateway contract suite against a real companion radio:
 *   LATTICE_HIL_MESHCORE_PORT=/dev/ttyUSB0 (or host:5000) npm test -- hil-tests/meshcore.test.ts
 * Optional: LATTICE_HIL_MESHCORE_CHANNEL=<index> lets it send one test message on that channel;
 * LATTICE_HIL_MESHCORE_CONTACT=<64 hex> lets it DM that contact and wait for SEND_CONFIRMED.
 * Cases that need to drive the mesh (nodes talking, lost ACKs, unplugging) only run against the simulator.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meshCoreGatewaySuite } from '../runtime/bearers/meshcore/testing/gateway-suite.js';
import { meshCoreOpener, parseMeshCoreDevice } from '../runtime/bearers/meshcore/device-opener.js';

const port = process.env.LATTICE_HIL_MESHCORE_PORT;

if (port) {
  const channel = process.env.LATTICE_HIL_MESHCORE_CHANNEL;
  meshCoreGatewaySuite(`meshcore HIL ${port}`, async () => ({
    open: meshCoreOpener(port),
    channelIndex: channel === undefined ? undefined : Number(channel),
    contactHex: process.env.LATTICE_HIL_MESHCORE_CONTACT?.toLowerCase(),
    stop: async () => undefined,
  })).run();
} else {
  console.log('SKIP LATTICE_HIL_MESHCORE_PORT is not set (a serial path or host:port of a MeshCore companion radio)');
  test.skip('meshcore gateway against a real radio', () => undefined);
  // What this file would do with the variable set: both documented forms must resolve to an opener.
  test('LATTICE_HIL_MESHCORE_PORT forms: serial path and host:port', () => {
    assert.equal(parseMeshCoreDevice('/dev/ttyACM0'), { kind: 'serial', path: '/dev/ttyACM0' });
    assert.equal(parseMeshCoreDevice('10.0.0.7:5000'), { kind: 'tcp', host: '10.0.0.7', port: 5000 });
    assert.type(meshCoreOpener('/dev/ttyACM0'), 'function');
  });
  test.run();
}
