import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ldroByRule, lowDataRateOptimizeFor, symbolTimeMs } from './modulation.js';

test('LDRO by rule: symbol time ≥ 16 ms', () => {
  assert.ok(ldroByRule(11, 125_000));
  assert.ok(ldroByRule(12, 125_000));
  assert.ok(ldroByRule(12, 250_000));
  assert.not.ok(ldroByRule(10, 125_000));
  assert.not.ok(ldroByRule(11, 250_000));
});

test('symbol time 2^SF / BW in ms: SF7/125 kHz 1.024 ms, SF12/125 kHz 32.768 ms, SF11/250 kHz 8.192 ms', () => {
  assert.is(symbolTimeMs({ spreadingFactor: 7, bandwidthHz: 125_000 }), 1.024);
  assert.is(symbolTimeMs({ spreadingFactor: 12, bandwidthHz: 125_000 }), 32.768);
  assert.is(symbolTimeMs({ spreadingFactor: 11, bandwidthHz: 250_000 }), 8.192);
});

test('a forced LDRO setting wins over the rule, both ways', () => {
  assert.is(lowDataRateOptimizeFor({ spreadingFactor: 7, bandwidthHz: 125_000, lowDataRateOptimize: true }), true);
  assert.is(lowDataRateOptimizeFor({ spreadingFactor: 12, bandwidthHz: 125_000, lowDataRateOptimize: false }), false);
  assert.is(lowDataRateOptimizeFor({ spreadingFactor: 12, bandwidthHz: 125_000 }), true);
});

test.run();
