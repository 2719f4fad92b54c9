/** The PA table against RadioLib's SX1262/SX1268 paOptimizedTable, and what the driver sends for each power. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SpiHal } from './spi-hal.js';
import { Sx126xRadio } from './sx126x-radio.js';
import { PaTables, paSettings, radiatedDbm } from './pa-table.js';
import { Opcode } from './opcodes.js';
import { EmulatedSx126x } from './sim/emulated-sx126x.js';
import { createSimClock } from './sim/sim-clock.js';
import type { LoraModulation } from './lora-radio.js';

test('table rows as RadioLib has them (spot rows copied from SX1262.cpp / SX1268.cpp, index = dBm + 9)', () => {
  const rows: Array<[variant: 'sx1262' | 'sx1268', dbm: number, dc: number, hpMax: number, paVal: number]> = [
    ['sx1262', -9, 2, 2, -5], ['sx1262', 0, 2, 1, 11], ['sx1262', 10, 1, 2, 22], ['sx1262', 14, 1, 4, 20],
    ['sx1262', 17, 1, 6, 22], ['sx1262', 20, 3, 6, 22], ['sx1262', 22, 4, 7, 22],
    ['sx1268', -9, 2, 1, -3], ['sx1268', 0, 1, 2, 5], ['sx1268', 10, 1, 2, 16], ['sx1268', 14, 2, 2, 21],
    ['sx1268', 17, 1, 6, 20], ['sx1268', 20, 3, 5, 22], ['sx1268', 22, 4, 7, 22],
  ];
  for (const [variant, dbm, dc, hpMax, paVal] of rows) {
    assert.equal(paSettings(variant, dbm), { paDutyCycle: dc, hpMax, deviceSel: 0, paLut: 1, txParamsDbm: paVal }, `${variant} ${dbm} dBm`);
  }
});

test('every row is legal for the high-power PA and unique, so the emulator maps each back to its power', () => {
  for (const variant of ['sx1262', 'sx1268'] as const) {
    const t = PaTables[variant];
    assert.is(t.length, 32);
    assert.is(new Set(t.map((r) => r.join(','))).size, 32, `${variant} rows unique`);
    for (let dbm = -9; dbm <= 22; dbm++) {
      const p = paSettings(variant, dbm);
      assert.ok(p.paDutyCycle >= 1 && p.paDutyCycle <= 4 && p.hpMax >= 1 && p.hpMax <= 7, `${variant} ${dbm}`);
      assert.ok(p.txParamsDbm >= -9 && p.txParamsDbm <= 22);
      assert.is(radiatedDbm(variant, p.paDutyCycle, p.hpMax, p.txParamsDbm), dbm);
    }
  }
  assert.throws(() => paSettings('sx1262', 23), /-9\.\.22/);
  assert.throws(() => paSettings('sx1268', -10), /-9\.\.22/);
  assert.throws(() => paSettings('sx1262', 1.5), /integer/);
});

test('the driver sends the row for the configured power on each variant (SetPaConfig, OCP 140 mA, SetTxParams)', async () => {
  for (const [variant, frequencyHz] of [['sx1262', 869_525_000], ['sx1268', 433_875_000]] as const) {
    for (const dbm of [-9, 2, 14, 22]) {
      const chip = new EmulatedSx126x({ name: 'pa', clock: createSimClock({ timeScale: 0.02 }), variant });
      const radio = new Sx126xRadio({ hal: new SpiHal({ spi: chip.spi, pins: { busy: chip.busy, dio1: chip.dio1, nreset: chip.nreset } }), variant });
      const m: LoraModulation = { frequencyHz, spreadingFactor: 7, bandwidthHz: 125_000, codingRate: 5, preambleLength: 8, syncWord: 0x12, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm: dbm };
      try {
        await radio.configure(m);
        const want = paSettings(variant, dbm);
        const pa = chip.commandLog.filter((c) => c.opcode === Opcode.SetPaConfig).at(-1)!;
        assert.equal(Array.from(pa.data), [want.paDutyCycle, want.hpMax, 0, 1], `${variant} ${dbm} dBm SetPaConfig`);
        const tx = chip.commandLog.filter((c) => c.opcode === Opcode.SetTxParams).at(-1)!;
        assert.is((tx.data[0]! << 24) >> 24, want.txParamsDbm);
        assert.is(chip.register(0x08e7), 0x38);
        assert.equal(chip.driverFaults, []);
      } finally {
        await radio.close();
      }
    }
  }
});

test.run();
