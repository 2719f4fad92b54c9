import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPower } from './status-power.js';
import type { PowerView } from '../../power/power-runtime.js';

const NOW = 1_780_000_000_000;
const base: PowerView = {
  sensor: 'ina3221 @0x40 on /dev/i2c-1', chemistry: 'li-ion-1s', capacityAh: 10, ok: true, stateOfCharge: 43.4, stateOfChargeSource: 'counted',
  batteryVolts: 3.794, batteryAmps: 0.412, batteryWatts: 1.56, panelVolts: 5.9, panelWatts: 2.41, loadWatts: 0.82,
  energyToday: { day: '2026-05-28', inWh: 3.21, outWh: 1.05, panelWh: 6.5, loadWh: 4.4 }, lastReadingAt: NOW - 4000, failures: 0,
  policies: ['reduce-tx-power', 'stretch-intervals'],
};

test('battery, panel, energy today, policies and the sensor', () => {
  assert.equal(renderPower(base, NOW).split('\n'), [
    'battery  43 %, 3.79 V, charging 0.41 A (li-ion-1s, 10 Ah)',
    'solar    panel 2.41 W at 5.9 V, load 0.82 W',
    'today    in 3.2 Wh, out 1.1 Wh, panel 6.5 Wh, load 4.4 Wh',
    'policies reduce-tx-power, stretch-intervals',
    'sensor   ina3221 @0x40 on /dev/i2c-1, read 4s ago',
    '',
  ]);
});

test('a failing sensor and no reading yet say so', () => {
  const text = renderPower({ ...base, ok: false, stateOfCharge: undefined, batteryVolts: undefined, batteryAmps: undefined, panelWatts: undefined, panelVolts: undefined, loadWatts: undefined, lastReadingAt: undefined, failures: 3, lastError: 'I2cNakError: no ACK from 0x40', policies: [] }, NOW);
  assert.match(text, /^battery  unknown \(no reading yet\) \(li-ion-1s, 10 Ah\)\n/);
  assert.match(text, /policies none \(battery fine\)\n/);
  assert.match(text, /sensor   ina3221 @0x40 on \/dev\/i2c-1, FAILING \(3 tries: I2cNakError: no ACK from 0x40\), last never read\n/);
});

test.run();
