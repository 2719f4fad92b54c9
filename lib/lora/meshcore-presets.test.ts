import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MeshCorePresets, meshCoreModulation, meshCorePreamble } from './meshcore-presets.js';

test('MeshCore modulation: private sync word 0x12, preamble 32 at SF 8, CRC on, explicit header, the preset radio settings', () => {
  const m = meshCoreModulation('EU_UK_NARROW', 20);
  assert.equal(
    [m.frequencyHz, m.bandwidthHz, m.spreadingFactor, m.codingRate, m.syncWord, m.preambleLength, m.crcOn, m.explicitHeader, m.invertIq, m.txPowerDbm],
    [869_618_000, 62_500, 8, 8, 0x12, 32, true, true, false, 20],
  );
  assert.is(meshCoreModulation('USA_CANADA').txPowerDbm, 22);
  assert.equal(Object.keys(MeshCorePresets), ['EU_UK_NARROW', 'USA_CANADA', 'FIRMWARE_DEFAULT']);
});

test('MeshCore preamble by SF: 32 symbols at SF 5..8, 16 at SF 9..12 (RadioLibWrappers.h preambleLengthForSF)', () => {
  assert.equal([5, 6, 7, 8, 9, 10, 11, 12].map(meshCorePreamble), [32, 32, 32, 32, 16, 16, 16, 16]);
  assert.is(meshCoreModulation('USA_CANADA').preambleLength, 32);
  assert.is(meshCoreModulation('FIRMWARE_DEFAULT').preambleLength, 16);
});

test.run();
