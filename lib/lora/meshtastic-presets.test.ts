import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meshtasticChannelHash } from './channel-slot.js';
import { MeshtasticModemPresets, MeshtasticRegions, meshtasticBand, meshtasticFrequencyHz, meshtasticModulation, presetDisplayName } from './meshtastic-presets.js';

test('Meshtastic slot frequencies: EU_868 LongFast 869.525 MHz, US LongFast 906.875 MHz (djb2 slot 19 of 104)', () => {
  assert.is(meshtasticFrequencyHz('EU_868', 'LONG_FAST'), 869_525_000);
  assert.is(meshtasticFrequencyHz('US', 'LONG_FAST'), 906_875_000);
  assert.is(meshtasticChannelHash('LongFast') % 104, 19);
  assert.is(presetDisplayName('MEDIUM_SLOW'), 'MediumSlow');
  const m = meshtasticModulation('EU_868', 'LONG_FAST');
  assert.equal([m.spreadingFactor, m.bandwidthHz, m.codingRate, m.syncWord, m.preambleLength], [11, 250_000, 5, 0x2b, 16]);
});

test("display names are the firmware's (DisplayFormatters.cpp): LONG_MODERATE is LongMod, and places its channel", () => {
  assert.is(presetDisplayName('LONG_MODERATE'), 'LongMod');
  assert.is(presetDisplayName('LONG_TURBO'), 'LongTurbo');
  assert.is(meshtasticFrequencyHz('US', 'LONG_MODERATE'), meshtasticFrequencyHz('US', 'LONG_MODERATE', 'LongMod'));
});

test('every preset is a valid LoRa setting and every region band holds at least one channel of every preset', () => {
  for (const [name, p] of Object.entries(MeshtasticModemPresets)) {
    assert.ok(p.spreadingFactor >= 7 && p.spreadingFactor <= 12, name);
    assert.ok([125_000, 250_000, 500_000].includes(p.bandwidthHz), name);
    assert.ok(p.codingRate >= 5 && p.codingRate <= 8, name);
  }
  assert.equal(meshtasticBand('EU_868'), { lowHz: 869_400_000, highHz: 869_650_000, spacingHz: 0 });
  for (const region of Object.keys(MeshtasticRegions) as Array<keyof typeof MeshtasticRegions>) {
    for (const preset of ['LONG_FAST', 'SHORT_SLOW'] as const) {
      const f = meshtasticFrequencyHz(region, preset);
      const band = meshtasticBand(region);
      assert.ok(f - MeshtasticModemPresets[preset].bandwidthHz / 2 >= band.lowHz && f + MeshtasticModemPresets[preset].bandwidthHz / 2 <= band.highHz, `${region} ${preset}`);
    }
  }
});

test('power is capped to the region limit', () => {
  assert.is(meshtasticModulation('JP', 'LONG_FAST', 22).txPowerDbm, 13);
  assert.is(meshtasticModulation('US', 'LONG_FAST', 20).txPowerDbm, 20);
});

test.run();
