import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RadioGateway, RadioInfo } from '../bearer/radio-gateway.js';
import { channelIndex, viewRadio } from './radio-view.js';

const gateway = (info: RadioInfo) => ({ radio: () => info }) as unknown as RadioGateway;

test('the bridge view: usable channels, nodes with keys, the modulation the radio reports over the mesh default', () => {
  const v = viewRadio('mc', gateway({
    name: 'meshcore0', mesh: 'meshcore', link: { state: 'up', reconnects: 0 },
    self: { address: `mc:${'aa'.repeat(32)}`, name: 'Roof', publicKey: 'aa'.repeat(32) },
    channels: [{ index: 0, name: 'Public', address: 'mc:ch:0', usable: true }, { index: 1, name: '', address: 'mc:ch:1', usable: false }],
    nodes: [{ address: `mc:${'bb'.repeat(32)}`, name: 'Bob', publicKey: 'bb'.repeat(32) }, { address: 'mc:cc', name: 'Keyless' }],
    modulation: { bandwidthHz: 62_500, spreadingFactor: 8, codingRate: 8, frequencyHz: 869_618_000 },
  }));
  assert.equal(v, {
    net: 'mc', name: 'meshcore0', up: true, selfAddress: `mc:${'aa'.repeat(32)}`, selfName: 'Roof',
    channels: [{ index: 0, name: 'Public' }],
    nodes: [{ address: `mc:${'bb'.repeat(32)}`, name: 'Bob', hasKey: true }, { address: 'mc:cc', name: 'Keyless', hasKey: false }],
    // The companion does not report the preamble: MeshCore's assumed 8 symbols stay.
    modulation: { spreadingFactor: 8, bandwidthHz: 62_500, codingRate: 8, preambleLength: 8, explicitHeader: true, crcOn: true },
  });
  assert.is(channelIndex(v, 'public'), 0);
});

test('a radio that has not reported yet: the mesh default modulation, nothing else', () => {
  const v = viewRadio('mt', gateway({ name: 'meshtastic0', mesh: 'meshtastic', link: { state: 'starting', reconnects: 0 }, channels: [], nodes: [] }));
  assert.equal(v, {
    net: 'mt', name: 'meshtastic0', up: false, channels: [], nodes: [],
    modulation: { spreadingFactor: 11, bandwidthHz: 250_000, codingRate: 5, preambleLength: 16, explicitHeader: true, crcOn: true },
  });
});

test.run();
