import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lowDataRateOptimizeFor, symbolTimeMs } from './modulation.js';
import { maxPayloadWithin, payloadSymbols, timeOnAirMs, type TimeOnAirParams } from './time-on-air.js';

const base = (sf: number, bw = 125_000, extra: Partial<TimeOnAirParams> = {}): TimeOnAirParams => ({
  spreadingFactor: sf, bandwidthHz: bw, codingRate: 5, preambleLength: 8, explicitHeader: true, crcOn: true, ...extra,
});

// Published vectors.
// [1] "Formulas taken from AN1200.13" spreadsheet (docs.google.com/spreadsheets/d/1voGAtQAjC1qBmaVuP1ApNKs1ekgUjavHuVQIXyYSvNc):
//     13 B, SF9, BW125, CR4/5, preamble 8, explicit, LDRO off -> Tsym 4.096, Tpreamble 50.176, 28 payload symbols, 164.864 ms.
// [2] RF Wireless World "LoRaWAN Airtime calculator" (rfwireless-world.com/calculators/LoRaWAN-Airtime-calculator.html):
//     10 B, BW125, CR4/5, preamble 8, explicit, CRC; table SF7..SF12 = 41/72/144/289/578/991 ms, worked examples
//     SF7 = 41.216 ms and SF11 (LDRO on) = 577.536 ms.
const vectors: Array<[string, TimeOnAirParams, number, number]> = [
  ['AN1200.13 sheet SF9 13 B', base(9), 13, 164.864],
  ['rfwireless SF7 10 B', base(7), 10, 41.216],
  ['rfwireless SF8 10 B', base(8), 10, 72.192],
  ['rfwireless SF9 10 B', base(9), 10, 144.384],
  ['rfwireless SF10 10 B', base(10), 10, 288.768],
  ['rfwireless SF11 10 B LDRO', base(11), 10, 577.536],
  ['rfwireless SF12 10 B LDRO', base(12), 10, 991.232],
];

for (const [name, m, pl, ms] of vectors) {
  test(`time on air: ${name}`, () => {
    assert.ok(Math.abs(timeOnAirMs(m, pl) - ms) < 1e-9, `${timeOnAirMs(m, pl)} != ${ms}`);
  });
}

test('AN1200.13 sheet breakdown: Tsym, preamble and payload symbols', () => {
  const m = base(9);
  assert.is(symbolTimeMs(m), 4.096);
  assert.is((m.preambleLength + 4.25) * symbolTimeMs(m), 50.176);
  assert.is(8 + payloadSymbols(m, 13) * 5, 28);
});

test('LDRO is automatic from Tsym >= 16 ms (SF11/12 @125 kHz, SF12 @250 kHz) unless forced', () => {
  assert.is(lowDataRateOptimizeFor(base(10)), false);
  assert.is(lowDataRateOptimizeFor(base(11)), true);
  assert.is(lowDataRateOptimizeFor(base(11, 250_000)), false);
  assert.is(lowDataRateOptimizeFor(base(12, 250_000)), true);
  assert.is(lowDataRateOptimizeFor(base(11, 125_000, { lowDataRateOptimize: false })), false);
  // Forcing LDRO off at SF11 shortens the frame (denominator 4·SF instead of 4·(SF−2)).
  assert.ok(timeOnAirMs(base(11, 125_000, { lowDataRateOptimize: false }), 10) < timeOnAirMs(base(11), 10));
});

test('SF5/SF6 use the SX126x header (6.25 symbols, no +8): datasheet §6.1.4, 10 B SF5 preamble 12 = 13.12 ms', () => {
  assert.ok(Math.abs(timeOnAirMs(base(5, 125_000, { preambleLength: 12 }), 10) - 13.12) < 1e-9);
});

// LoRaWAN Regional Parameters US902-928 (400 ms dwell, 125 kHz, preamble 8): maximum application payload N =
// 11 / 53 / 125 / 242 B at DR0..DR3 (SF10..SF7), quoted by TTN's airtime calculator; PHYPayload = N + 13 B of LoRaWAN
// header and MIC. The largest frame within 400 ms must be exactly that.
test('largest frame within the US 400 ms dwell matches the LoRaWAN US915 payload table', () => {
  assert.is(maxPayloadWithin(base(10), 400), 11 + 13);
  assert.is(maxPayloadWithin(base(9), 400), 53 + 13);
  assert.is(maxPayloadWithin(base(8), 400), 125 + 13);
  assert.is(maxPayloadWithin(base(7), 400), 242 + 13);
  assert.is(maxPayloadWithin(base(12), 400), -1);
});

test('bad modulation and payload sizes throw RangeError', () => {
  assert.throws(() => timeOnAirMs(base(13), 10), (e: Error) => e instanceof RangeError);
  assert.throws(() => timeOnAirMs(base(7, 600_000), 10), (e: Error) => e instanceof RangeError);
  assert.throws(() => timeOnAirMs(base(7, 125_000, { codingRate: 4 }), 10), (e: Error) => e instanceof RangeError);
  assert.throws(() => timeOnAirMs(base(7), 256), (e: Error) => e instanceof RangeError);
  assert.throws(() => timeOnAirMs(base(7), -1), (e: Error) => e instanceof RangeError);
});

test('time on air (SX126x datasheet §6.1.4, AN1200.13)', () => {
  const rows: Array<[number, number, number, number, number, boolean, number]> = [
    // PL, SF, BW, CR, pre, LDRO, ms
    [13, 9, 125_000, 5, 8, false, 164.864],
    [10, 7, 125_000, 5, 8, false, 41.216],
    [11, 10, 125_000, 5, 8, false, 288.768],
    [51, 12, 125_000, 5, 8, true, 2465.792],
    [255, 7, 125_000, 5, 8, false, 399.616],
    [32, 11, 250_000, 5, 16, false, 477.184],
    [10, 5, 125_000, 5, 12, false, 13.12],
  ];
  for (const [pl, sf, bw, cr, pre, ldro, ms] of rows) {
    const got = timeOnAirMs({ spreadingFactor: sf, bandwidthHz: bw, codingRate: cr, preambleLength: pre, crcOn: true, explicitHeader: true, lowDataRateOptimize: ldro }, pl);
    assert.ok(Math.abs(got - ms) < 1e-6, `PL${pl} SF${sf}: ${got} vs ${ms}`);
  }
});

test.run();
