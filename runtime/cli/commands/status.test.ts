import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderBridge } from './status.js';

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

test.run();
