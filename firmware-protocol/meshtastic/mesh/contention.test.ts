import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meshtasticModulation } from '../../../lib/lora/meshtastic-presets.js';
import { CW_MAX, arduinoMap, cwSizeForSnr, retransmissionMs, slotTimeMs, txDelayMs, txDelayWeightedMs, txDelayWeightedWorstMs } from './contention.js';

const lowest = () => 0;
const highest = (max: number) => Math.max(0, max - 1);

test('slot time: 2.5 symbols of CAD + 7.6 ms, truncated (RadioInterface::computeSlotTimeMsec)', () => {
  assert.is(slotTimeMs(meshtasticModulation('EU_868', 'LONG_FAST')), 28); // 2.5 × 8.192 + 7.6 = 28.08
  assert.is(slotTimeMs(meshtasticModulation('EU_868', 'SHORT_FAST')), 8); // SF7/250k: 2.5 × 0.512 + 7.6 = 8.88
  assert.is(slotTimeMs(meshtasticModulation('EU_868', 'LONG_SLOW')), 89); // SF12/125k: 2.5 × 32.768 + 7.6 = 89.52
});

test('CW size: Arduino map(snr, −20, 10, 3, 8), truncating, not clamped above', () => {
  const table: Array<[number, number]> = [[-20, 3], [-14, 4], [-13.9, 4], [-8, 5], [-5, 5], [0, 6], [4, 7], [10, 8], [15, 8], [16, 9], [-25, 3], [-26, 2]];
  for (const [snr, cw] of table) assert.is(cwSizeForSnr(snr), cw, `snr ${snr}`);
  assert.is(arduinoMap(-13.9, -20, 10, 3, 8), 4); // (−13 + 20) × 5 / 30 = 1.16 → 1 → 4
});

test('rebroadcast delay ranges per role and SNR match getTxDelayMsecWeighted', () => {
  const slot = 28;
  for (const snr of [-20, -10, 0, 5, 10]) {
    const cw = cwSizeForSnr(snr);
    // ROUTER: random(0, 2·CW) slots
    assert.is(txDelayWeightedMs('ROUTER', snr, slot, lowest), 0);
    assert.is(txDelayWeightedMs('ROUTER', snr, slot, highest), (2 * cw - 1) * slot);
    // everyone else (ROUTER_LATE included): 2·CWmax slots + random(0, 2^CW) slots
    for (const role of ['CLIENT', 'ROUTER_LATE', 'CLIENT_MUTE'] as const) {
      assert.is(txDelayWeightedMs(role, snr, slot, lowest), 2 * CW_MAX * slot, `${role} ${snr}`);
      assert.is(txDelayWeightedMs(role, snr, slot, highest), (2 * CW_MAX + 2 ** cw - 1) * slot, `${role} ${snr}`);
    }
    assert.is(txDelayWeightedWorstMs(snr, slot), (2 * CW_MAX + 2 ** cw) * slot);
  }
  // a router always goes before any client; a far (weak) client before a near (strong) one at worst
  assert.ok(txDelayWeightedMs('ROUTER', 10, slot, highest) < txDelayWeightedMs('CLIENT', -20, slot, lowest));
  assert.ok(txDelayWeightedWorstMs(-20, slot) < txDelayWeightedWorstMs(10, slot));
});

test('own-packet delay and retransmission interval follow channel utilisation', () => {
  assert.is(txDelayMs(28, 0, highest), 7 * 28); // CW 3 → random(0, 8)
  assert.is(txDelayMs(28, 100, highest), 255 * 28); // CW 8 → random(0, 256)
  // 2·airtime + (2^3 + 16 + 2^5)·slot + 4500
  assert.is(retransmissionMs(300, 28, 0), 600 + (8 + 16 + 32) * 28 + 4500);
  assert.is(retransmissionMs(300, 28, 50), 600 + (2 ** 5 + 16 + 32) * 28 + 4500);
});

test.run();
