/** Gateway options applied at every handshake: channels ensured, flood scope set (over an in-process link). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimDevice } from '../../../firmware-protocol/meshcore/sim/sim-device.js';
import { SimMesh } from '../../../firmware-protocol/meshcore/sim/sim-mesh.js';
import { connectMemoryLink } from '../../../firmware-protocol/meshcore/sim/memory-link.js';
import { toHex } from '../../../firmware-protocol/meshcore/bytes.js';
import { hashtagChannelSecret, regionScopeKey } from '../../../firmware-protocol/meshcore/channel-secret.js';
import { MeshCoreGateway } from './meshcore-gateway.js';
import { until } from './testing/gateway-suite.js';

test('channels and flood scope are set on the radio, and again after a reboot', async () => {
  const device = new SimDevice({ maxChannels: 8 });
  const mesh = new SimMesh(device);
  let link = connectMemoryLink(device);
  const gw = new MeshCoreGateway({
    name: 'mc', open: async () => (link.isOpen ? link : (link = connectMemoryLink(device))), pollIntervalMs: 0,
    reconnect: { initialMs: 50, maxMs: 200 },
    channels: [{ index: 1, name: '#lattice' }, { index: 12, name: '#too-far' }],
    floodScope: '#de-nrw',
  });
  const ups: string[] = [];
  gw.on('peer', (e) => { if (e.up) ups.push(e.peer); });
  await gw.start();
  await gw.whenUp({ signal: AbortSignal.timeout(5000) });
  assert.is(device.persistent.channels[1].name, '#lattice');
  assert.is(toHex(device.persistent.channels[1].secret), toHex(hashtagChannelSecret('#lattice')));
  assert.ok(ups.includes('mc:ch:1'));
  assert.is(toHex(device.ram.sendScope), toHex(regionScopeKey('#de-nrw')));
  // Slot 12 does not exist on an 8-channel build: reported, not fatal.
  assert.match((gw.status().detail as any).lastError.message, /channel 12/);
  // Reboot: the scope (RAM) is lost on the radio and set again by the next handshake.
  device.powerOff();
  link.drop();
  device.powerOn();
  assert.is(toHex(device.ram.sendScope), '00'.repeat(16));
  await until('reconnected', () => gw.status().state === 'up' && (gw.status().detail as any).link.reconnects === 1);
  assert.is(toHex(device.ram.sendScope), toHex(regionScopeKey('#de-nrw')));
  await gw.stop();
  mesh.stop();
});

test.run();
