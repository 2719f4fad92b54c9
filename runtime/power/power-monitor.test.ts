/** The monitor: readings to figures, the state kept across a restart, and a sensor that misbehaves. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { createLogger } from '../log/logger.js';
import { captureLogs } from '../log/testing/capture-logs.js';
import { CHEMISTRIES, restingVoltsAt, socFromRestingVolts } from './chemistry.js';
import { PowerMonitor, type PowerMonitorOptions } from './power-monitor.js';
import { PowerStateFile } from './power-state-file.js';
import { FakePowerSensor } from './testing/fake-power-sensor.js';

const liIon = CHEMISTRIES['li-ion-1s'];
const log = createLogger('power');

function monitor(clock: VirtualClock, sensor: FakePowerSensor, extra: Partial<PowerMonitorOptions> = {}): PowerMonitor {
  return new PowerMonitor({ sensor, chemistry: liIon, capacityAh: 10, maxCurrentA: 1.6, clock, wallNow: () => clock.now(), log, intervalMs: 10_000, readTimeoutMs: 2000, ...extra });
}

const resting = (soc: number) => ({ at: 0, battery: { volts: restingVoltsAt(liIon, soc), amps: 0, watts: 0 } });

test('curves: the tables\' points, monotonic, and the inverse', () => {
  assert.is(socFromRestingVolts(liIon, 4.2), 100);
  assert.is(socFromRestingVolts(liIon, 3.0), 0);
  assert.ok(Math.abs(socFromRestingVolts(liIon, 3.82) - 50) < 1e-9);
  assert.ok(Math.abs(socFromRestingVolts(CHEMISTRIES['lifepo4-4s'], 13.04) - 50) < 1e-9);
  assert.ok(Math.abs(socFromRestingVolts(CHEMISTRIES['lead-acid-12v'], 12.2) - 50) < 1e-9);
  assert.ok(Math.abs(socFromRestingVolts(CHEMISTRIES['li-ion-3s'], 3 * 3.82) - 50) < 1e-9);
  for (const c of Object.values(CHEMISTRIES)) {
    let prev = -1;
    for (let s = 0; s <= 100; s += 0.5) {
      const v = restingVoltsAt(c, s);
      assert.ok(v > prev, `${c.name} rises at ${s}`);
      prev = v;
      assert.ok(Math.abs(socFromRestingVolts(c, v) - s) < 1e-6, `${c.name} inverse at ${s}`);
    }
  }
});

test('first reading from the voltage; then counted: 1 A for an hour is 10 % of 10 Ah', async () => {
  const clock = new VirtualClock();
  // Under load the estimate may not follow the voltage quickly: a constant 1 A discharge.
  const sensor = new FakePowerSensor(clock, () => ({ at: 0, battery: { volts: restingVoltsAt(liIon, 60), amps: -1, watts: -3.87 }, panel: { volts: 0, amps: 0, watts: 0 }, load: { volts: 3.87, amps: 1, watts: 3.87 } }));
  const m = monitor(clock, sensor);
  await m.start();
  await waitFor('a first reading', () => m.stateOfCharge !== undefined);
  const first = m.stateOfCharge!;
  // The I·R correction puts the first estimate above what the sagging voltage alone reads.
  assert.ok(first > 60 && first < 63, `first ${first}`);
  await clock.sleep(3_600_000);
  const status = m.status();
  assert.is(status.stateOfChargeSource, 'counted');
  // 10 % counted, less than 1 % of pull towards the voltage in one hour (12 h time constant under load).
  assert.ok(first - status.stateOfCharge! > 9 && first - status.stateOfCharge! < 10.5, `after 1 h: ${status.stateOfCharge}`);
  assert.ok(Math.abs(status.energyToday.outWh - 3.87) < 0.05, `out ${status.energyToday.outWh} Wh`);
  assert.is(status.energyToday.inWh, 0);
  assert.ok(Math.abs(status.energyToday.loadWh - 3.87) < 0.05);
  assert.is(status.batteryAmps, -1);
  assert.is(status.ok, true);
  await m.stop();
  assert.ok(sensor.closed);
});

test('energy today starts again at local midnight', async () => {
  // 23:00 local on some day.
  const d = new Date(2026, 5, 1, 23, 0, 0);
  const clock = new VirtualClock(d.getTime());
  const sensor = new FakePowerSensor(clock, { at: 0, battery: { volts: 4.0, amps: 0.5, watts: 2 }, panel: { volts: 18, amps: 0.2, watts: 3.6 } });
  const m = monitor(clock, sensor);
  await m.start();
  await clock.sleep(3_600_000 - 10_000);
  const before = m.status().energyToday;
  assert.is(before.day, '2026-06-01');
  assert.ok(Math.abs(before.inWh - 2 * (59 / 60 - 10 / 3600)) < 0.05, `in ${before.inWh}`);
  await clock.sleep(30 * 60_000);
  const after = m.status().energyToday;
  assert.is(after.day, '2026-06-02');
  assert.ok(after.inWh > 0.9 && after.inWh < 1.05, `after midnight ${after.inWh}`);
  assert.ok(after.panelWh > 1.6 && after.panelWh < 1.9, `panel ${after.panelWh}`);
  await m.stop();
});

test('state of charge and today\'s energy survive a restart; a stale save does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'power-state-'));
  try {
    const file = new PowerStateFile(join(dir, 'power-state.json'));
    const clock = new VirtualClock(new Date(2026, 5, 1, 12, 0, 0).getTime());
    const sensor = new FakePowerSensor(clock, { at: 0, battery: { volts: restingVoltsAt(liIon, 80), amps: -1.2, watts: -4.7 } });
    const m = monitor(clock, sensor, { stateFile: file });
    await m.start();
    await clock.sleep(2 * 3_600_000);
    await m.stop();
    const socBefore = m.status().stateOfCharge!;
    const outBefore = m.status().energyToday.outWh;
    const saved = JSON.parse(readFileSync(file.path, 'utf8'));
    assert.is(saved.version, 1);
    assert.ok(Math.abs(saved.stateOfCharge - socBefore) < 0.05);
    // The voltage alone says 80 %; counting says ~57 %. The restarted monitor takes the saved figure.
    const m2 = monitor(clock, new FakePowerSensor(clock, { at: 0, battery: { volts: restingVoltsAt(liIon, 80), amps: -1.2, watts: -4.7 } }), { stateFile: file });
    await m2.start();
    await waitFor('a reading', () => m2.status().lastReadingAt !== undefined);
    assert.ok(Math.abs(m2.status().stateOfCharge! - socBefore) < 0.1, `${m2.status().stateOfCharge} vs ${socBefore}`);
    assert.ok(m2.status().energyToday.outWh >= outBefore - 0.001, 'energy kept');
    await m2.stop();
    // Two days later the save is stale: the voltage decides.
    const later = new VirtualClock(clock.now() + 48 * 3_600_000);
    const m3 = monitor(later, new FakePowerSensor(later, resting(70)), { stateFile: file });
    await m3.start();
    await waitFor('a reading', () => m3.status().lastReadingAt !== undefined);
    assert.ok(Math.abs(m3.status().stateOfCharge! - 70) < 0.1);
    assert.is(m3.status().energyToday.outWh, 0, 'another day');
    await m3.stop();
    // A torn or foreign file is set aside, not trusted.
    writeFileSync(file.path, '{"version":1,"stateOfCharge":');
    const m4 = monitor(later, new FakePowerSensor(later, resting(40)), { stateFile: file });
    await m4.start();
    await waitFor('a reading', () => m4.status().lastReadingAt !== undefined);
    assert.ok(Math.abs(m4.status().stateOfCharge! - 40) < 0.1);
    await m4.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sensor that NAKs, hangs or reads garbage: reported once per kind, backed off, re-initialised, figures kept', async () => {
  const logs = captureLogs('info');
  try {
    const clock = new VirtualClock();
    const sensor = new FakePowerSensor(clock, resting(55));
    const m = monitor(clock, sensor);
    const failures: string[] = [];
    m.on('failure', (reason) => failures.push(reason));
    await m.start();
    await waitFor('a reading', () => m.status().lastReadingAt !== undefined);
    const soc = m.status().stateOfCharge;
    sensor.fault = 'nak';
    await clock.sleep(10 * 60_000);
    const naks = failures.length;
    // Back-off doubles: 20, 40, 80, 160, 300 s… — far fewer than the 60 reads of a 10 s interval.
    assert.ok(naks >= 4 && naks <= 7, `${naks} retries in 10 min`);
    assert.equal(new Set(failures), new Set(['I2cNakError']));
    assert.is(m.status().ok, false);
    assert.is(m.status().stateOfCharge, soc, 'last figure stands');
    assert.match(m.status().lastError!, /^I2cNakError/);
    sensor.fault = 'hang';
    await clock.sleep(15 * 60_000);
    assert.ok(failures.includes('PowerSensorTimeoutError'), failures.join(','));
    sensor.fault = 'garbage';
    await clock.sleep(15 * 60_000);
    assert.ok(failures.includes('ImplausibleReadingError'));
    const inits = sensor.inits;
    sensor.fault = 'none';
    // The back-off is at its 5 min ceiling: the next try, within 5 min, reads again.
    for (let i = 0; i < 6 && !m.status().ok; i++) await clock.sleep(60_000);
    assert.is(m.status().ok, true);
    assert.ok(sensor.inits > inits, 'programmed again before reading');
    const warned = logs.of('power').filter((r) => r.level === 'warn').map((r) => r.fields?.reason);
    assert.equal(warned, ['I2cNakError', 'PowerSensorTimeoutError', 'ImplausibleReadingError'], 'one line per kind of failure');
    await m.stop();
  } finally {
    logs.restore();
  }
});

test.run();
