/** Emulator semantics at the SPI byte level: status bytes, command status codes, BUSY, buffer, IRQ/DIO1, faults. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EmulatedSx126x } from './emulated-sx126x.js';
import { createSimClock } from './sim-clock.js';

const settle = () => new Promise((r) => setTimeout(r, 5));

async function ready(chip: EmulatedSx126x) {
  for (let i = 0; i < 200 && chip.busy.value === 1; i++) await settle();
  assert.is(chip.busy.value, 0, 'BUSY low');
}

async function xfer(chip: EmulatedSx126x, ...bytes: number[]) {
  await ready(chip);
  const rx = await chip.spi.transfer(Uint8Array.from(bytes));
  return rx;
}

function fresh(opts: Partial<ConstructorParameters<typeof EmulatedSx126x>[0]> = {}) {
  return new EmulatedSx126x({ name: 't', clock: createSimClock({ timeScale: 0.1 }), ...opts });
}

test('after power-on BUSY is high; a transfer then is a violation', async () => {
  const chip = fresh();
  assert.is(chip.busy.value, 1);
  await chip.spi.transfer(Uint8Array.of(0xc0, 0x00)).then(() => assert.unreachable(), (e: Error) => assert.is(e.name, 'BusyViolationError'));
  assert.is(chip.violations.length, 1);
});

test('status byte: stale 0xAA after reset, then 0xA2 in STDBY_RC, GetStatus without bit 7', async () => {
  const chip = fresh();
  assert.is((await xfer(chip, 0x80, 0x00))[1], 0xaa);
  assert.is((await xfer(chip, 0x80, 0x00))[1], 0xa2);
  assert.is((await xfer(chip, 0xc0, 0x00))[1], 0x22);
});

test('unknown opcode and wrong parameter count give processing error (4), reported on the next transaction', async () => {
  const chip = fresh();
  await xfer(chip, 0x80, 0x00);
  await xfer(chip, 0x55, 0x00);
  assert.is(((await xfer(chip, 0xc0, 0x00))[1]! >> 1) & 7, 4);
  await xfer(chip, 0x86, 0x01, 0x02); // SetRfFrequency needs 4 bytes
  assert.is(((await xfer(chip, 0xc0, 0x00))[1]! >> 1) & 7, 4);
});

test('registers: reset values, write and read back with status at byte 3', async () => {
  const chip = fresh();
  await xfer(chip, 0x80, 0x00);
  const sync = await xfer(chip, 0x1d, 0x07, 0x40, 0x00, 0x00, 0x00);
  assert.is(sync[3], 0xa2);
  assert.equal([sync[4], sync[5]], [0x14, 0x24]);
  await xfer(chip, 0x0d, 0x07, 0x40, 0x34, 0x44);
  const back = await xfer(chip, 0x1d, 0x07, 0x40, 0x00, 0x00, 0x00);
  assert.equal([back[4], back[5]], [0x34, 0x44]);
  assert.is(chip.register(0x08e7), 0x18);
  await xfer(chip, 0x95, 0x04, 0x07, 0x00, 0x01); // SetPaConfig HP resets OCP to 140 mA
  assert.is(chip.register(0x08e7), 0x38);
});

test('buffer wraps at 256 bytes; ReadBuffer data starts at byte 3', async () => {
  const chip = fresh();
  await xfer(chip, 0x80, 0x00);
  await xfer(chip, 0x0e, 0xfe, 1, 2, 3, 4);
  const rx = await xfer(chip, 0x1e, 0xfe, 0, 0, 0, 0, 0);
  assert.equal(Array.from(rx.subarray(3)), [1, 2, 3, 4]);
});

test('IRQ register honours irqMask; DIO1 follows irq & dio1Mask until ClearIrqStatus', async () => {
  const chip = fresh();
  await xfer(chip, 0x80, 0x00);
  await xfer(chip, 0x8a, 0x01);
  await xfer(chip, 0x8b, 0x07, 0x04, 0x01, 0x00);
  await xfer(chip, 0x8c, 0x00, 0x08, 0x00, 0x02, 0x01, 0x00);
  await xfer(chip, 0x08, 0x02, 0x01, 0x00, 0x01, 0, 0, 0, 0);
  await xfer(chip, 0x0e, 0x00, 0xaa, 0xbb);
  await xfer(chip, 0x83, 0, 0, 0);
  assert.is(chip.chipMode, 'tx');
  for (let i = 0; i < 400 && chip.dio1.value === 0; i++) await settle();
  assert.is(chip.dio1.value, 1, 'TxDone raised DIO1');
  assert.is(chip.chipMode, 'stbyRc', 'fallback after TX');
  const irq = await xfer(chip, 0x12, 0, 0, 0);
  assert.is((irq[2]! << 8) | irq[3]!, 0x0001);
  assert.is((irq[1]! >> 1) & 7, 6, 'command status TX done');
  await xfer(chip, 0x02, 0x43, 0xff);
  await ready(chip);
  assert.is(chip.dio1.value, 0);
});

test('RX with timeout raises Timeout and falls back to standby', async () => {
  const chip = fresh();
  await xfer(chip, 0x80, 0x00);
  await xfer(chip, 0x8a, 0x01);
  await xfer(chip, 0x08, 0x02, 0x02, 0x02, 0x02, 0, 0, 0, 0);
  await xfer(chip, 0x82, 0x00, 0x0a, 0x00); // 2560 × 15.625 µs = 40 ms
  for (let i = 0; i < 400 && chip.dio1.value === 0; i++) await settle();
  assert.is(chip.irqStatus & 0x0200, 0x0200);
  assert.is(chip.chipMode, 'stbyRc');
});

test('TCXO board: SetRx fails to execute until SetDIO3AsTCXOCtrl', async () => {
  const chip = fresh({ tcxo: true });
  await xfer(chip, 0x80, 0x00);
  await xfer(chip, 0x8a, 0x01);
  await xfer(chip, 0x82, 0xff, 0xff, 0xff);
  assert.is(((await xfer(chip, 0xc0, 0x00))[1]! >> 1) & 7, 5);
  const errs = await xfer(chip, 0x17, 0, 0, 0);
  assert.ok(errs[3]! & 0x20, 'XOSC_START_ERR');
  await xfer(chip, 0x97, 0x02, 0x00, 0x01, 0x40);
  await xfer(chip, 0x82, 0xff, 0xff, 0xff);
  assert.is(((await xfer(chip, 0xc0, 0x00))[1]! >> 1) & 7, 1);
  assert.is(chip.chipMode, 'rx');
});

test('faults: no chip reads 0x00/0xFF; stuck BUSY holds until NRESET', async () => {
  const chip = fresh();
  await ready(chip);
  chip.faults.noChip = 'ones';
  assert.equal(Array.from(await chip.spi.transfer(Uint8Array.of(0xc0, 0x00))), [0xff, 0xff]);
  chip.faults.noChip = 'zeros';
  assert.equal(Array.from(await chip.spi.transfer(Uint8Array.of(0xc0, 0x00))), [0, 0]);
  chip.faults.noChip = false;
  chip.faults.stuckBusy = true;
  await xfer(chip, 0x80, 0x00);
  await settle();
  assert.is(chip.busy.value, 1);
  await chip.nreset.write(0);
  await chip.nreset.write(1);
  await ready(chip);
  assert.is(chip.faults.stuckBusy, false);
});

test('random SPI frames never break the emulator: it keeps answering with a valid status byte', async () => {
  const chip = new EmulatedSx126x({ name: 'fuzz', clock: createSimClock({ timeScale: 0.001 }) });
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const opcodes = [0x80, 0x8a, 0x8b, 0x8c, 0x0d, 0x1d, 0x0e, 0x1e, 0x08, 0x02, 0x12, 0x13, 0x14, 0x86, 0x83, 0x82, 0xc5, 0x95, 0x8e, 0x97, 0x89, 0x98, 0x84, 0x55, 0xff];
  for (let i = 0; i < 400; i++) {
    await ready(chip);
    const len = 1 + (rnd() % 12);
    const tx = new Uint8Array(len).map(() => rnd());
    tx[0] = opcodes[rnd() % opcodes.length]!;
    try {
      await chip.spi.transfer(tx);
    } catch (e) {
      assert.is((e as Error).name, 'EmulatorLimitError', `${Array.from(tx)}`);
    }
    if (chip.chipMode === 'sleep') await chip.spi.transfer(Uint8Array.of(0x00)); // wake, as a driver would
  }
  await ready(chip);
  await chip.spi.transfer(Uint8Array.of(0x80, 0x00));
  const st = (await xfer(chip, 0xc0, 0x00))[1]!;
  assert.ok(st !== 0x00 && st !== 0xff, `status 0x${st.toString(16)}`);
  assert.equal(chip.violations, []);
});

test.run();
