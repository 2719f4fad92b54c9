import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meshCoreModulation } from '../../../lib/lora/meshcore-presets.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import { cadFailRetryDelayMs, defaultFloodDelayMs, estAirtimeMs, nextInt, packetScore, rxDelayFromBase } from './mesh-timing.js';
import { seededRandom } from './testing/mesh-network.js';

test('Mesh::getRetransmitDelay: a whole multiple 0..4 of t = (airtime × 52 / 50) / 2', () => {
  const r = seededRandom(9);
  const seen = new Set<number>();
  for (let i = 0; i < 500; i++) seen.add(defaultFloodDelayMs(1000, r));
  assert.equal([...seen].sort((a, b) => a - b), [0, 520, 1040, 1560, 2080]);
});

test('Mesh::getCADFailRetryDelay is 120, 240 or 360 ms; nextInt excludes its upper bound', () => {
  const r = seededRandom(4);
  const seen = new Set<number>();
  for (let i = 0; i < 300; i++) seen.add(cadFailRetryDelayMs(r));
  assert.equal([...seen].sort((a, b) => a - b), [120, 240, 360]);
  assert.is(nextInt(() => 0.999999999, 0, 5), 4);
  assert.is(nextInt(() => 0, 3, 3), 3);
});

test('getEstAirtimeFor is the time on air in whole ms, rounded down', () => {
  const m = meshCoreModulation('EU_UK_NARROW');
  assert.is(estAirtimeMs(m, 100), Math.floor(timeOnAirMs(m, 100)));
  assert.ok(estAirtimeMs(m, 255) > 2000 && estAirtimeMs(m, 255) < 2500);
});

test('RadioLibWrapper::packetScoreInt and the apps\' rx delay formula', () => {
  assert.is(packetScore(-10.5, 8, 100), 0); // below SF8's -10 dB
  assert.is(packetScore(5, 6, 100), 0);
  assert.ok(Math.abs(packetScore(0, 8, 128) - 0.5) < 1e-9); // (0 + 10) / 10 × (1 − 128/256)
  assert.is(packetScore(30, 7, 10), 1);
  assert.is(rxDelayFromBase(0, 0.2, 1000), 0);
  assert.is(rxDelayFromBase(10, 0.85, 1000), 0);
  assert.is(rxDelayFromBase(10, 0, 1000), Math.trunc((Math.pow(10, 0.85) - 1) * 1000));
});

test.run();
