/**
 * The simulated default's power (and `power: { sensor: ina3221, hal: sim }`): the real INA3221 driver on the
 * emulated chip over the simulated battery, panel and load of drivers/power/sim, on a 10-minute day. In virtual time:
 * the first night walks the policies down, the morning sun lifts them, the state of charge follows the simulated
 * battery's, and the energy counters see a real day's worth.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';
import { parseConfig } from '../config/parse-config.js';
import { setLogSink } from '../log/logger.js';
import { powerFromConfig } from './power-from-config.js';
import type { PolicyChange } from './power-policies.js';

setLogSink(() => undefined, 'silent');

async function simDay(config: ReturnType<typeof parseConfig>) {
  const clock = new VirtualClock(new Date(2026, 5, 1, 12, 0, 0).getTime());
  const power = (await powerFromConfig(config, { clock, wallNow: () => clock.now() }))!;
  assert.ok(power, 'a power runtime');
  const changes: PolicyChange[] = [];
  power.on('change', (c) => changes.push(c));
  await power.start();
  const socs: number[] = [];
  for (let i = 0; i < 120; i++) {
    await clock.sleep(5000); // one 10-minute simulated day
    const s = power.view().stateOfCharge;
    if (s !== undefined) socs.push(s);
  }
  const view = power.view();
  await power.stop();
  return { changes, socs, view };
}

test('the simulated default: an emulated INA3221 on the simulated battery walks the policies down at night and up in the morning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-power-'));
  try {
    const config = parseConfig(undefined, { LATTICE_DATA_DIR: dir }, {});
    assert.is(config.sim.enabled, true);
    const { changes, socs, view } = await simDay(config);
    assert.match(view.sensor, /ina3221/);
    assert.match(view.sensor, /simulated/);
    assert.is(view.ok, true);
    assert.ok(Math.min(...socs) < 30 && Math.min(...socs) > 5, `night low ${Math.min(...socs).toFixed(1)} %`);
    assert.ok(socs.at(-1)! > Math.min(...socs) + 10, `morning sun charges (${socs.at(-1)!.toFixed(1)} %)`);
    const on = changes.filter((c) => c.active).map((c) => c.policy);
    assert.ok(on.includes('reduce-tx-power') && on.includes('stop-shard-repair'), on.join(','));
    assert.ok(!on.includes('shutdown'), 'the demo does not stop itself');
    assert.ok(changes.some((c) => !c.active && c.policy === 'stop-shard-repair'), 'lifted by the sun');
    // A 0.8 W load counted in simulated time: the 10 minutes run from 18:00 to 18:00, and today began at the
    // simulated midnight, 18 simulated hours (14.4 Wh) ago.
    assert.ok(view.energyToday.loadWh > 13.5 && view.energyToday.loadWh < 15.5, `load ${view.energyToday.loadWh} Wh`);
    assert.ok(view.panelWatts !== undefined && view.loadWatts !== undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`power: { sensor: ina3221, hal: sim }` in a config does the same, on the configured chemistry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-power-'));
  try {
    const config = parseConfig({ dataDir: dir, power: { sensor: 'ina3221', hal: 'sim', chemistry: 'lifepo4-4s', capacityAh: 10 } }, {}, { configFile: join(dir, 'c.yaml') });
    assert.is(config.sim.enabled, false);
    const { changes, view } = await simDay(config);
    assert.ok(view.batteryVolts! > 11 && view.batteryVolts! < 14.6, `a 4S LiFePO4 pack: ${view.batteryVolts} V`);
    assert.ok(changes.some((c) => c.active), 'policies move');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hal: sim: "energy today" turns at the simulated midnight, not at the wall clock\'s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-power-'));
  try {
    const config = parseConfig(undefined, { LATTICE_DATA_DIR: dir }, {});
    // Noon on the wall clock: 25 minutes of it cross no wall midnight, but two and a half simulated days.
    const clock = new VirtualClock(new Date(2026, 5, 1, 12, 0, 0).getTime());
    const power = (await powerFromConfig(config, { clock, wallNow: () => clock.now() }))!;
    await power.start();
    const seen: Array<{ day: string; loadWh: number }> = [];
    for (let i = 0; i < 300; i++) {
      await clock.sleep(5000);
      const e = power.view().energyToday;
      seen.push({ day: e.day, loadWh: e.loadWh });
    }
    await power.stop();
    // The sim starts at 18:00: midnights after 3, 13 and 23 minutes of clock time.
    const days = [...new Set(seen.map((s) => s.day))];
    assert.equal(days, ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04']);
    // Never more than a simulated day's 0.8 W load (19.2 Wh, plus the interval that straddles midnight).
    const most = Math.max(...seen.map((s) => s.loadWh));
    assert.ok(most < 19.2 + 0.5, `at most a day's load, got ${most} Wh`);
    // A whole simulated day (the second) counted a whole day's load; the next started from zero.
    const second = seen.filter((s) => s.day === '2026-06-02');
    assert.ok(second.at(-1)!.loadWh > 18, `a whole day: ${second.at(-1)!.loadWh} Wh`);
    assert.ok(seen.find((s) => s.day === '2026-06-03')!.loadWh < 0.5, 'the new day starts from zero');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
