import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AirTuning } from './air-channel.js';
import { arriving, DEFAULT_AIR_MODEL, levelDbm, overlapInTime, survives } from './air-reception.js';
import { noiseFloorDbm, pathLossDb } from './link-model.js';

const at = (sf: number, bwHz: number, x = 0): AirTuning => ({ freqHz: 869_525_000, bwHz, sf, cr: 5, syncWord: 0x2b, preamble: 16, x, y: 0 });
const M = DEFAULT_AIR_MODEL;

test('levels follow the documented model: 14 dBm minus log-distance loss; SNR against kT·BW + NF', () => {
  const s = arriving(at(11, 250_000), { x: 3000, y: 4000 }, M);
  const level = 14 - pathLossDb(5000, 869_525_000, 3);
  assert.is(s.distanceM, 5000);
  assert.is(s.rssiDbm, Math.round(level * 2) / 2);
  assert.is(s.snrDb, Math.round((level - noiseFloorDbm(250_000, 6)) * 4) / 4);
  assert.ok(Math.abs(levelDbm(at(11, 250_000), { x: 5000, y: 0 }, M) - level) < 1e-9);
  // Close by, the SNR reads as the chip's register would (at most 31.75).
  assert.is(arriving(at(11, 250_000), { x: 1, y: 0 }, M).snrDb, 31.75);
});

// [sf, bw, distance m, audible]: the range is where the SNR meets the SF's limit (link-model.ts DemodSnrLimitDb).
const range: Array<[number, number, number, boolean]> = [
  [7, 125_000, 10, true],
  [7, 125_000, 1000, true],
  // SF7/125 kHz: 99.8 - 30·log10(d) >= -7.5 up to 3.77 km
  [7, 125_000, 3700, true],
  [7, 125_000, 3900, false],
  // SF11/250 kHz (Meshtastic LongFast): up to 6.4 km
  [11, 250_000, 6300, true],
  [11, 250_000, 6600, false],
  // SF12/125 kHz: up to 9.8 km
  [12, 125_000, 9700, true],
  [12, 125_000, 10_000, false],
  [5, 500_000, 1000, true],
];

test('range table: audible when within 1 km or the SNR clears the SF limit', () => {
  for (const [sf, bw, d, audible] of range) assert.is(arriving(at(sf, bw), { x: d, y: 0 }, M).audible, audible, `SF${sf}/${bw / 1000} kHz at ${d} m`);
});

test('within 1 km always audible, even under a model that says otherwise', () => {
  const harsh = { ...M, pathLossExponent: 6 };
  assert.ok(arriving(at(7, 500_000), { x: 999, y: 0 }, harsh).snrDb < -7.5, 'the model alone would lose it');
  assert.is(arriving(at(7, 500_000), { x: 999, y: 0 }, harsh).audible, true);
  assert.is(arriving(at(7, 500_000), { x: 1001, y: 0 }, harsh).audible, false);
});

test('capture table: the wanted frame survives only at the margin (6 dB) or more above the interferer', () => {
  const table: Array<[number, number, boolean]> = [[-80, -86, true], [-80, -85.9, false], [-80, -80, false], [-86, -80, false], [-100, -120, true]];
  for (const [w, i, ok] of table) assert.is(survives(w, i, M), ok, `${w} vs ${i}`);
  assert.is(survives(-80, -83, { captureMarginDb: 3 }), true);
});

test('overlap in time: touching ends do not overlap', () => {
  assert.is(overlapInTime({ startAt: 0, endAt: 10 }, { startAt: 10, endAt: 20 }), false);
  assert.is(overlapInTime({ startAt: 0, endAt: 10 }, { startAt: 9.9, endAt: 20 }), true);
  assert.is(overlapInTime({ startAt: 5, endAt: 6 }, { startAt: 0, endAt: 20 }), true);
});

test.run();
