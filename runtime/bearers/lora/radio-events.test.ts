/**
 * The LoRa bearer and a radio that handles things by itself (drivers/sx126x LoraRadioEvent): one place listens before
 * talking, the radio's busy CADs and re-initialisations are counted, a busy channel is not a radio fault.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Sx126xChannelBusyError } from '../../../drivers/sx126x/errors.js';
import { latticeModulation } from '../../../lib/lora/lattice-presets.js';
import { EU868 } from '../../../lib/lora/regions.js';
import { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { BROADCAST } from '../../bearer/bearer.js';
import { setLogSink } from '../../log/logger.js';
import { createMetrics } from '../../metrics/metrics.js';
import { LoraBearer } from './lora-bearer.js';
import { FakeLoraAir, type FakeRadio } from './testing/fake-lora-air.js';

setLogSink(() => undefined, 'silent');

function bearerOn(radio: FakeRadio, metrics = createMetrics({ defaultMetrics: false })) {
  const { modulation } = latticeModulation({ preset: 'ShortFast', region: 'EU_868' });
  const bearer = new LoraBearer({
    name: 'lora0', radio, nodeId: new Uint8Array(32).fill(7), modulation, region: EU868, ledger: new AirtimeLedger(),
    advertIntervalMs: 0, advertOnStart: false, listenBeforeTalk: true, metrics,
  });
  return { bearer, metrics };
}
const frame = new Uint8Array([0x11, 1, 2, 3]);

// Table: who listens before talking, by what the radio says of itself.
const CASES: Array<{ name: string; radioListens: boolean; governorCads: number }> = [
  { name: 'a radio that does not listen itself: the governor CADs', radioListens: false, governorCads: 1 },
  { name: 'a radio that listens itself (SX126x driver): the governor does not CAD again', radioListens: true, governorCads: 0 },
];
for (const c of CASES) {
  test(`listen before talk in one place: ${c.name}`, async () => {
    const radio = new FakeLoraAir().radio();
    radio.listensBeforeTalk = c.radioListens;
    const { bearer } = bearerOn(radio);
    await bearer.start();
    try {
      assert.is(await bearer.send({ peer: BROADCAST, kind: 'control', bytes: frame }), 'accepted');
      assert.is(radio.cads, c.governorCads);
    } finally {
      await bearer.stop();
    }
  });
}

test('the radio\'s busy CADs and re-initialisations are counted; its busy give-up is ChannelBusyError, not a fault', async () => {
  const radio = new FakeLoraAir().radio();
  radio.listensBeforeTalk = true;
  const { bearer, metrics } = bearerOn(radio);
  await bearer.start();
  try {
    radio.emitEvent({ type: 'channel-busy', attempt: 1, attempts: 5 });
    radio.emitEvent({ type: 'reinitialised', trigger: 'timer', mismatch: 'chip mode StbyRc, expected Rx' });
    assert.is(bearer.metrics.counters.channel_busy, 1);
    assert.is(bearer.metrics.counters['radio_reinitialisations.timer'], 1);
    const text = await metrics.render();
    assert.match(text, /lattice_lora_radio_reinitialisations_total\{bearer="lora0",trigger="timer"\} 1/);
    assert.match(text, /lattice_lora_channel_busy_total\{bearer="lora0"\} 1/);
    // Three give-ups in a row: each rejects as ChannelBusyError, and the bearer stays up (a radio fault would not).
    radio.transmit = async () => { throw new Sx126xChannelBusyError(5); };
    for (let i = 0; i < 3; i++) {
      const err = await bearer.send({ peer: BROADCAST, kind: 'control', bytes: frame }).then(() => undefined, (e: Error) => e);
      assert.is(err?.name, 'ChannelBusyError');
    }
    assert.is(bearer.status().state, 'up');
  } finally {
    await bearer.stop();
  }
  radio.emitEvent({ type: 'channel-busy', attempt: 1, attempts: 5 });
  assert.is(bearer.metrics.counters.channel_busy, 1, 'unsubscribed at stop');
});

test.run();
