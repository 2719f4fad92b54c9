/** The companion radio's NodeDB as RadioNodes: where a node said it was (the dashboard's map) and a neighbour's SNR. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodesOf } from './radio-info.js';

test('nodesOf: position in degrees where the NodeDB has both coordinates, SNR for direct neighbours only, never ourselves', () => {
  const nodes = nodesOf([
    { num: 1, id: '!00000001', longName: 'Me' },
    { num: 2, id: '!00000002', longName: 'Alice', latitude: 52.52, longitude: 13.405, hopsAway: 0, snr: 7.25, lastHeard: 1000 },
    { num: 3, id: '!00000003', longName: 'Carol', latitude: 52.5, hopsAway: 2, snr: 3 },
  ], 1);
  assert.equal(nodes, [
    { address: 'mt:!00000002', name: 'Alice', lastHeard: 1_000_000, hops: 0, snr: 7.25, position: { lat: 52.52, lon: 13.405 } },
    { address: 'mt:!00000003', name: 'Carol', hops: 2 },
  ]);
});

test.run();
