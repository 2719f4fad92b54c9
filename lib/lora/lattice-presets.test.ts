import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { channelFrequencyHz } from './channel-slot.js';
import { LatticeDefault, REGION_PLANS, latticeModulation } from './lattice-presets.js';

test("slot rule reproduces Meshtastic's published channel centres (firmware RadioInterface::applyModemConfig)", () => {
  const us = REGION_PLANS.US!;
  const eu = REGION_PLANS.EU_868!;
  assert.is(channelFrequencyHz(us, 250_000, 'LongFast'), 906_875_000);
  assert.is(channelFrequencyHz(us, 250_000, 'MediumFast'), 913_125_000);
  assert.is(channelFrequencyHz(us, 125_000, 'LongSlow'), 905_312_500);
  assert.is(channelFrequencyHz(eu, 250_000, 'LongFast'), 869_525_000);
});

test('Lattice preset = the driver LatticeDefault (SF9/BW125, own sync word), other presets keep the Lattice sync word', () => {
  const { modulation, subBand } = latticeModulation({ preset: 'Lattice', region: 'EU_868' });
  assert.is(modulation.frequencyHz, LatticeDefault.frequencyHz);
  assert.is(modulation.spreadingFactor, 9);
  assert.is(modulation.bandwidthHz, 125_000);
  assert.is(modulation.syncWord, LatticeDefault.syncWord);
  assert.is(subBand.id, 'eu868-p');
  const lf = latticeModulation({ preset: 'LongFast', region: 'EU_868' }).modulation;
  assert.equal([lf.spreadingFactor, lf.bandwidthHz, lf.codingRate, lf.syncWord], [11, 250_000, 5, LatticeDefault.syncWord]);
  assert.is(latticeModulation({ preset: 'LongMod', region: 'US' }).modulation.spreadingFactor, 11);
  assert.throws(() => latticeModulation({ preset: 'VeryFast', region: 'EU_868' }), /unknown preset/);
  assert.throws(() => latticeModulation({ preset: 'LongFast', region: 'MARS' }), /unknown region/);
  assert.throws(() => latticeModulation({ preset: 'LongFast', region: 'EU_868', frequencyHz: 868_550_000 }), (e: Error) => e.name === 'ChannelOutOfBandError');
});

test('transmit power is capped to the sub-band limit for the antenna (ERP = conducted + dBi − 2.15)', () => {
  const p = (o: { frequencyHz?: number; txPowerDbm?: number; antennaGainDbi?: number; region?: string }) =>
    latticeModulation({ preset: 'Lattice', region: o.region ?? 'EU_868', ...o });
  assert.is(p({ txPowerDbm: 30 }).modulation.txPowerDbm, 22); // band P 500 mW ERP: the chip's 22 dBm is the limit
  assert.is(p({ txPowerDbm: 30, antennaGainDbi: 8.15 }).modulation.txPowerDbm, 21); // 27 − 8.15 + 2.15
  assert.is(p({ frequencyHz: 868_100_000, txPowerDbm: 20 }).modulation.txPowerDbm, 14); // band M 25 mW ERP
  assert.is(p({ frequencyHz: 868_100_000, txPowerDbm: 20, antennaGainDbi: 6 }).modulation.txPowerDbm, 10);
  assert.is(p({ frequencyHz: 868_100_000, txPowerDbm: 20 }).txPowerCapped, true);
  assert.is(p({ txPowerDbm: 10 }).txPowerCapped, false);
  assert.is(p({ region: 'US', txPowerDbm: 22, antennaGainDbi: 9 }).modulation.txPowerDbm, 22); // 30 − 3 ≥ 22
});

test.run();
