/**
 * `lattice run` whose configured sensor is not there (no /dev/i2c-<bus>: I2C not enabled, the wrong bus): the relay
 * says so once and relays all the same; `/status` has no power block rather than made-up figures.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayProcess, eventually } from '../daemon/testing/relay-process.js';

test('a missing I2C bus: power monitoring off with an error, the relay runs and takes messages', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lattice-no-sensor-'));
  const file = join(root, 'lattice.yaml');
  writeFileSync(file, 'power:\n  sensor: ina219\n  bus: 97\n  address: 0x41\n');
  const relay = new RelayProcess({ dataDir: join(root, 'data'), extraArgs: ['--config', file] });
  try {
    await relay.start();
    const line = await eventually('the error about the sensor', () => relay.output.split('\n').find((l) => l.includes('power monitoring off')));
    const rec = JSON.parse(line);
    assert.is(rec.level, 'error');
    assert.is(rec.name, 'I2cBusMissingError');
    const st = await relay.get('/status');
    assert.is(st.power, undefined);
    assert.match(await relay.send('*', 'still relaying'), /^[0-9a-f]{64}$/);
  } finally {
    await relay.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
