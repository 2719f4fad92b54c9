/** The driver on emulated chips and the simulated air: matching, range, collisions, CAD, faults and recovery. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LoraModulation, LoraRadio, RxPacket } from './lora-radio.js';
import { createEmulatedRadios } from './sim/emulated-radios.js';
import { EmulatedLine } from './sim/emulated-line.js';
import { EmulatedSx126x } from './sim/emulated-sx126x.js';
import { createSimClock } from './sim/sim-clock.js';
import { SimulatedAir } from './sim/simulated-air.js';
import { SpiHal } from './spi-hal.js';
import { Sx126xRadio } from './sx126x-radio.js';
import { waitFor } from '../../lib/testing/wait-for.js';

const BASE: LoraModulation = {
  frequencyHz: 869_462_500, spreadingFactor: 7, bandwidthHz: 125_000, codingRate: 5, preambleLength: 8,
  syncWord: 0x24, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm: 14,
};
const SCALE = 0.05;

function collect(radio: LoraRadio): RxPacket[] {
  const got: RxPacket[] = [];
  radio.onPacket((p) => got.push(p));
  return got;
}
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits for a reception on the emulated air; polls often, the air runs scaled down. */
const until = (what: string, cond: () => boolean) => waitFor(what, cond, 5000, 2);

test('delivery only between matching frequency, SF, BW, sync word and IQ', async () => {
  const variants: Array<[string, Partial<LoraModulation>, boolean]> = [
    ['same settings', {}, true],
    ['other frequency', { frequencyHz: 869_587_500 }, false],
    ['other SF', { spreadingFactor: 8 }, false],
    ['other BW', { bandwidthHz: 250_000 }, false],
    ['other sync word', { syncWord: 0x12 }, false],
    ['inverted IQ', { invertIq: true }, false],
    ['explicit header carries CR', { codingRate: 8 }, true],
    ['implicit-header receiver', { explicitHeader: false, implicitPayloadLength: 5 }, false],
  ];
  const sim = createEmulatedRadios({ nodes: ['tx', ...variants.map((_, i) => `rx${i}`)], timeScale: SCALE });
  try {
    const [tx, ...rxs] = sim.radios;
    await tx!.configure(BASE);
    const boxes = await Promise.all(rxs.map(async (r, i) => {
      await r.configure({ ...BASE, ...variants[i]![1] });
      await r.startReceive();
      return collect(r);
    }));
    await tx!.transmit(new TextEncoder().encode('match'));
    await until('every matching receiver to get the frame', () => variants.every(([, , want], i) => !want || boxes[i]!.length > 0));
    await wait(30);
    variants.forEach(([name, , want], i) => {
      const good = boxes[i]!.filter((p) => !p.crcError);
      assert.is(good.length, want ? 1 : 0, name);
    });
  } finally {
    await sim.close();
  }
});

test('implicit header: delivery only with matching CR, CRC and length', async () => {
  const imp = { ...BASE, explicitHeader: false, implicitPayloadLength: 4 };
  const sim = createEmulatedRadios({ nodes: ['tx', 'same', 'cr', 'crc'], timeScale: SCALE });
  try {
    const [tx, same, cr, crc] = sim.radios;
    await tx!.configure(imp);
    await same!.configure(imp);
    await cr!.configure({ ...imp, codingRate: 8 });
    await crc!.configure({ ...imp, crcOn: false });
    const boxes = [collect(same!), collect(cr!), collect(crc!)];
    for (const r of [same!, cr!, crc!]) await r.startReceive();
    await tx!.transmit(Uint8Array.of(1, 2, 3, 4));
    await until('all three receivers to demodulate something', () => boxes.every((b) => b.length > 0));
    assert.ok(boxes.every((b) => b.length > 0), 'all three demodulated something');
    assert.equal(Array.from(boxes[0]![0]!.payload), [1, 2, 3, 4]);
    assert.is(boxes[0]![0]!.crcError, false);
    assert.ok(boxes[1]!.every((p) => p.crcError), 'CR mismatch decodes garbage flagged by CRC');
    assert.ok(boxes[2]!.every((p) => !(p.payload[0] === 1 && p.payload[3] === 4)), 'CRC mismatch garbles');
  } finally {
    await sim.close();
  }
});

test('RSSI falls with distance; out of range delivers nothing (A and C hear only B)', async () => {
  const sim = createEmulatedRadios({
    nodes: [{ name: 'a', x: 0 }, { name: 'b', x: 1000 }, { name: 'c', x: 2000 }],
    timeScale: SCALE,
  });
  try {
    const mod = { ...BASE, txPowerDbm: 0 };
    for (const r of sim.radios) await r.configure(mod);
    const [a, b, c] = sim.radios;
    const atB = collect(b!);
    const atC = collect(c!);
    await b!.startReceive();
    await c!.startReceive();
    await a!.transmit(Uint8Array.of(7));
    await until('a packet at B', () => atB.length > 0);
    await wait(30);
    assert.is(atB.length, 1);
    assert.is(atC.length, 0, 'C is out of range of A');
    // 0 dBm over 1 km, n = 3: -(31.2 + 90) = -121.2 dBm; noise -117 dBm (BW125, NF 6) -> SNR -4.2 dB, above
    // SF7's -7.5 dB limit. At 2 km: -130.2 dBm, SNR -13.2 dB: C cannot demodulate A.
    assert.ok(Math.abs(atB[0]!.snr - -4.25) <= 0.25, `snr ${atB[0]!.snr}`);
    assert.ok(atB[0]!.rssi < -110 && atB[0]!.rssi > -120, `rssi ${atB[0]!.rssi}`);
  } finally {
    await sim.close();
  }
});

test('overlapping transmissions collide at a receiver hearing both equally', async () => {
  // Real time here: both 90 ms frames must overlap even when the host is slow to start the second one. Without
  // listen before talk: this is about the air's physics, not about avoiding the collision (listen-before-talk.test.ts).
  const sim = createEmulatedRadios({ nodes: [{ name: 'a', x: -100 }, { name: 'b', x: 0 }, { name: 'c', x: 100 }], timeScale: 1, radio: { listenBeforeTalk: false } });
  try {
    for (const r of sim.radios) await r.configure(BASE);
    const [a, b, c] = sim.radios;
    const atB = collect(b!);
    await b!.startReceive();
    await Promise.all([a!.transmit(new Uint8Array(40).fill(1)), c!.transmit(new Uint8Array(40).fill(2))]);
    await until('a packet at B', () => atB.length > 0);
    await wait(30);
    assert.ok(atB.length > 0, 'B locked onto one of them');
    assert.ok(atB.every((p) => p.crcError), `intact packets after collision: ${atB.filter((p) => !p.crcError).length}`);
    // Retrying one after the other gets through.
    await a!.transmit(new Uint8Array(40).fill(1));
    await until('an intact packet at B', () => atB.some((p) => !p.crcError));
    assert.ok(atB.some((p) => !p.crcError && p.payload[0] === 1));
  } finally {
    await sim.close();
  }
});

test('CAD detects a frame on the air and is clear otherwise', async () => {
  const sim = createEmulatedRadios({ nodes: ['a', 'b'], timeScale: 0.2 });
  try {
    const [a, b] = sim.radios;
    const slow = { ...BASE, spreadingFactor: 10 };
    await a!.configure(slow);
    await b!.configure(slow);
    assert.is(await b!.channelActivity(), false);
    const sending = a!.transmit(new Uint8Array(100).fill(9));
    await wait(20);
    assert.is(await b!.channelActivity(), true);
    await sending;
  } finally {
    await sim.close();
  }
});

test('instant RSSI rises while a frame is on the air', async () => {
  const sim = createEmulatedRadios({ nodes: ['a', 'b'], timeScale: 0.2 });
  try {
    const [a, b] = sim.radios;
    const slow = { ...BASE, spreadingFactor: 10 };
    await a!.configure(slow);
    await b!.configure(slow);
    await b!.startReceive();
    const idle = await sim.node('b').radio.instantRssi();
    assert.ok(idle < -110, `idle ${idle}`);
    const sending = a!.transmit(new Uint8Array(100).fill(9));
    await wait(20);
    const busy = await sim.node('b').radio.instantRssi();
    assert.ok(busy > idle + 20, `busy ${busy} vs idle ${idle}`);
    await sending;
  } finally {
    await sim.close();
  }
});

test('stuck BUSY times out, resets the chip, is reported, and the radio works again', async () => {
  const sim = createEmulatedRadios({ nodes: ['a', 'b'], timeScale: SCALE, busyTimeoutMs: 200 });
  try {
    const [a, b] = sim.radios;
    await a!.configure(BASE);
    await b!.configure(BASE);
    const atB = collect(b!);
    await b!.startReceive();
    const reported: Error[] = [];
    sim.node('a').radio.onError((e) => reported.push(e));
    sim.node('a').chip.faults.stuckBusy = true;
    const err = await a!.transmit(Uint8Array.of(1)).then(() => undefined, (e: Error) => e);
    assert.is(err?.name, 'Sx126xBusyTimeoutError');
    assert.is((err as { recovered?: boolean }).recovered, true);
    assert.is(reported[0]?.name, 'Sx126xBusyTimeoutError');
    assert.is(sim.node('a').radio.stats.busyRecoveries, 1);
    await a!.transmit(Uint8Array.of(2));
    await until('a packet at B', () => atB.length > 0);
    assert.equal(Array.from(atB[0]!.payload), [2]);
  } finally {
    await sim.close();
  }
});

test('stuck BUSY while receiving: the receive loop recovers by itself and keeps receiving', async () => {
  const sim = createEmulatedRadios({ nodes: ['a', 'b'], timeScale: SCALE, busyTimeoutMs: 200 });
  try {
    const [a, b] = sim.radios;
    await a!.configure(BASE);
    await b!.configure(BASE);
    const atB = collect(b!);
    const reported: Error[] = [];
    sim.node('b').radio.onError((e) => reported.push(e));
    await b!.startReceive();
    // The next command b's driver sends (servicing the RxDone) hangs the chip.
    sim.node('b').chip.faults.stuckBusy = true;
    await a!.transmit(Uint8Array.of(1));
    await until('B to recover from the stuck BUSY and receive again', () => sim.node('b').radio.stats.busyRecoveries > 0 && sim.node('b').chip.chipMode === 'rx');
    assert.is(reported[0]?.name, 'Sx126xBusyTimeoutError');
    await a!.transmit(Uint8Array.of(2));
    await until('packet 2 at B', () => atB.some((p) => p.payload[0] === 2));
    assert.ok(atB.some((p) => p.payload[0] === 2 && !p.crcError), 'received after recovery');
  } finally {
    await sim.close();
  }
});

test('missing chip and wrong chip give Sx126xChipNotFoundError naming the wiring', async () => {
  for (const fault of ['ones', 'zeros'] as const) {
    const sim = createEmulatedRadios({ nodes: ['a'], timeScale: SCALE });
    sim.node('a').chip.faults.noChip = fault;
    const err = await sim.radios[0]!.configure(BASE).then(() => undefined, (e: Error) => e);
    assert.is(err?.name, 'Sx126xChipNotFoundError', fault);
    assert.match(err!.message, /emulated chip a/);
    await sim.close();
  }
  const sim = createEmulatedRadios({ nodes: [{ name: 'x', variant: 'sx1268' }], timeScale: SCALE });
  const err = await sim.radios[0]!.configure({ ...BASE, frequencyHz: 433_175_000 }).then(() => undefined, (e: Error) => e);
  assert.is(err, undefined, 'SX1268 found as SX1268');
  await sim.close();
  const wrong = createEmulatedRadios({ nodes: [{ name: 'y', variant: 'sx1268' }], timeScale: SCALE });
  (wrong.node('y').radio as unknown as { variant: string }).variant = 'sx1262';
  const e2 = await wrong.radios[0]!.configure(BASE).then(() => undefined, (e: Error) => e);
  assert.is(e2?.name, 'Sx126xChipNotFoundError');
  assert.is((e2 as unknown as { reason: string }).reason, 'wrong-version');
  await wrong.close();
});

test('TCXO boards work when the driver drives DIO3', async () => {
  const sim = createEmulatedRadios({ nodes: [{ name: 'a', tcxo: true }, { name: 'b', tcxo: true }], timeScale: SCALE });
  try {
    const [a, b] = sim.radios;
    await a!.configure(BASE);
    await b!.configure(BASE);
    const atB = collect(b!);
    await b!.startReceive();
    await a!.transmit(Uint8Array.of(5));
    await until('a packet at B', () => atB.length > 0);
    assert.is(atB.length, 1);
  } finally {
    await sim.close();
  }
});

test('a TCXO board configured without tcxoVoltage fails Calibrate with a hint naming the TCXO', async () => {
  const sim = createEmulatedRadios({ nodes: [{ name: 'a', tcxo: true }], timeScale: SCALE });
  // Drive the radio as if the config forgot the TCXO.
  (sim.node('a').radio as unknown as { tcxoVoltage?: number }).tcxoVoltage = undefined;
  try {
    const err = await sim.radios[0]!.configure(BASE).then(() => undefined, (e: Error) => e);
    assert.is(err?.name, 'Sx126xCommandError');
    assert.is((err as unknown as { opcode: number }).opcode, 0x89);
    assert.match(err!.message, /TCXO/);
  } finally {
    await sim.close();
  }
});

test('TCXO configured on a crystal board: Calibrate fails, the driver reports it and falls back to the crystal', async () => {
  const sim = createEmulatedRadios({ nodes: [{ name: 'a', tcxo: false }, { name: 'b' }], timeScale: SCALE });
  (sim.node('a').radio as unknown as { tcxoVoltage?: number }).tcxoVoltage = 1.8;
  try {
    const [a, b] = sim.radios;
    const reported: Error[] = [];
    sim.node('a').radio.onError((e) => reported.push(e));
    await a!.configure(BASE);
    assert.is(reported[0]?.name, 'Sx126xCommandError');
    assert.match(reported[0]!.message, /falling back to the crystal/);
    await b!.configure(BASE);
    const atB = collect(b!);
    await b!.startReceive();
    await a!.transmit(Uint8Array.of(3));
    await until('a packet at B', () => atB.length > 0);
    assert.equal(Array.from(atB[0]!.payload), [3]);
  } finally {
    await sim.close();
  }
});

test('injected CRC and header errors', async () => {
  const sim = createEmulatedRadios({ nodes: ['a', 'b'], timeScale: SCALE });
  try {
    const [a, b] = sim.radios;
    await a!.configure(BASE);
    await b!.configure(BASE);
    const atB = collect(b!);
    await b!.startReceive();
    sim.node('b').chip.faults.crcErrors = 1;
    await a!.transmit(Uint8Array.of(1, 2, 3));
    await until('a packet at B', () => atB.length > 0);
    assert.is(atB[0]!.crcError, true);
    sim.node('b').chip.faults.headerErrors = 1;
    await a!.transmit(Uint8Array.of(4));
    await wait(30);
    assert.is(atB.length, 1, 'header error: no RxDone');
    await a!.transmit(Uint8Array.of(5));
    await until('a second packet at B', () => atB.length > 1);
    assert.equal(Array.from(atB[1]!.payload), [5]);
    assert.is(atB[1]!.crcError, false);
  } finally {
    await sim.close();
  }
});

test('errata registers: BW500 sensitivity, inverted IQ, PA clamp, implicit-header event mask', async () => {
  const sim = createEmulatedRadios({ nodes: ['a'], timeScale: SCALE });
  try {
    const [a] = sim.radios;
    const chip = sim.node('a').chip;
    await a!.configure({ ...BASE, bandwidthHz: 500_000 });
    assert.is(chip.register(0x08d8) & 0x1e, 0x1e, 'TX clamp bits 4:1 set (§15.2)');
    assert.is(chip.register(0x0736) & 0x04, 0x04, 'standard IQ: 0x0736 bit 2 set (§15.4)');
    await a!.transmit(Uint8Array.of(1));
    assert.is(chip.register(0x0889) & 0x04, 0, 'BW500: 0x0889 bit 2 cleared before TX (§15.1)');
    await a!.configure({ ...BASE, invertIq: true });
    assert.is(chip.register(0x0736) & 0x04, 0, 'inverted IQ: 0x0736 bit 2 cleared');
    await a!.transmit(Uint8Array.of(1));
    assert.is(chip.register(0x0889) & 0x04, 0x04, 'BW125: 0x0889 bit 2 set');
    await a!.configure({ ...BASE, explicitHeader: false, implicitPayloadLength: 8 });
    await a!.startReceive();
    await a!.standby();
    assert.is(chip.register(0x0944) & 0x02, 0x02, 'event mask bit 1 set (§15.3)');
    assert.is(chip.register(0x08e7), 0x38, 'OCP 140 mA after SetPaConfig');
  } finally {
    await sim.close();
  }
});

test('RXEN/TXEN boards: TX drives TXEN only, RX drives RXEN only, standby releases both', async () => {
  const clock = createSimClock({ timeScale: SCALE });
  const air = new SimulatedAir({ clock });
  const chip = new EmulatedSx126x({ name: 'sw', clock });
  air.attach(chip, { x: 0, y: 0 });
  const rxen = new EmulatedLine('RXEN');
  const txen = new EmulatedLine('TXEN');
  const both: string[] = [];
  const watch = () => both.push(`${rxen.value}${txen.value}`);
  rxen.onWrite(watch);
  txen.onWrite(watch);
  const radio = new Sx126xRadio({ hal: new SpiHal({ spi: chip.spi, pins: { busy: chip.busy, dio1: chip.dio1, nreset: chip.nreset, rxen, txen } }), dio2RfSwitch: false });
  try {
    await radio.configure(BASE);
    assert.not.ok(chip.commandLog.some((c) => c.opcode === 0x9d), 'no SetDIO2AsRfSwitchCtrl');
    await radio.transmit(Uint8Array.of(1));
    assert.ok(both.includes('01'), 'TXEN high during TX');
    await radio.startReceive();
    assert.equal([rxen.value, txen.value], [1, 0]);
    await radio.standby();
    assert.equal([rxen.value, txen.value], [0, 0]);
    assert.not.ok(both.includes('11'), 'never both enables at once');
  } finally {
    await radio.close();
  }
});

test('bad input is rejected with typed errors', async () => {
  const sim = createEmulatedRadios({ nodes: ['a'], timeScale: SCALE });
  try {
    const [a] = sim.radios;
    const e1 = await a!.transmit(Uint8Array.of(1)).then(() => undefined, (e: Error) => e);
    assert.is(e1?.name, 'Sx126xStateError');
    await a!.configure(BASE);
    const e2 = await a!.transmit(new Uint8Array(0)).then(() => undefined, (e: Error) => e);
    assert.is(e2?.name, 'Sx126xPayloadError');
    const e3 = await a!.configure({ ...BASE, spreadingFactor: 13 }).then(() => undefined, (e: Error) => e);
    assert.ok(e3 instanceof RangeError);
  } finally {
    await sim.close();
  }
});

test.run();
