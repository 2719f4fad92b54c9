/**
 * An SX1268 board (410–810 MHz) gets the regions it can tune: EU_433, CN and the firmware's other 433 MHz regions,
 * in config and end to end on emulated E22-400M22S boards; a region outside its range is a config error naming the
 * ones it can use (before, REGION_PLANS had only EU_868 and US, both outside, so every region was refused).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateModulation } from '../../../drivers/sx126x/modulation.js';
import { latticeModulation, PRESETS, REGION_PLANS } from '../../../lib/lora/lattice-presets.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { BROADCAST, type InFrame } from '../../bearer/bearer.js';
import type { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/parse-config.js';
import { encodeBundle } from '../../bundle/bundle-codec.js';
import { createBundle } from '../../bundle/create-bundle.js';
import { generateIdentity } from '../../identity/identity.js';
import { encodeFrame } from '../../wire/frame-codec.js';
import { setLogSink } from '../../log/logger.js';
import { regionsOutsideChip } from './lora-config.js';
import { createLoraNeighbourhood } from './sim/lora-neighbourhood.js';

setLogSink(() => undefined, 'silent');

const E22_400 = 'ebyte-e22-400m22s-meshadv-mini';
const SUB_810 = ['EU_433', 'CN', 'ANZ_433', 'UA_433', 'MY_433', 'PH_433', 'KZ_433'];
const HOME = { home: '/home/pi', cwd: '/srv' };

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    assert.is((err as Error).name, 'ConfigError');
    return (err as ConfigError).issues;
  }
  return [];
}

test('every preset in every region an SX1268 tunes gives a modulation the sx1268 driver accepts', () => {
  const fits = Object.keys(REGION_PLANS).filter((r) => regionsOutsideChip(undefined, 'sx1268', r) === undefined);
  assert.equal(fits, SUB_810);
  for (const region of SUB_810) {
    for (const preset of Object.keys(PRESETS)) {
      let m;
      try {
        m = latticeModulation({ preset, region, txPowerDbm: 22 });
      } catch (e) {
        // A 500 kHz preset does not fit a 1 MHz band with the slot rule's edges everywhere; that is the band, not the chip.
        assert.is((e as Error).name, 'ChannelOutOfBandError', `${region} ${preset}`);
        continue;
      }
      validateModulation(m.modulation, 'sx1268');
      assert.ok(m.modulation.frequencyHz >= REGION_PLANS[region]!.lowHz && m.modulation.frequencyHz <= REGION_PLANS[region]!.highHz);
    }
  }
  // EU_433 is ERC 70-03 h1.4: 10 mW ERP (10 dBm conducted with a dipole), 10 % duty cycle.
  const eu = latticeModulation({ preset: 'LongFast', region: 'EU_433', txPowerDbm: 22 });
  assert.equal([eu.subBand.id, eu.subBand.dutyCycle, eu.modulation.txPowerDbm], ['eu433-h1.4', 0.1, 10]);
});

test('config: the SX1268 board takes EU_433 and CN; EU_868 and US are refused naming the regions it can use', () => {
  const ok = parseConfig({ lora: [{ board: E22_400, region: 'EU_433' }, { variant: 'sx1268', region: 'CN', pins: { busy: 20, dio1: 16, reset: 24 } }] }, {}, HOME);
  assert.equal(ok.lora.map((l) => l.region), ['EU_433', 'CN']);
  const bad = issuesOf(() => parseConfig({ lora: [{ board: E22_400, region: 'EU_868' }, { variant: 'sx1268', region: 'US' }, { board: E22_400 }] }, {}, HOME));
  assert.equal(bad.map((i) => i.path), ['lora[0].region', 'lora[1].region', 'lora[2].region']);
  assert.match(bad[0]!.message, /EU_868 \(869\.4–869\.65 MHz\) is outside what an sx1268 \(board ebyte-e22-400m22s-meshadv-mini\) tunes \(410–810 MHz\); regions it can use: EU_433, CN, ANZ_433/);
  // An SX1262 tunes 150–960 MHz: every region.
  for (const region of SUB_810.concat('EU_868', 'US')) assert.equal(issuesOf(() => parseConfig({ lora: [{ board: 'waveshare-core1262-hat', region }] }, {}, HOME)), [], region);
});

test('end to end: two emulated E22-400M22S (SX1268) boards on EU_433 hear each other through the LoRa bearer', async () => {
  const ids = [generateIdentity(), generateIdentity()];
  const hood = createLoraNeighbourhood({ region: 'EU_433', nodes: ['A', 'B'].map((name, i) => ({ name, nodeId: ids[i]!.nodeId, x: i * 500, board: E22_400 })) });
  const atB: InFrame[] = [];
  hood.bearer('B').on('frame', (f) => atB.push(f));
  try {
    await hood.start();
    const bytes = encodeFrame({ kind: 'bundle', payload: encodeBundle(createBundle(ids[0]!, { recipient: null, text: 'on 433 MHz' })) });
    assert.is(await hood.bearer('A').send({ peer: BROADCAST, kind: 'bundle', bytes }), 'accepted');
    await waitFor('B heard A', () => atB.length === 1);
    assert.equal(Buffer.from(atB[0]!.bytes), Buffer.from(bytes));
    const a = hood.emulated.node('A').chip;
    assert.ok(Math.abs(a.tunedFrf * (32e6 / 2 ** 25) - 433_875_000) < 1, 'on the EU_433 Lattice channel');
    for (const n of hood.emulated.nodes) assert.equal(n.chip.driverFaults, [], n.name);
  } finally {
    await hood.stop();
  }
});

test.run();
