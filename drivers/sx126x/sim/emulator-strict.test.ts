/**
 * The emulator is as strict as a board: each driver fault of driver-faults.ts is shown twice, once with a hand-written
 * command sequence that has the fault (the emulator flags it, and where the board would punish it the test sees the
 * consequence), once with our driver on the same emulated board (no fault). Plus the chip's reset state (GFSK
 * parameters accepted) and SF orthogonality on the in-process air.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { Boards, type BoardName } from '../boards.js';
import { Irq } from '../irq.js';
import type { LoraModulation, RxPacket } from '../lora-radio.js';
import { frequencyToFrf } from '../modulation.js';
import { Opcode } from '../opcodes.js';
import { SpiHal } from '../spi-hal.js';
import { CommandStatus } from '../status.js';
import { Sx126xRadio } from '../sx126x-radio.js';
import type { Sx126xVariant } from '../variant.js';
import { createEmulatedRadios } from './emulated-radios.js';
import { EmulatedSx126x, type EmulatedSx126xOptions } from './emulated-sx126x.js';
import { createSimClock, type SimClock } from './sim-clock.js';
import { SimulatedAir } from './simulated-air.js';

const MOD: LoraModulation = {
  frequencyHz: 869_525_000, spreadingFactor: 7, bandwidthHz: 125_000, codingRate: 5, preambleLength: 8,
  syncWord: 0x12, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm: 14,
};

// ------------------------------------------------------------------ a hand-written driver

async function cmd(chip: EmulatedSx126x, ...bytes: number[]): Promise<Uint8Array> {
  await waitFor('BUSY low', () => chip.busy.value === 0, 5000, 1);
  return chip.spi.transfer(Uint8Array.from(bytes));
}

interface HandConfig {
  frequencyHz?: number;
  /** CalibrateImage (f1, f2), or none. */
  image?: [number, number];
  pa?: [number, number, number, number];
  dio2?: boolean;
  tcxoCode?: number;
}

/** The datasheet §14.2 order written by hand; every step can be left out or changed to make a fault. */
async function handConfigure(chip: EmulatedSx126x, o: HandConfig = {}): Promise<void> {
  const frf = frequencyToFrf(o.frequencyHz ?? MOD.frequencyHz);
  await cmd(chip, Opcode.SetStandby, 0x00);
  if (o.tcxoCode !== undefined) await cmd(chip, Opcode.SetDio3AsTcxoCtrl, o.tcxoCode, 0x00, 0x01, 0x40);
  await cmd(chip, Opcode.SetPacketType, 0x01);
  await cmd(chip, Opcode.SetBufferBaseAddress, 0x00, 0x00);
  await cmd(chip, Opcode.Calibrate, 0x7f);
  if (o.image) await cmd(chip, Opcode.CalibrateImage, ...o.image);
  await cmd(chip, Opcode.SetRfFrequency, frf >>> 24, (frf >>> 16) & 0xff, (frf >>> 8) & 0xff, frf & 0xff);
  await cmd(chip, Opcode.SetPaConfig, ...(o.pa ?? [0x04, 0x07, 0x00, 0x01]));
  await cmd(chip, Opcode.SetTxParams, 14, 0x04);
  await cmd(chip, Opcode.SetModulationParams, 7, 0x04, 0x01, 0x00);
  await cmd(chip, Opcode.SetPacketParams, 0x00, 0x08, 0x00, 0xff, 0x01, 0x00);
  if (o.dio2 ?? true) await cmd(chip, Opcode.SetDio2AsRfSwitchCtrl, 0x01);
}

async function handRx(chip: EmulatedSx126x): Promise<void> {
  await cmd(chip, Opcode.SetDioIrqParams, 0x02, 0x76, 0x00, 0x02, 0, 0, 0, 0);
  await cmd(chip, Opcode.SetRx, 0xff, 0xff, 0xff);
}

async function handTx(chip: EmulatedSx126x, payload: number[]): Promise<void> {
  await cmd(chip, Opcode.SetPacketParams, 0x00, 0x08, 0x00, payload.length, 0x01, 0x00);
  await cmd(chip, Opcode.SetDioIrqParams, 0x02, 0x01, 0x00, 0x01, 0, 0, 0, 0);
  await cmd(chip, Opcode.WriteBuffer, 0x00, ...payload);
  await cmd(chip, Opcode.ClearIrqStatus, 0x43, 0xff);
  await cmd(chip, Opcode.SetTx, 0, 0, 0);
  await waitFor('TxDone', () => (chip.irqStatus & Irq.TxDone) !== 0, 5000, 1);
}

function rig(opts: Partial<EmulatedSx126xOptions> = {}, clock: SimClock = createSimClock({ timeScale: 0.02 })) {
  const air = new SimulatedAir({ clock });
  const chip = new EmulatedSx126x({ name: 'hand', clock, ...opts });
  air.attach(chip, { x: 0, y: 0 });
  return { air, chip, clock };
}

function driverOn(chip: EmulatedSx126x, init: Partial<ConstructorParameters<typeof Sx126xRadio>[0]> = {}): Sx126xRadio {
  return new Sx126xRadio({ hal: new SpiHal({ spi: chip.spi, pins: { busy: chip.busy, dio1: chip.dio1, nreset: chip.nreset } }), ...init });
}

const kinds = (chip: EmulatedSx126x) => chip.driverFaults.map((f) => f.kind);

function nextPacket(radio: Sx126xRadio): Promise<RxPacket> {
  return new Promise((resolve) => {
    const off = radio.onPacket((p) => {
      off();
      resolve(p);
    });
  });
}

// ------------------------------------------------------------------ RX buffer start pointer

test('RX buffer: in continuous RX the second packet starts where the first ended; reading at the base is flagged and wrong', async () => {
  const { air, chip: rx, clock } = rig();
  const txChip = new EmulatedSx126x({ name: 'tx', clock });
  air.attach(txChip, { x: 50, y: 0 });
  const tx = driverOn(txChip);
  try {
    await tx.configure(MOD);
    await handConfigure(rx, { image: [0xd7, 0xdb] });
    await handRx(rx);
    const reads: string[] = [];
    for (const text of ['AAA', 'BBBBB']) {
      await tx.transmit(new TextEncoder().encode(text));
      await waitFor('RxDone', () => (rx.irqStatus & Irq.RxDone) !== 0, 5000, 1);
      const status = await cmd(rx, Opcode.GetRxBufferStatus, 0, 0, 0);
      const [len, start] = [status[2]!, status[3]!];
      // The faulty driver reads at the RX base address it set (0); a correct one at the start GetRxBufferStatus gives.
      const atBase = await cmd(rx, Opcode.ReadBuffer, 0x00, 0x00, ...new Array<number>(len).fill(0));
      const atStart = await cmd(rx, Opcode.ReadBuffer, start, 0x00, ...new Array<number>(len).fill(0));
      reads.push(`${start}:${new TextDecoder().decode(atBase.subarray(3))}/${new TextDecoder().decode(atStart.subarray(3))}`);
      await cmd(rx, Opcode.ClearIrqStatus, 0x43, 0xff);
    }
    assert.equal(reads, ['0:AAA/AAA', '3:AAABB/BBBBB']);
    assert.equal(kinds(rx), ['rx-buffer-offset']);
  } finally {
    await tx.close();
  }
});

test('RX buffer: our driver reads each packet at its start offset (0, then 3) and gets both right', async () => {
  const sim = createEmulatedRadios({ nodes: ['a', 'b'], timeScale: 0.02 });
  try {
    const [a, b] = sim.radios;
    await a!.configure(MOD);
    await b!.configure(MOD);
    await b!.startReceive();
    const got: string[] = [];
    for (const text of ['AAA', 'BBBBB']) {
      const p = nextPacket(b!);
      await a!.transmit(new TextEncoder().encode(text));
      got.push(new TextDecoder().decode((await p).payload));
    }
    assert.equal(got, ['AAA', 'BBBBB']);
    const offsets = sim.node('b').chip.commandLog.filter((c) => c.opcode === Opcode.ReadBuffer).map((c) => c.data[0]);
    assert.equal(offsets, [0, 3]);
    for (const n of sim.nodes) assert.equal(n.chip.driverFaults, []);
  } finally {
    await sim.close();
  }
});

// ------------------------------------------------------------------ TCXO voltage

test('TCXO: 3.3 V on a module rated 1.8 V is flagged (and thrown with strictDriver)', async () => {
  const { chip } = rig({ tcxoVoltage: 1.8 });
  await handConfigure(chip, { tcxoCode: 7, image: [0xd7, 0xdb] });
  assert.equal(kinds(chip), ['tcxo-overvoltage']);
  const strict = rig({ tcxoVoltage: 1.8, strictDriver: true }).chip;
  await cmd(strict, Opcode.SetStandby, 0x00);
  await cmd(strict, Opcode.SetDio3AsTcxoCtrl, 0x07, 0x00, 0x01, 0x40).then(
    () => assert.unreachable('strictDriver throws'),
    (e: Error) => assert.is(e.name, 'EmulatorDriverFaultError'),
  );
});

test('every board profile: our driver on its emulated board (TCXO rating, DIO2 switch, variant) raises no fault', async () => {
  const names = Object.keys(Boards) as BoardName[];
  const sim = createEmulatedRadios({ nodes: names.map((board) => ({ name: board, board })), timeScale: 0.02, strictDriver: true });
  try {
    for (const n of sim.nodes) {
      const variant: Sx126xVariant = Boards[n.name as BoardName].variant;
      await n.radio.configure({ ...MOD, frequencyHz: variant === 'sx1268' ? 433_875_000 : 869_525_000 });
      await n.radio.transmit(Uint8Array.of(1, 2, 3));
      assert.equal(n.chip.driverFaults, [], n.name);
    }
    assert.is(sim.air.log.length, names.length, 'every board radiated its frame');
  } finally {
    await sim.close();
  }
});

// ------------------------------------------------------------------ PA selection

test('PA: the low-power PA (deviceSel 1) on an SX1262 is flagged and nothing reaches the air; the HP PA does', async () => {
  const lp = rig();
  await handConfigure(lp.chip, { image: [0xd7, 0xdb], pa: [0x04, 0x00, 0x01, 0x01] });
  await handTx(lp.chip, [1, 2, 3]);
  assert.equal(kinds(lp.chip), ['low-power-pa']);
  assert.is(lp.air.log.length, 0);
  const hp = rig();
  await handConfigure(hp.chip, { image: [0xd7, 0xdb] });
  await handTx(hp.chip, [1, 2, 3]);
  assert.equal(kinds(hp.chip), []);
  assert.is(hp.air.log.length, 1);
});

test('PA: our driver radiates the configured power on SX1262 and SX1268 (RadioLib table rows map back to the dBm)', async () => {
  for (const [variant, frequencyHz] of [['sx1262', 869_525_000], ['sx1268', 433_875_000]] as const) {
    for (const txPowerDbm of [-9, 5, 14, 22]) {
      const { air, chip } = rig({ variant });
      const radio = driverOn(chip, { variant });
      try {
        await radio.configure({ ...MOD, frequencyHz, txPowerDbm });
        await radio.transmit(Uint8Array.of(7));
        assert.equal(kinds(chip), []);
        assert.is(air.log[0]!.txPowerDbm, txPowerDbm, `${variant} ${txPowerDbm} dBm`);
      } finally {
        await radio.close();
      }
    }
  }
});

// ------------------------------------------------------------------ image calibration

test('image calibration: 430–440 MHz calibration at 869.525 MHz, and none at all at 433 MHz (power-on: 902–928), are flagged', async () => {
  const wrong = rig();
  await handConfigure(wrong.chip, { image: [0x6b, 0x6f] });
  await handRx(wrong.chip);
  assert.equal(kinds(wrong.chip), ['image-calibration-band']);
  const none = rig({ variant: 'sx1268' });
  await handConfigure(none.chip, { frequencyHz: 433_875_000 });
  await handRx(none.chip);
  assert.equal(kinds(none.chip), ['image-calibration-band']);
  const right = rig();
  await handConfigure(right.chip, { image: [0xd7, 0xdb] });
  await handRx(right.chip);
  assert.equal(kinds(right.chip), []);
});

test('image calibration: our driver calibrates for every band it is moved to, also a move under 20 MHz out of the range', async () => {
  for (const [variant, freqs] of [['sx1262', [869_525_000, 915_000_000, 868_100_000, 150_500_000]], ['sx1268', [433_875_000, 446_000_000, 460_000_000, 470_300_000, 505_000_000]]] as const) {
    const { chip } = rig({ variant });
    const radio = driverOn(chip, { variant });
    try {
      for (const frequencyHz of freqs) {
        await radio.configure({ ...MOD, frequencyHz });
        await radio.startReceive();
        await radio.transmit(Uint8Array.of(1));
        assert.equal(chip.driverFaults, [], `${variant} ${frequencyHz}`);
      }
    } finally {
      await radio.close();
    }
  }
});

// ------------------------------------------------------------------ DIO2 RF switch

test('DIO2 switch: a board whose RF switch DIO2 drives radiates nothing unless SetDIO2AsRfSwitchCtrl(1) was sent', async () => {
  const off = rig({ dio2RfSwitch: true });
  await handConfigure(off.chip, { image: [0xd7, 0xdb], dio2: false });
  await handTx(off.chip, [1, 2, 3]);
  assert.equal(kinds(off.chip), ['dio2-rf-switch-off']);
  assert.is(off.air.log.length, 0);
  // Our driver with dio2RfSwitch: false (a RXEN/TXEN board's setting) on this board makes the same fault.
  const misconfigured = rig({ dio2RfSwitch: true });
  const wrong = driverOn(misconfigured.chip, { dio2RfSwitch: false });
  const ours = rig({ dio2RfSwitch: true });
  const right = driverOn(ours.chip);
  try {
    await wrong.configure(MOD);
    await wrong.transmit(Uint8Array.of(1));
    assert.equal(kinds(misconfigured.chip), ['dio2-rf-switch-off']);
    await right.configure(MOD);
    await right.transmit(Uint8Array.of(1));
    assert.equal(kinds(ours.chip), []);
    assert.is(ours.air.log.length, 1);
  } finally {
    await wrong.close();
    await right.close();
  }
});

// ------------------------------------------------------------------ transmit from RX

test('transmit from RX: WriteBuffer and SetTx in RX are flagged; our driver goes to standby first', async () => {
  const hand = rig();
  await handConfigure(hand.chip, { image: [0xd7, 0xdb] });
  await handRx(hand.chip);
  await handTx(hand.chip, [1, 2, 3]);
  assert.equal(kinds(hand.chip), ['buffer-write-while-receiving', 'tx-while-receiving']);
  const { air, chip } = rig();
  const radio = driverOn(chip);
  try {
    await radio.configure(MOD);
    await radio.startReceive();
    await radio.transmit(Uint8Array.of(1, 2, 3));
    await radio.transmit(Uint8Array.of(4, 5));
    assert.equal(kinds(chip), []);
    assert.is(air.log.length, 2);
    assert.is(chip.chipMode, 'rx', 'back in RX after transmitting');
  } finally {
    await radio.close();
  }
});

// ------------------------------------------------------------------ reset state, SF orthogonality, RX gain retention

test('after reset the packet type is GFSK: GFSK modulation (8 bytes) and packet (9 bytes) parameters are accepted', async () => {
  const { chip } = rig();
  await cmd(chip, Opcode.SetStandby, 0x00);
  const type = await cmd(chip, Opcode.GetPacketType, 0, 0);
  assert.is(type[2], 0x00);
  await cmd(chip, Opcode.SetModulationParams, 0x00, 0x50, 0x00, 0x09, 0x1a, 0x00, 0x0c, 0xcd); // 50 kb/s, BT 0.5 off, 117 kHz, 50 kHz dev
  assert.is(((await cmd(chip, Opcode.GetStatus, 0))[1]! >> 1) & 7, CommandStatus.Ok, 'accepted');
  await cmd(chip, Opcode.SetPacketParams, 0x00, 0x20, 0x04, 0x10, 0x00, 0x00, 0xff, 0x01, 0x00);
  assert.is(((await cmd(chip, Opcode.GetStatus, 0))[1]! >> 1) & 7, CommandStatus.Ok, 'accepted');
  assert.equal(chip.commandLog.filter((c) => c.opcode === Opcode.SetModulationParams || c.opcode === Opcode.SetPacketParams).map((c) => c.status), [CommandStatus.Ok, CommandStatus.Ok]);
});

test('spreading factors do not collide on the in-process air: SF9 over an SF7 frame leaves it intact, another SF7 breaks it', async () => {
  const clock = createSimClock({ timeScale: 0.02 });
  const air = new SimulatedAir({ clock });
  const rx = new EmulatedSx126x({ name: 'rx', clock });
  const a = new EmulatedSx126x({ name: 'a', clock });
  const b = new EmulatedSx126x({ name: 'b', clock });
  air.attach(rx, { x: 0, y: 0 });
  air.attach(a, { x: 100, y: 0 });
  air.attach(b, { x: 120, y: 0 }); // ~2.4 dB weaker than a at rx: inside the 6 dB capture margin
  const radio = driverOn(rx);
  const frame = (from: string, sf: number, text: string) => ({
    from, frf: frequencyToFrf(MOD.frequencyHz), frequencyHz: MOD.frequencyHz, sf, bandwidthHz: 125_000, codingRate: 5, ldro: false,
    preamble: 8, explicitHeader: true, crcOn: true, invertIq: false, syncWord: 0x1424, payload: new TextEncoder().encode(text), txPowerDbm: 14,
  });
  try {
    await radio.configure(MOD);
    await radio.startReceive();
    const results: boolean[] = [];
    for (const interfererSf of [9, 7]) {
      const p = nextPacket(radio);
      air.transmit(a, frame('a', 7, 'wanted'), 60);
      air.transmit(b, frame('b', interfererSf, 'other'), 40);
      const got = await p;
      assert.equal(got.payload.length, 6);
      results.push(got.crcError);
    }
    assert.equal(results, [false, true]);
  } finally {
    await radio.close();
  }
});

test('RX boosted gain: our driver puts 0x08AC in the retention list, so it survives a warm-start sleep; without it the gain is lost', async () => {
  const { chip } = rig();
  const radio = driverOn(chip, { rxBoostedGain: true });
  try {
    await radio.configure(MOD);
    assert.is(chip.register(0x08ac), 0x96);
    await cmd(chip, Opcode.SetSleep, 0x04); // warm start
    await chip.spi.transfer(Uint8Array.of(Opcode.GetStatus, 0)); // NSS edge wakes it
    assert.is(chip.chipMode, 'stbyRc');
    assert.is(chip.register(0x08ac), 0x96);
  } finally {
    await radio.close();
  }
  const hand = rig().chip;
  await cmd(hand, Opcode.SetStandby, 0x00);
  await cmd(hand, Opcode.WriteRegister, 0x08, 0xac, 0x96);
  await cmd(hand, Opcode.SetSleep, 0x04);
  await hand.spi.transfer(Uint8Array.of(Opcode.GetStatus, 0));
  assert.is(hand.register(0x08ac), 0x94);
});

test.run();
