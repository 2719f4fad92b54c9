import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MeshCorePresets, meshCoreModulation } from './meshcore-presets.js';

test('MeshCore modulation: private sync word 0x12, preamble 16, CRC on, explicit header, the preset radio settings', () => {
  const m = meshCoreModulation('EU_UK_NARROW', 20);
  assert.equal(
    [m.frequencyHz, m.bandwidthHz, m.spreadingFactor, m.codingRate, m.syncWord, m.preambleLength, m.crcOn, m.explicitHeader, m.invertIq, m.txPowerDbm],
    [869_618_000, 62_500, 8, 8, 0x12, 16, true, true, false, 20],
  );
  assert.is(meshCoreModulation('USA_CANADA').txPowerDbm, 22);
  assert.equal(Object.keys(MeshCorePresets), ['EU_UK_NARROW', 'USA_CANADA', 'FIRMWARE_DEFAULT']);
});

test.run();
