/**
 * The native node's radio on emulated SX1262s (the real driver over the SPI-level chip model): Meshtastic's channel
 * (sync word 0x2B, preamble 16, slot) carries frames between native radios and not to a Lattice radio; airtime is
 * booked in the ledger and counted as utilisation; the duty cycle refuses a frame at once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmulatedRadios } from '../../../drivers/sx126x/sim/emulated-radios.js';
import { LatticeDefault } from '../../../lib/lora/lattice-presets.js';
import { meshtasticModulation } from '../../../lib/lora/meshtastic-presets.js';
import { systemClock } from '../../../lib/clock/clock.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { createLogger } from '../../log/logger.js';
import { AirUtilisation } from './air-utilisation.js';
import { NativeRadio, type AirFrame } from './native-radio.js';
import { nativeRegionRules } from './native-region.js';
import type { NativeDropReason } from './native-metrics.js';

const log = createLogger('test');

function nativeRadio(radio: ReturnType<typeof createEmulatedRadios>['radios'][number], ledger = new AirtimeLedger(), drops: NativeDropReason[] = []) {
  const utilisation = new AirUtilisation(systemClock);
  const native = new NativeRadio({
    name: 'mt', radio, modulation: meshtasticModulation('EU_868', 'LONG_FAST', 14), utilisation, log,
    governor: new AirtimeGovernor({ region: nativeRegionRules('EU_868'), ledger, policy: 'fail' }),
    observer: { dropped: (r) => drops.push(r) },
  });
  return { native, utilisation, ledger, drops };
}

test('frames cross between native radios on the Meshtastic channel; a Lattice radio on the same frequency hears none', async () => {
  const emulated = createEmulatedRadios({ nodes: ['a', 'b', 'lattice'], timeScale: 0.01 });
  try {
    const a = nativeRadio(emulated.node('a').radio);
    const b = nativeRadio(emulated.node('b').radio);
    assert.is(a.native.modulation.syncWord, 0x2b);
    assert.is(a.native.modulation.preambleLength, 16);
    assert.is(a.native.modulation.frequencyHz, 869_525_000);
    const lattice = emulated.node('lattice').radio;
    await lattice.configure({ ...LatticeDefault, frequencyHz: 869_525_000, spreadingFactor: 11, bandwidthHz: 250_000 });
    const latticeHeard: Uint8Array[] = [];
    lattice.onPacket((p) => latticeHeard.push(p.payload));
    await lattice.startReceive();
    await a.native.start();
    await b.native.start();
    const heard: AirFrame[] = [];
    b.native.onFrame((f) => heard.push(f));
    const frame = Uint8Array.from({ length: 40 }, (_, i) => i);
    const { airtimeMs } = await a.native.transmit(frame);
    await waitFor('b hears the frame', () => heard.length === 1);
    assert.equal(heard[0]!.bytes, frame);
    assert.ok(Math.abs(heard[0]!.airtimeMs - airtimeMs) < 1e-9);
    // LongFast, 40 bytes: 20.25 preamble + 48 payload symbols of 8.192 ms ≈ 0.56 s on air, booked in band P and counted as our TX and the channel's use.
    assert.ok(Math.abs(airtimeMs - 559.1) < 0.1, `${airtimeMs}`);
    assert.equal(a.ledger.snapshot().records.map(([band, , ms]) => [band, ms]), [['eu868-p', airtimeMs]]);
    assert.ok(a.utilisation.txUtilisationPercent() > 0);
    assert.ok(b.utilisation.channelUtilisationPercent() > 0);
    assert.is(b.utilisation.txUtilisationPercent(), 0);
    // The Lattice radio shares frequency, SF and bandwidth but not the sync word: it hears nothing of ours.
    await a.native.transmit(frame);
    await waitFor('b hears the second frame', () => heard.length === 2);
    assert.is(latticeHeard.length, 0);
    await a.native.stop();
    await b.native.stop();
  } finally {
    await emulated.close();
  }
});

test('over the duty cycle a frame is refused at once and counted as a drop', async () => {
  const emulated = createEmulatedRadios({ nodes: ['a'], timeScale: 0.01 });
  try {
    const ledger = new AirtimeLedger();
    // Band P allows 360 s an hour; 359.9 s are already used.
    await ledger.record('eu868-p', Date.now() - 360_000, 359_900);
    const a = nativeRadio(emulated.node('a').radio, ledger);
    await a.native.start();
    try {
      await a.native.transmit(new Uint8Array(60));
      assert.unreachable('expected DutyCycleExceededError');
    } catch (err) {
      assert.is((err as Error).name, 'DutyCycleExceededError');
    }
    assert.equal(a.drops, ['duty-cycle']);
    await a.native.stop();
  } finally {
    await emulated.close();
  }
});

test('regions: EU_433 keeps its 10 % as one sub-band, US and ANZ have no duty cycle and no dwell limit', () => {
  const eu433 = nativeRegionRules('EU_433');
  assert.equal(eu433.subBands.map((b) => [b.lowHz, b.highHz, b.dutyCycle]), [[433_000_000, 434_000_000, 0.1]]);
  for (const r of ['US', 'ANZ', 'IN'] as const) {
    const rules = nativeRegionRules(r);
    assert.is(rules.subBands[0]!.dutyCycle, 1);
    assert.is(rules.dwell, undefined);
    const m = meshtasticModulation(r, 'LONG_FAST');
    const gov = new AirtimeGovernor({ region: rules, ledger: new AirtimeLedger() });
    gov.checkDwell({ bandwidthHz: m.bandwidthHz, airtimeMs: 1300 });
    assert.ok(gov.subBand(m.frequencyHz, m.bandwidthHz));
  }
});

test.run();
