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

test('lattice status shows a native MeshCore repeater: name, key, preset, neighbours, clients, counters', () => {
  const now = 1_000_000_000;
  const text = renderStatus({
    version: '0', nodeId: 'a'.repeat(64), shortId: 'aaaaaaaaaaaa', uptimeSeconds: 5, peers: [],
    bearers: [{
      name: 'mc0', kind: 'meshcore-native', mode: 'sync', state: 'up', peers: ['mc:ch:0'],
      detail: {
        publicKey: 'ab'.repeat(32), nodeName: 'Rooftop relay', role: 'repeater', region: 'EU_868', preset: 'EU_NARROW',
        frequencyHz: 869_618_000, bandwidthHz: 62_500, spreadingFactor: 8, codingRate: 8, floodScope: null,
        channels: [{ id: 'mc:ch:0', name: 'Public' }], contacts: [1, 2, 3, 4].map((n) => ({ id: `mc:${String(n).repeat(64)}`, name: `n${n}` })), loggedIn: 1, clients: 3, companion: '127.0.0.1:5000',
        neighbours: [{ publicKey: 'cd'.repeat(32), name: 'Hilltop', snrDb: 7.25, lastHeard: now - 60_000 }],
        counters: { heard: 40, forwarded: 12, sentFlood: 15, sentDirect: 2, floodDups: 9, directDups: 0, dropped: { 'bad-mac': 2, 'duplicate-flood': 0 }, advertsHeard: 5, advertsSent: 2, loginsOk: 1, loginsFailed: 3 },
        txQueue: 0, airUtilTxPercent: 0.25,
      },
    }],
    outbox: { queued: 0, accepted: 0, delivered: 0, expired: 0 }, inbox: 0, stored: 0,
  }, now);
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('meshcore mc0'));
  assert.equal(lines.slice(at, at + 6), [
    'meshcore mc0 abababababab "Rooftop relay" repeater, EU_868 EU_NARROW 869.618 MHz/62.5 kHz SF8 CR4/8, up',
    '  channels    0 Public',
    '  neighbours  Hilltop cdcdcdcd 7.25 dB 1m ago (4 contacts)',
    '  clients     3 on 127.0.0.1:5000, 1 logged in over the air',
    '  packets     heard 40, forwarded 12, sent 17, duplicates 9, dropped bad-mac 2',
    '  adverts     2 sent, 5 heard; logins 1 ok, 3 failed; queue 0, our TX 0.3 % (last hour)',
  ]);
});

test.run();
