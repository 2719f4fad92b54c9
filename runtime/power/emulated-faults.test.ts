/**
 * The bad-sensor behaviour with the real drivers on the byte-level emulators (drivers/power/sim), not a fake: a
 * brown-out that resets the chip's calibration, a chip that NAKs, a bus that hangs. The relay's figures stay, the
 * faults are counted on /metrics, and reading resumes by itself once the fault clears.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedPowerSensor } from '../../drivers/power/create-power-sensor.js';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { parseConfig } from '../config/parse-config.js';
import { setLogSink } from '../log/logger.js';
import { createMetrics } from '../metrics/metrics.js';
import { powerFromConfig } from './power-from-config.js';
import { registerPowerMetrics } from './power-metrics.js';

setLogSink(() => undefined, 'silent');

const sample = async (metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string> = {}) =>
  (await metrics.read(name))?.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;

test('INA219 on the emulated bus: brown-out re-programmed and counted, NAK and hung bus backed off, reading resumes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'power-faults-'));
  try {
    const clock = new VirtualClock();
    const sim = createSimulatedPowerSensor({ sensor: 'ina219', hal: 'sim' }, { clock, sim: { startSoc: 60 } });
    const config = parseConfig({ dataDir: dir, power: { sensor: 'ina219', hal: 'sim' } }, {}, { configFile: join(dir, 'c.yaml') });
    const power = (await powerFromConfig(config, { clock, wallNow: () => clock.now(), open: async () => ({ sensor: sim.sensor, timeScale: sim.sim.timeScale }), intervalMs: 5000 }))!;
    const metrics = createMetrics({ defaultMetrics: false });
    registerPowerMetrics(metrics, power);
    await power.start();
    await waitFor('a reading', () => power.view().stateOfCharge !== undefined);
    const volts = power.view().batteryVolts!;
    assert.ok(volts > 3.5 && volts < 4.2, `${volts} V`);

    // Brown-out: calibration back to 0. The driver notices, programs the chip again; the monitor keeps reading.
    sim.chip.brownOut();
    await clock.sleep(30_000);
    await waitFor('the brown-out counted', async () => (await sample(metrics, 'lattice_power_sensor_brownouts_total')) >= 1);
    assert.is(power.view().sensorBrownOuts, 1);
    assert.is(power.view().ok, true);

    // A NAKing chip: failures counted by name, the last figures kept.
    sim.chip.nak = true;
    await clock.sleep(5 * 60_000);
    assert.is(power.view().ok, false);
    assert.ok((await sample(metrics, 'lattice_power_sensor_failures_total', { reason: 'I2cNakError' })) >= 3);
    assert.ok(power.view().stateOfCharge !== undefined, 'the figures stand');
    sim.chip.nak = false;

    // A hung bus: the read is given up, counted, and reading resumes once the bus is released.
    sim.bus.hang();
    await clock.sleep(10 * 60_000);
    const hung = (await metrics.read('lattice_power_sensor_failures_total'))!.filter((s) => /Timeout/.test(String(s.labels.reason)));
    assert.ok(hung.length > 0 && hung.some((s) => s.value >= 1), JSON.stringify(await metrics.read('lattice_power_sensor_failures_total')));
    sim.bus.release();
    for (let i = 0; i < 12 && !power.view().ok; i++) await clock.sleep(60_000);
    assert.is(power.view().ok, true, 'reads again');
    assert.ok((await sample(metrics, 'lattice_power_readings_total')) > 5);
    await power.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
