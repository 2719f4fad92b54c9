/**
 * One board, one duty-cycle budget per sub-band: the duty cycle limits the equipment, so a Lattice radio, a native
 * Meshtastic node and a native MeshCore node of one board (one ledger, lora-from-config.ts) spend one budget when
 * their channels lie in the same regulated sub-band, whichever rules table each took its sub-band from.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { latticeModulation, REGION_PLANS } from '../../../lib/lora/lattice-presets.js';
import { meshtasticModulation, MeshtasticRegions, type MeshtasticRegionName } from '../../../lib/lora/meshtastic-presets.js';
import { subBandFor, budgetMs } from '../../../lib/lora/regions.js';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { nativeRegionRules } from '../meshtastic-native/native-region.js';
import { mcModulation } from './mc-preset.js';

test('in every region Lattice runs in, a native node books the sub-band a Lattice radio books', () => {
  for (const region of Object.keys(REGION_PLANS)) {
    if (!(region in MeshtasticRegions)) continue;
    const latticeBand = latticeModulation({ preset: 'LongFast', region }).subBand;
    const mt = meshtasticModulation(region as MeshtasticRegionName, 'LONG_FAST');
    const nativeBand = subBandFor(nativeRegionRules(region as MeshtasticRegionName), mt.frequencyHz, mt.bandwidthHz);
    assert.is(nativeBand.id, latticeBand.id, region);
  }
});

test('a MeshCore and a Meshtastic native node of one board share the EU_433 budget (10 % of the hour)', async () => {
  const clock = new ManualClock(1_700_000_000_000);
  const ledger = new AirtimeLedger({ now: () => clock.now() });
  const rules = nativeRegionRules('EU_433');
  const mt = new AirtimeGovernor({ region: rules, ledger, policy: 'fail', clock });
  const mc = new AirtimeGovernor({ region: rules, ledger, policy: 'fail', clock });
  const lattice = new AirtimeGovernor({ region: REGION_PLANS.EU_433!.rules, ledger, policy: 'fail', clock });
  const mtChannel = meshtasticModulation('EU_433', 'LONG_FAST');
  // EU 433 Narrow, the MeshCore app's preset for 433 MHz (433.650 MHz / 62.5 kHz / SF8 / CR8).
  const mcChannel = mcModulation({ preset: 'EU_NARROW', freqHz: 433_650_000 })!;
  const band = subBandFor(rules, mcChannel.frequencyHz, mcChannel.bandwidthHz);
  const budget = budgetMs(band);
  assert.is(budget, 360_000);
  // The MeshCore node spends all but one second of the hour's budget…
  for (let spent = 0; spent < budget - 1000; spent += 1000) {
    await mc.permit({ frequencyHz: mcChannel.frequencyHz, bandwidthHz: mcChannel.bandwidthHz, airtimeMs: 1000 });
    await clock.advance(1000);
  }
  await mt.permit({ frequencyHz: mtChannel.frequencyHz, bandwidthHz: mtChannel.bandwidthHz, airtimeMs: 1000 });
  await clock.advance(1000);
  // …so the Meshtastic node and the Lattice radio on the same board have nothing left in that sub-band.
  const refused = await mt.permit({ frequencyHz: mtChannel.frequencyHz, bandwidthHz: mtChannel.bandwidthHz, airtimeMs: 500 }).then(() => undefined, (e: Error) => e);
  assert.is(refused?.name, 'DutyCycleExceededError');
  const lat = latticeModulation({ preset: 'LongFast', region: 'EU_433' }).modulation;
  const refusedToo = await lattice.permit({ frequencyHz: lat.frequencyHz, bandwidthHz: lat.bandwidthHz, airtimeMs: 500 }).then(() => undefined, (e: Error) => e);
  assert.is(refusedToo?.name, 'DutyCycleExceededError');
});

test('EU_868: MeshCore EU_NARROW, Meshtastic LongFast and the Lattice channel are in one sub-band (band P, 10 %)', () => {
  const mc = mcModulation({ preset: 'EU_NARROW' })!;
  const mt = meshtasticModulation('EU_868', 'LONG_FAST');
  const rules = nativeRegionRules('EU_868');
  assert.is(subBandFor(rules, mc.frequencyHz, mc.bandwidthHz).id, 'eu868-p');
  assert.is(subBandFor(rules, mt.frequencyHz, mt.bandwidthHz).id, 'eu868-p');
});

test.run();
