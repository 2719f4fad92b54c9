import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meshCoreModulation } from '../../../lib/lora/meshcore-presets.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import { cadFailRetryDelayMs, defaultFloodDelayMs, estAirtimeMs, nextInt } from './mesh-timing.js';
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

test.run();
