/** The LoRa bearer's power hooks (runtime/power): a transmit power cap applied to the chip, the advert interval stretched. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { EU868 } from '../../../lib/lora/regions.js';
import { generateIdentity } from '../../identity/identity.js';
import { setLogSink } from '../../log/logger.js';
import { latticeModulation } from '../../../lib/lora/lattice-presets.js';
import { LoraBearer } from './lora-bearer.js';
import { FakeLoraAir } from './testing/fake-lora-air.js';

setLogSink(() => undefined, 'silent');

test('setTxPowerCap reconfigures the chip below the configured power, never above it, and back', async () => {
  const air = new FakeLoraAir(() => true, 0.01);
  const { modulation } = latticeModulation({ preset: 'ShortFast', region: 'EU_868', txPowerDbm: 14 });
  const radio = air.radio();
  const bearer = new LoraBearer({ name: 'lora0', radio, nodeId: generateIdentity().nodeId, modulation, region: EU868, ledger: new AirtimeLedger(), advertIntervalMs: 0, advertOnStart: false });
  await bearer.start();
  try {
    assert.is(radio.modulation?.txPowerDbm, 14);
    await bearer.setTxPowerCap(10);
    assert.is(radio.modulation?.txPowerDbm, 10, 'the chip transmits at the cap');
    assert.is(radio.receiving, true, 'and listens again');
    await bearer.setTxPowerCap(20);
    assert.is(radio.modulation?.txPowerDbm, 14, 'a cap above the configured power is the configured power');
    await bearer.setTxPowerCap(10);
    await bearer.setTxPowerCap(undefined);
    assert.is(radio.modulation?.txPowerDbm, 14, 'lifted: as configured');
    assert.is(bearer.txPowerDbm, 14);
  } finally {
    await bearer.stop();
  }
});

test('setAdvertIntervalFactor stretches the periodic advert and puts it back', async () => {
  const air = new FakeLoraAir(() => true, 0.01);
  const { modulation } = latticeModulation({ preset: 'ShortFast', region: 'EU_868' });
  const radio = air.radio();
  const bearer = new LoraBearer({ name: 'lora0', radio, nodeId: generateIdentity().nodeId, modulation, region: EU868, ledger: new AirtimeLedger(), advertIntervalMs: 600_000, advertJitterMs: 0, advertOnStart: false });
  await bearer.start();
  try {
    assert.is(bearer.advertIntervalMs, 600_000);
    bearer.setAdvertIntervalFactor(4);
    assert.is(bearer.advertIntervalMs, 2_400_000);
    bearer.setAdvertIntervalFactor(1);
    assert.is(bearer.advertIntervalMs, 600_000);
  } finally {
    await bearer.stop();
  }
});

test.run();
