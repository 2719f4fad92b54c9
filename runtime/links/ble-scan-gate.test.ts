/** The BLE scan gate the power policies close (runtime/power): paused while any holder holds it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bleScansPaused, pauseBleScans } from './ble-scan-gate.js';
import { BleScanPausedError } from './errors.js';

test('paused while any holder holds it; each holder lifts only its own hold', () => {
  const a = {};
  const b = {};
  assert.is(bleScansPaused(), false);
  pauseBleScans(a, true);
  pauseBleScans(a, true);
  pauseBleScans(b, true);
  assert.is(bleScansPaused(), true);
  pauseBleScans(a, false);
  assert.is(bleScansPaused(), true, 'b still holds it');
  pauseBleScans(b, false);
  assert.is(bleScansPaused(), false);
  const err = new BleScanPausedError('Meshtastic_1a2b');
  assert.is(err.name, 'BleScanPausedError');
  assert.is(err.device, 'Meshtastic_1a2b');
});

test.run();
