/** The driver's SPI byte stream against golden traces derived from the datasheet and RadioLib (testing/golden-traces.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TracingSpiDevice } from '../hal/tracing-spi-device.js';
import { SpiHal } from './spi-hal.js';
import { Sx126xRadio } from './sx126x-radio.js';
import { EmulatedSx126x } from './sim/emulated-sx126x.js';
import {
  compareTrace, GOLDEN_CONFIGURE, GOLDEN_INIT, GOLDEN_MODULATION, GOLDEN_RX_START, GOLDEN_TX, goldenInit, goldenRxPacket,
} from './testing/golden-traces.js';
import { createSimClock } from './sim/sim-clock.js';
import { SimulatedAir } from './sim/simulated-air.js';
import type { RxPacket } from './lora-radio.js';

function rig(name: string, air: SimulatedAir, clock: ReturnType<typeof createSimClock>, x: number) {
  const chip = new EmulatedSx126x({ name, clock });
  air.attach(chip, { x, y: 0 });
  const spi = new TracingSpiDevice(chip.spi);
  const radio = new Sx126xRadio({ hal: new SpiHal({ spi, pins: { busy: chip.busy, dio1: chip.dio1, nreset: chip.nreset } }) });
  return { chip, spi, radio };
}

test('init, configure, TX and RX traces match the golden sequences', async () => {
  const clock = createSimClock({ timeScale: 0.05 });
  const air = new SimulatedAir({ clock });
  const a = rig('a', air, clock, 0);
  const b = rig('b', air, clock, 50);
  try {
    await a.radio.start();
    assert.equal(compareTrace(a.spi.trace, GOLDEN_INIT), []);
    // The refused first SetStandby shows the stale "failure to execute" status (0xAA), as in RadioLib#907.
    assert.is(a.spi.trace[0]!.miso[1], 0xaa);
    assert.is(a.spi.trace[1]!.miso[1], 0xa2);
    assert.is(new TextDecoder().decode(a.spi.trace[3]!.miso.subarray(4, 19)), 'SX1261 V2D 2D02');
    a.spi.clear();
    await a.radio.configure(GOLDEN_MODULATION);
    assert.equal(compareTrace(a.spi.trace, GOLDEN_CONFIGURE), []);

    await b.radio.configure(GOLDEN_MODULATION);
    b.spi.clear();
    await b.radio.startReceive();
    assert.equal(compareTrace(b.spi.trace, GOLDEN_RX_START), []);
    b.spi.clear();
    const got = new Promise<RxPacket>((resolve) => b.radio.onPacket(resolve));

    a.spi.clear();
    await a.radio.transmit(Uint8Array.of(0x68, 0x69));
    assert.equal(compareTrace(a.spi.trace, GOLDEN_TX), []);
    const p = await got;
    assert.equal(Array.from(p.payload), [0x68, 0x69]);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(compareTrace(b.spi.trace, goldenRxPacket(2)), []);
    assert.equal(a.chip.violations, []);
    assert.equal(b.chip.violations, []);
  } finally {
    await a.radio.close();
    await b.radio.close();
  }
});

test('TCXO board init inserts ClearDeviceErrors and SetDIO3AsTCXOCtrl(1.8 V, 5 ms)', async () => {
  const clock = createSimClock({ timeScale: 0.05 });
  const chip = new EmulatedSx126x({ name: 't', clock, tcxo: true });
  const spi = new TracingSpiDevice(chip.spi);
  const radio = new Sx126xRadio({ hal: new SpiHal({ spi, pins: { busy: chip.busy, dio1: chip.dio1, nreset: chip.nreset } }), tcxoVoltage: 1.8 });
  try {
    await radio.start();
    assert.equal(compareTrace(spi.trace, goldenInit({ tcxoVoltageCode: 2 })), []);
  } finally {
    await radio.close();
  }
});

test('compareTrace reports a wrong byte', () => {
  const problems = compareTrace([{ mosi: Uint8Array.of(0x80, 0x01), miso: new Uint8Array(2) }], ['80 00']);
  assert.is(problems.length, 1);
});

test.run();
