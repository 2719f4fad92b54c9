/**
 * A chip that resets on its own (brown-out, ESD): the emulator comes back as a freshly reset chip, a driver without
 * the health check stays deaf, ours finds the reset (timer, or the failure it causes) and re-initialises.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LoraModulation, LoraRadioEvent, RxPacket } from './lora-radio.js';
import { createEmulatedRadios } from './sim/emulated-radios.js';
import { EmulatedSx126x } from './sim/emulated-sx126x.js';
import { createSimClock } from './sim/sim-clock.js';
import { waitFor } from '../../lib/testing/wait-for.js';

const BASE: LoraModulation = {
  frequencyHz: 869_462_500, spreadingFactor: 7, bandwidthHz: 125_000, codingRate: 5, preambleLength: 8,
  syncWord: 0x24, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm: 14,
};
const until = (what: string, cond: () => boolean) => waitFor(what, cond, 5000, 2);

test('emulator: reset on its own -> STDBY_RC, packet type GFSK, registers at reset values', async () => {
  const chip = new EmulatedSx126x({ name: 'r', clock: createSimClock({ timeScale: 0.1 }) });
  const xfer = async (...bytes: number[]) => {
    await until('BUSY low', () => chip.busy.value === 0);
    return chip.spi.transfer(Uint8Array.from(bytes));
  };
  await xfer(0x80, 0x00); // SetStandby
  await xfer(0x8a, 0x01); // SetPacketType(LoRa)
  await xfer(0x0d, 0x07, 0x40, 0x24, 0x44); // sync word 0x2444
  await xfer(0x0d, 0x08, 0xd8, 0xde); // TX clamp bits set
  assert.is((await xfer(0x11, 0x00, 0x00))[2], 0x01);
  chip.resetOnItsOwn();
  assert.is(chip.busy.value, 1, 'BUSY high through start-up');
  const status = await xfer(0xc0, 0x00);
  assert.is((status[1]! >> 4) & 7, 2, 'STDBY_RC');
  assert.is((status[1]! >> 1) & 7, 5, 'the stale "failure to execute" of a fresh reset');
  assert.is((await xfer(0x11, 0x00, 0x00))[2], 0x00, 'packet type GFSK');
  const sync = await xfer(0x1d, 0x07, 0x40, 0x00, 0x00, 0x00);
  assert.equal([sync[4], sync[5]], [0x14, 0x24], 'sync word back at its reset value');
  assert.is(chip.register(0x08d8), 0xc8, 'TX clamp back at its reset value');
  assert.equal(chip.violations, []);
});

// Table: the same silent reset of the receiver, with and without the periodic health check.
const RX_CASES: Array<{ name: string; healthCheckIntervalMs: number; recovers: boolean }> = [
  { name: 'no periodic health check (the fault): deaf', healthCheckIntervalMs: 0, recovers: false },
  { name: 'health check every 200 ms of chip time: receives again', healthCheckIntervalMs: 200, recovers: true },
];

for (const c of RX_CASES) {
  test(`receiver resets on its own: ${c.name}`, async () => {
    const sim = createEmulatedRadios({ nodes: ['a', 'b'], timeScale: 0.05, radio: { healthCheckIntervalMs: c.healthCheckIntervalMs } });
    try {
      const [a, b] = sim.radios;
      const bChip = sim.node('b').chip;
      await a!.configure(BASE);
      await b!.configure(BASE);
      const atB: RxPacket[] = [];
      b!.onPacket((p) => atB.push(p));
      const events: LoraRadioEvent[] = [];
      b!.onEvent((e) => events.push(e));
      const errors: Error[] = [];
      b!.onError((e) => errors.push(e));
      await b!.startReceive();
      await a!.transmit(Uint8Array.of(1));
      await until('packet 1 at B', () => atB.length === 1);

      bChip.resetOnItsOwn();
      if (c.recovers) {
        await until('B re-initialised and back in RX', () => b!.stats.reinitialisations === 1 && bChip.chipMode === 'rx');
        // Usually "chip mode StbyRc, expected Rx"; a check already under way when the chip reset sees the stale error
        // status of the fresh chip instead.
        assert.is(events.length, 1);
        assert.equal(events[0] && [events[0].type, (events[0] as { trigger: string }).trigger], ['reinitialised', 'timer']);
        assert.match((events[0] as { mismatch: string }).mismatch, /chip mode StbyRc, expected Rx|status byte 0xaa/);
        assert.is(errors[0]?.name, 'Sx126xChipResetError');
      }
      // transmit() resolves at A's TxDone, after the frame has ended on the air at B.
      await a!.transmit(Uint8Array.of(2));
      if (c.recovers) {
        await until('packet 2 at B', () => atB.length === 2);
        assert.equal(Array.from(atB[1]!.payload), [2]);
        assert.is(atB[1]!.crcError, false);
      } else {
        assert.is(bChip.chipMode, 'stbyRc', 'the chip sits in standby: nothing will ever be received');
        assert.is(atB.length, 1, 'packet 2 was not received');
        assert.is(b!.stats.reinitialisations, 0);
      }
      assert.equal(bChip.violations, []);
    } finally {
      await sim.close();
    }
  });
}

test('transmitter resets on its own: the failed transmit triggers the health check, re-init, and the frame goes', async () => {
  const sim = createEmulatedRadios({ nodes: ['a', 'b'], timeScale: 0.05, radio: { healthCheckIntervalMs: 0 } });
  try {
    const [a, b] = sim.radios;
    await a!.configure(BASE);
    await b!.configure(BASE);
    const atB: RxPacket[] = [];
    b!.onPacket((p) => atB.push(p));
    await b!.startReceive();
    const events: LoraRadioEvent[] = [];
    a!.onEvent((e) => events.push(e));
    sim.node('a').chip.resetOnItsOwn();
    await a!.transmit(Uint8Array.of(3, 4));
    await until('the frame at B', () => atB.length === 1);
    assert.equal(Array.from(atB[0]!.payload), [3, 4]);
    assert.is(a!.stats.reinitialisations, 1);
    assert.is(events.length, 1);
    assert.is(events[0]!.type === 'reinitialised' && events[0]!.trigger, 'error');
    // What the check saw first: the mode (the reset left the chip in STDBY_RC, where the driver left it) matches, so
    // the packet type tells.
    assert.match((events[0] as { mismatch: string }).mismatch, /packet type 0x00/);
    assert.equal(sim.node('a').chip.violations, []);
  } finally {
    await sim.close();
  }
});

test('health check on a healthy chip: counted, never re-initialises (standby and RX, every sync word)', async () => {
  // 0x12 is the private sync word, whose registers (0x1424) equal the reset value: the TX clamp read-back still tells.
  for (const syncWord of [0x12, 0x24, 0x2b]) {
    const sim = createEmulatedRadios({ nodes: ['a'], timeScale: 0.05, radio: { healthCheckIntervalMs: 20 } });
    try {
      const [a] = sim.radios;
      await a!.configure({ ...BASE, syncWord });
      await until('health checks in standby', () => a!.stats.healthChecks >= 3);
      await a!.startReceive();
      const before = a!.stats.healthChecks;
      await until('health checks in RX', () => a!.stats.healthChecks >= before + 3);
      assert.is(a!.stats.reinitialisations, 0, `sync word 0x${syncWord.toString(16)}`);
      sim.node('a').chip.resetOnItsOwn();
      await until('re-initialised', () => a!.stats.reinitialisations === 1 && sim.node('a').chip.chipMode === 'rx');
    } finally {
      await sim.close();
    }
  }
});

test.run();
