import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderBridge, renderRadios } from './status.js';

test('the bridge part shows radios, mappings (unresolved marked ?), per-direction counts and drops', () => {
  const text = renderBridge({
    enabled: true,
    radios: { meshtastic: 'meshtastic0', meshcore: 'meshcore0' },
    mappings: [
      { meshtastic: 0, meshcore: 'public', direction: 'both', resolved: { meshtastic: 0, meshcore: 0 } },
      { meshtastic: 1, meshcore: '#hike', direction: 'mt-to-mc', resolved: { meshtastic: 1 } },
    ],
    queues: { 'mt-to-mc': 2, 'mc-to-mt': 0 },
    bridged: { 'mt-to-mc': 5, 'mc-to-mt': 4 },
    dropped: { loop: 2, limit: 1, duplicate: 0 },
  });
  assert.equal(text.split('\n'), [
    'bridge   Meshtastic meshtastic0 <-> MeshCore meshcore0',
    '  MT 0 <-> MC public (0)',
    '  MT 1 -> MC #hike (?)',
    '  MT->MC   5 bridged, 2 queued',
    '  MC->MT   4 bridged, 0 queued',
    '  dropped  limit 1, loop 2',
    '',
  ]);
});

test('the radios part reads the typed radio view: link, address, name, usable channels, nodes', () => {
  const now = 1_700_000_000_000;
  const text = renderRadios([
    {
      name: 'meshtastic0', mesh: 'meshtastic', link: { state: 'up', reconnects: 0 },
      self: { address: 'mt:!5eed0001', name: 'Relay MT', nodeNum: 0x5eed0001 },
      channels: [{ index: 0, name: 'LongFast', address: 'mt:ch:0', usable: true }, { index: 1, name: 'hike', address: 'mt:ch:1', usable: true }],
      nodes: [{ address: 'mt:!22222222', name: 'Bob' }, { address: 'mt:!44444444' }],
    },
    {
      name: 'meshcore0', mesh: 'meshcore',
      link: { state: 'displaced', reconnects: 2, displacement: { total: 1, streak: 1, backingOff: true, lastAt: now - 5000, retryAt: now + 40_000 } },
      self: { address: `mc:${'ab'.repeat(32)}`, name: 'Relay-mc' },
      channels: [{ index: 0, name: 'Public', address: 'mc:ch:0', usable: true }, { index: 1, name: '', address: 'mc:ch:1', usable: false }],
      nodes: [],
    },
  ], now);
  assert.equal(text.split('\n'), [
    'RADIO        MESH        LINK                     ADDRESS               NAME      CHANNELS            NODES',
    'meshtastic0  Meshtastic  up                       mt:!5eed0001          Relay MT  0 LongFast, 1 hike  2',
    'meshcore0    MeshCore    displaced, retry in 40s  mc:abababababababab…  Relay-mc  0 Public            0',
    '',
  ]);
});

test.run();
