import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { carriersMatch, interferes, sameChannel, syncWordByte, syncWordPair, type AirTuning } from './air-channel.js';

// Meshtastic LongFast EU_868 slot 0 (lib/lora/meshtastic-presets.ts): 869.525 MHz, 250 kHz, SF11, 4/5, 0x2B, 16.
const LF: AirTuning = { freqHz: 869_525_000, bwHz: 250_000, sf: 11, cr: 5, syncWord: 0x2b, preamble: 16, x: 0, y: 0 };

const cases: Array<[string, Partial<AirTuning>, boolean, boolean]> = [
  // [what, receiver differs by, same channel, interferes]
  ['identical', {}, true, true],
  ['firmware float maths: 37 Hz off', { freqHz: LF.freqHz + 37 }, true, true],
  ['just under a quarter of the bandwidth off', { freqHz: LF.freqHz + 62_499 }, true, true],
  ['a quarter of the bandwidth off', { freqHz: LF.freqHz + 62_500 }, false, false],
  ['the next 250 kHz slot', { freqHz: LF.freqHz - 250_000 }, false, false],
  ['other SF', { sf: 10 }, false, false],
  ['other bandwidth', { bwHz: 125_000 }, false, false],
  ['MeshCore sync word', { syncWord: 0x12 }, false, true],
  ['other coding rate', { cr: 8 }, true, true],
  ['other preamble', { preamble: 8 }, true, true],
  ['elsewhere', { x: 5000, y: -3 }, true, true],
];

test('channel table: BW, SF, sync word and carriers within BW/4 decide; cr and preamble do not; sync word does not stop interference', () => {
  for (const [what, diff, same, inter] of cases) {
    const rx = { ...LF, ...diff };
    assert.is(sameChannel(LF, rx), same, `${what}: same channel`);
    assert.is(sameChannel(rx, LF), same, `${what}: same channel, other way`);
    assert.is(interferes(LF, rx), inter, `${what}: interferes`);
  }
});

test('carriers: the narrower bandwidth sets the tolerance', () => {
  assert.is(carriersMatch({ freqHz: 869e6, bwHz: 500_000 }, { freqHz: 869e6 + 40_000, bwHz: 125_000 }), false);
  assert.is(carriersMatch({ freqHz: 869e6, bwHz: 500_000 }, { freqHz: 869e6 + 30_000, bwHz: 125_000 }), true);
});

test('sync word: the SX126x register pair as the one-byte RadioLib form and back', () => {
  for (const [pair, byte] of [[0x1424, 0x12], [0x3444, 0x34], [0x24b4, 0x2b], [0xf4f4, 0xff], [0x0404, 0x00]] as const) {
    assert.is(syncWordByte(pair), byte, pair.toString(16));
    assert.is(syncWordPair(byte), pair, byte.toString(16));
  }
  assert.is(syncWordByte(0x1424), 18);
  assert.is(syncWordByte(0x3444), 52);
  assert.is(syncWordByte(0x24b4), 43);
});

test.run();
