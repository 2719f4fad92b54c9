/** The gateways' table of `lattice status`: id, broker, state and queue of each, from the bearers' status detail. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderGateways } from './status-gateways.js';

test('gateways: one row each, the lattice backhaul and other bearers left out', () => {
  const out = renderGateways([
    { name: 'mqtt', kind: 'mqtt', mode: 'async', state: 'up', peers: [], detail: { broker: 'mqtt://b/', prefix: 'lattice' } },
    { name: 'mqtt1', kind: 'mqtt', mode: 'async', state: 'up', peers: [], detail: { role: 'meshtastic', radio: 'mt0', gatewayId: '!a1b2c3d4', broker: 'mqtt://mqtt.meshtastic.org:1883', connected: true, enabled: true, queued: 0 } },
    { name: 'mqtt2', kind: 'mqtt', mode: 'async', state: 'down', peers: [], detail: { role: 'meshcore-observer', radio: 'mc0', observerId: 'AB'.repeat(32), broker: 'wss://mqtt-eu-v1.letsmesh.net/', connected: false, queued: 12 } },
    { name: 'lora0', kind: 'lora', mode: 'sync', state: 'up', peers: [] },
  ]);
  const lines = out.trim().split('\n');
  assert.is(lines.length, 3);
  assert.match(lines[1]!, /mqtt1\s+meshtastic\s+mt0\s+!a1b2c3d4\s+mqtt:\/\/mqtt\.meshtastic\.org:1883\s+connected\s+0/);
  assert.match(lines[2]!, /mqtt2\s+meshcore-observer\s+mc0\s+ABAB.*down\s+12/);
  assert.is(renderGateways([]), '');
});

test.run();
