import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DUTY_CYCLE_WINDOW_MS, EU868, REGIONS, US915, budgetMs, dwellLimitMs, maxConductedDbm, occupancyLimit, subBandFor } from './regions.js';

test('EU868 sub-bands: 868.0–868.6 is 1 %, 869.4–869.65 is 10 %, K and N are 0.1 %; straddling channels are refused', () => {
  assert.is(subBandFor(EU868, 868_100_000, 125_000).dutyCycle, 0.01);
  assert.is(subBandFor(EU868, 869_525_000, 250_000).dutyCycle, 0.1);
  assert.is(subBandFor(EU868, 864_000_000, 125_000).dutyCycle, 0.001);
  assert.is(subBandFor(EU868, 869_000_000, 125_000).dutyCycle, 0.001);
  assert.throws(() => subBandFor(EU868, 868_550_000, 125_000), (e: Error) => e.name === 'ChannelOutOfBandError');
  assert.throws(() => subBandFor(EU868, 915_000_000, 125_000), (e: Error) => e.name === 'ChannelOutOfBandError');
});

test('US915: one sub-band without duty cycle, 902–928 MHz', () => {
  const b = subBandFor(US915, 906_875_000, 250_000);
  assert.is(b.id, 'us915');
  assert.is(b.dutyCycle, 1);
  assert.throws(() => subBandFor(US915, 901_950_000, 125_000), (e: Error) => e.name === 'ChannelOutOfBandError');
  assert.equal(Object.keys(REGIONS), ['EU868', 'US915', 'EU433', 'CN470', 'ANZ433', 'UA433', 'MY433', 'PH433', 'KZ433']);
});

test('below 810 MHz: EU433 is ERC 70-03 h1.4 (433.05–434.79 MHz, 10 %, 10 mW ERP); the others carry the firmware RDEF rows', () => {
  const eu = subBandFor(REGIONS.EU433, 433_875_000, 125_000);
  assert.equal([eu.id, eu.dutyCycle, eu.maxPowerDbm, eu.powerReference], ['eu433-h1.4', 0.1, 10, 'erp']);
  assert.is(budgetMs(eu), 360_000);
  // Meshtastic's EU_433 row starts at 433.0 MHz; a channel reaching below 433.05 is outside h1.4.
  assert.throws(() => subBandFor(REGIONS.EU433, 433_125_000, 250_000), (e: Error) => e.name === 'ChannelOutOfBandError');
  const cn = subBandFor(REGIONS.CN470, 490_000_000, 125_000);
  assert.equal([cn.dutyCycle, cn.maxPowerDbm, cn.powerReference], [1, 19, 'conducted']);
  assert.is(subBandFor(REGIONS.UA433, 434_000_000, 125_000).dutyCycle, 0.1);
  for (const r of ['ANZ433', 'MY433', 'PH433', 'KZ433'] as const) assert.is(subBandFor(REGIONS[r], 434_000_000, 125_000).dutyCycle, 1, r);
  for (const r of Object.values(REGIONS)) assert.is(dwellLimitMs(r, 125_000), r.name === 'US915' ? 400 : undefined, r.name);
});

test('dwell: US915 400 ms per transmission below 500 kHz, none at 500 kHz nor in EU868', () => {
  assert.is(dwellLimitMs(US915, 125_000), 400);
  assert.is(dwellLimitMs(US915, 250_000), 400);
  assert.is(dwellLimitMs(US915, 500_000), undefined);
  assert.is(dwellLimitMs(EU868, 125_000), undefined);
});

test('hourly budget: 1 % is 36 s, 10 % is 360 s, 0.1 % is 3.6 s of the one-hour window', () => {
  assert.is(DUTY_CYCLE_WINDOW_MS, 3_600_000);
  assert.is(budgetMs(subBandFor(EU868, 868_100_000, 125_000)), 36_000);
  assert.is(budgetMs(subBandFor(EU868, 869_525_000, 250_000)), 360_000);
  assert.is(Math.round(budgetMs(subBandFor(EU868, 864_000_000, 125_000))), 3_600);
});

test('conducted power limit: EU868 ERP = conducted + dBi − 2.15; US915 30 dBm, minus what the antenna has over 6 dBi', () => {
  const p = subBandFor(EU868, 869_525_000, 250_000); // 500 mW ERP
  assert.is(maxConductedDbm(p, 2.15), 27);
  assert.is(maxConductedDbm(p, 8.15), 21);
  const us = subBandFor(US915, 906_875_000, 250_000);
  assert.is(maxConductedDbm(us, 6), 30);
  assert.is(maxConductedDbm(us, 9), 27);
});

test('EU868: the alarm sub-bands of ERC Rec 70-03 (868.6–868.7, 869.2–869.4, 869.65–869.7) are refused, not generic SRD', () => {
  for (const hz of [868_650_000, 869_225_000, 869_275_000, 869_350_000, 869_675_000]) {
    assert.throws(() => subBandFor(EU868, hz, 25_000), (e: Error) => e.name === 'ChannelOutOfBandError', `${hz} Hz`);
  }
  // A channel reaching into one from a generic band is refused too; the generic bands around them still work.
  assert.throws(() => subBandFor(EU868, 869_625_000, 62_500), (e: Error) => e.name === 'ChannelOutOfBandError');
  assert.is(subBandFor(EU868, 869_618_000, 62_500).id, 'eu868-p');
  assert.is(subBandFor(EU868, 868_800_000, 125_000).id, 'eu868-n');
  assert.is(subBandFor(EU868, 869_850_000, 125_000).id, 'eu868-q');
});

test('US915 occupancy (FCC 15.247(a)(1)(i)): 400 ms per 20 s below 250 kHz, per 10 s to 500 kHz, none for 500 kHz DTS', () => {
  assert.equal(occupancyLimit(US915, 62_500), { maxMs: 400, windowMs: 20_000 });
  assert.equal(occupancyLimit(US915, 125_000), { maxMs: 400, windowMs: 20_000 });
  assert.equal(occupancyLimit(US915, 250_000), { maxMs: 400, windowMs: 10_000 });
  assert.is(occupancyLimit(US915, 500_000), undefined);
  assert.is(occupancyLimit(EU868, 125_000), undefined);
});

test.run();
