/** Command builders and conversions against vectors from the datasheet and RadioLib (time on air: lib/lora). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as cmd from './commands.js';
import { frequencyToFrf, imageCalibration, syncWordRegisters, validateModulation } from './modulation.js';
import { LatticeDefault } from '../../lib/lora/lattice-presets.js';
import { meshCoreModulation } from '../../lib/lora/meshcore-presets.js';
import { meshtasticModulation } from '../../lib/lora/meshtastic-presets.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

test('parameter bytes match the datasheet layouts (RadioLib SX126x_commands.cpp)', () => {
  const vectors: Array<[string, Uint8Array, string]> = [
    ['SetStandby RC', cmd.setStandby(0), '00'],
    ['SetTx no timeout', cmd.setTx(0), '00 00 00'],
    ['SetRx continuous', cmd.setRx(0xffffff), 'ff ff ff'],
    ['SetRx 1 s (64000 × 15.625 µs)', cmd.setRx(64000), '00 fa 00'],
    ['SetSleep warm', cmd.setSleep(true), '04'],
    ['Calibrate all', cmd.calibrate(0x7f), '7f'],
    ['CalibrateImage 863–870', cmd.calibrateImage(0xd7, 0xdb), 'd7 db'],
    ['SetPaConfig SX1262 +22', cmd.setPaConfig(0x04, 0x07, 0x00, 0x01), '04 07 00 01'],
    ['WriteRegister 0x0740 sync 0x1424', cmd.writeRegister(0x0740, Uint8Array.of(0x14, 0x24)), '07 40 14 24'],
    ['WriteBuffer at 0', cmd.writeBuffer(0, Uint8Array.of(0xde, 0xad)), '00 de ad'],
    ['SetDioIrqParams TX (TxDone|Timeout, TxDone)', cmd.setDioIrqParams(0x0201, 0x0001), '02 01 00 01 00 00 00 00'],
    ['ClearIrqStatus all', cmd.clearIrqStatus(0x43ff), '43 ff'],
    ['SetDIO3AsTCXOCtrl 1.8 V 5 ms (320 steps)', cmd.setDio3AsTcxoCtrl(2, 320), '02 00 01 40'],
    ['SetDIO3AsTCXOCtrl 1.6 V 5 ms as RadioLib#907 log', cmd.setDio3AsTcxoCtrl(0, 0x140), '00 00 01 40'],
    ['SetRfFrequency 868.1 MHz', cmd.setRfFrequency(0x3641999a), '36 41 99 9a'],
    ['SetPacketType LoRa', cmd.setPacketType(1), '01'],
    ['SetTxParams +22 dBm 200 µs', cmd.setTxParams(22, 4), '16 04'],
    ['SetTxParams -9 dBm 40 µs', cmd.setTxParams(-9, 2), 'f7 02'],
    ['SetModulationParams SF9 BW125 CR4/7 LDRO off', cmd.setModulationParamsLora(9, 0x04, 7, false), '09 04 03 00'],
    ['SetModulationParams SF12 BW125 CR4/8 LDRO on', cmd.setModulationParamsLora(12, 0x04, 8, true), '0c 04 04 01'],
    ['SetPacketParams pre 8 explicit 255 CRC IQ std', cmd.setPacketParamsLora(8, true, 255, true, false), '00 08 00 ff 01 00'],
    ['SetPacketParams pre 16 implicit 10 no CRC IQ inv', cmd.setPacketParamsLora(16, false, 10, false, true), '00 10 01 0a 00 01'],
    ['SetCadParams 8 sym SF9+13 10 STDBY', cmd.setCadParams(0x03, 22, 10, 0, 0), '03 16 0a 00 00 00 00'],
    ['SetBufferBaseAddress 0 0', cmd.setBufferBaseAddress(0, 0), '00 00'],
    ['SetRxTxFallbackMode STDBY_RC', cmd.setRxTxFallbackMode(0x20), '20'],
    ['ClearDeviceErrors', cmd.clearDeviceErrors(), '00 00'],
  ];
  for (const [name, got, want] of vectors) assert.is(hex(got), want, name);
});

test('builders reject out-of-range input', () => {
  assert.throws(() => cmd.setTx(0x1000000), RangeError);
  assert.throws(() => cmd.setTxParams(23, 4), RangeError);
  assert.throws(() => cmd.setDio3AsTcxoCtrl(8, 0), RangeError);
  assert.throws(() => cmd.setModulationParamsLora(13, 4, 5, false), RangeError);
  assert.throws(() => cmd.writeBuffer(256, new Uint8Array(1)), RangeError);
});

test('frequency to PLL steps (datasheet SetRfFrequency: round(f × 2^25 / 32 MHz))', () => {
  const v: Array<[number, number]> = [
    [433_175_000, 0x1b12cccd], [868_100_000, 0x3641999a], [869_525_000, 0x36586666], [906_875_000, 0x38ae0000], [915_000_000, 0x39300000],
  ];
  for (const [hz, frf] of v) assert.is(frequencyToFrf(hz), frf, `${hz}`);
});

test('image calibration bands and sync-word expansion', () => {
  assert.equal(imageCalibration(868_100_000), [0xd7, 0xdb]);
  assert.equal(imageCalibration(915_000_000), [0xe1, 0xe9]);
  assert.equal(imageCalibration(433_175_000), [0x6b, 0x6f]);
  assert.equal(syncWordRegisters(0x12), [0x14, 0x24]); // LoRaMac-node LORA_MAC_PRIVATE_SYNCWORD 0x1424
  assert.equal(syncWordRegisters(0x34), [0x34, 0x44]); // public 0x3444
  assert.equal(syncWordRegisters(0x2b), [0x24, 0xb4]); // Meshtastic
  assert.equal(syncWordRegisters(0x1424), [0x14, 0x24]);
});

test('presets validate for their variant', () => {
  validateModulation(LatticeDefault);
  validateModulation(meshtasticModulation('EU_868', 'LONG_FAST'));
  validateModulation(meshtasticModulation('US', 'SHORT_TURBO'));
  validateModulation(meshCoreModulation('EU_UK_NARROW'));
  assert.throws(() => validateModulation(meshtasticModulation('EU_868', 'LONG_FAST'), 'sx1268'), RangeError);
  assert.throws(() => validateModulation({ ...LatticeDefault, bandwidthHz: 100_000 }), RangeError);
});

test.run();
