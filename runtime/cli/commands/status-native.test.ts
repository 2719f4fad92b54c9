import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderStatus } from './status.js';

test('lattice status shows a native node: number, role, channels, neighbours, clients, utilisation', () => {
  const now = 1_000_000_000;
  const text = renderStatus({
    version: '0', nodeId: 'a'.repeat(64), shortId: 'aaaaaaaaaaaa', uptimeSeconds: 5, peers: [],
    bearers: [{
      name: 'mt0', kind: 'meshtastic-native', mode: 'sync', state: 'up', peers: ['mt:ch:0'],
      detail: {
        nodeId: '!1234abcd', role: 'ROUTER', longName: 'Rooftop relay', region: 'EU_868', modemPreset: 'LONG_FAST', frequencyHz: 869_525_000,
        channels: [{ index: 0, name: 'LongFast', role: 'primary' }, { index: 1, name: 'hike', role: 'secondary' }],
        nodes: 3, neighbours: [{ id: '!0b0b0b0b', name: 'Bob', snr: 6.5, lastHeard: now - 120_000 }], clients: 2, api: '127.0.0.1:4403',
        channelUtilizationPercent: 3.25, airUtilTxPercent: 0.5,
      },
    }],
    outbox: { queued: 0, accepted: 0, delivered: 0, expired: 0 }, inbox: 0, stored: 0,
  }, now);
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('native'));
  assert.equal(lines.slice(at, at + 5), [
    'native   mt0 !1234abcd "Rooftop relay" ROUTER, EU_868 LONG_FAST 869.525 MHz, up',
    '  channels    0 LongFast, 1 hike',
    '  neighbours  Bob !0b0b0b0b 6.5 dB 2m ago (3 nodes known)',
    '  clients     2 on 127.0.0.1:4403',
    '  air         channel 3.3 % (last minute), our TX 0.5 % (last hour)',
  ]);
});

test.run();
