import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderBridge, renderRadios, renderStatus, renderVault } from './status.js';
import { formatBytes } from '../format/bytes.js';

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

test('the vault line: bytes used against the budget, the data file, and why it refuses when full', () => {
  assert.is(renderVault({ usedBytes: 201 * 2 ** 20, fileBytes: 230 * 2 ** 20, maxBytes: 256 * 2 ** 20 }), 'vault    201 MiB used of 256 MiB (79 %), data file 230 MiB\n');
  assert.is(renderVault({ usedBytes: 12_345, fileBytes: 40_960 }), 'vault    12.1 KiB used (no budget set: vault.maxBytes), data file 40 KiB\n');
  assert.equal(renderVault({ usedBytes: 2 ** 20, fileBytes: 2 ** 20, full: 'disk' }).split('\n')[1], '         FULL: the disk is full; new bundles are refused (507), stored ones still relayed');
  assert.equal(renderVault({ usedBytes: 2 ** 20, fileBytes: 2 ** 20, maxBytes: 2 ** 20, full: 'budget' }).split('\n')[1], '         FULL: its budget is used by bundles still to deliver; new bundles are refused (507), stored ones still relayed');
  const text = renderStatus({
    version: '0', nodeId: 'a'.repeat(64), shortId: 'aaaaaaaaaaaa', uptimeSeconds: 5, peers: [], bearers: [],
    outbox: { queued: 1, accepted: 0, delivered: 0, expired: 0 }, inbox: 0, stored: 1,
    vault: { usedBytes: 4096, fileBytes: 8192, maxBytes: 2 ** 30 },
  }, 0);
  assert.match(text, /^vault    4 KiB used of 1 GiB \(0 %\), data file 8 KiB$/m);
});

test('byte counts in the units the config takes', () => {
  assert.is(formatBytes(0), '0 B');
  assert.is(formatBytes(1023), '1023 B');
  assert.is(formatBytes(1536), '1.5 KiB');
  assert.is(formatBytes(256 * 2 ** 20), '256 MiB');
  assert.is(formatBytes(1.25 * 2 ** 30), '1.25 GiB');
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
