/**
 * The power runtime between monitor and relay: policies reach every attached part (and a part attached later gets the
 * current ones), the figures for MeshCore and for a native node's telemetry, a shutdown saved before a restart that
 * keeps the relay down until the battery is back, and a sensor that fails while the relay waits.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { parseConfig } from '../config/parse-config.js';
import { setLogSink } from '../log/logger.js';
import { bleScansPaused } from '../links/ble-scan-gate.js';
import { restingVoltsAt, CHEMISTRIES } from './chemistry.js';
import { powerFromConfig, POWER_STATE_FILE } from './power-from-config.js';
import { PowerStateFile } from './power-state-file.js';
import { localDay } from './energy-today.js';
import { runPowered } from './run-powered.js';
import { FakePowerSensor } from './testing/fake-power-sensor.js';
import type { PowerReading } from '../../drivers/power/power-sensor.js';
import { createLogger } from '../log/logger.js';

setLogSink(() => undefined, 'silent');
const liIon = CHEMISTRIES['li-ion-1s'];
const at = (soc: number, amps = -0.2): PowerReading => ({
  at: 0,
  battery: { volts: restingVoltsAt(liIon, soc), amps, watts: restingVoltsAt(liIon, soc) * amps },
  panel: { volts: 6, amps: 0.1, watts: 0.6 },
  load: { volts: restingVoltsAt(liIon, soc), amps: 0.2, watts: 0.76 },
});

async function setup(dir: string, clock: VirtualClock, sensor: FakePowerSensor) {
  const config = parseConfig({ dataDir: dir, power: { sensor: 'ina3221', bus: 1, channels: { battery: 2, panel: 1, load: 3 } } }, {}, { configFile: join(dir, 'c.yaml') });
  return (await powerFromConfig(config, { clock, wallNow: () => clock.now(), open: async () => ({ sensor }), intervalMs: 10_000 }))!;
}

test('policies reach every attached part, a late one included; figures for MeshCore and Meshtastic telemetry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'power-runtime-'));
  try {
    const clock = new VirtualClock();
    const sensor = new FakePowerSensor(clock, at(35));
    const power = await setup(dir, clock, sensor);
    assert.is(power.battery(), undefined, 'no figure before a reading');
    const caps: Array<number | undefined> = [];
    const radio = { name: 'lora0', async setTxPowerCap(d: number | undefined) { caps.push(d); } };
    power.attach({ radios: [radio] });
    await power.start();
    await waitFor('a reading', () => power.view().stateOfCharge !== undefined);
    await clock.sleep(10_000);
    await power.settled();
    assert.equal(power.view().policies, ['reduce-tx-power', 'stretch-intervals']);
    assert.equal(caps.at(-1), 14);
    const paused: boolean[] = [];
    const late = { name: 'mt0', async setTxPowerCap(d: number | undefined) { caps.push(d); }, setIntervalFactor: (f: number) => paused.push(f === 4) };
    const detach = power.attach({ radios: [late], shards: { pauseRepair: (p) => paused.push(p) } });
    await power.settled();
    assert.equal(paused, [true, false], 'the late part gets the current policies (stretched, repair running)');
    assert.equal(power.battery(), { milliVolts: Math.round(restingVoltsAt(liIon, 35) * 1000), percent: Math.round(power.view().stateOfCharge!) });
    const f = power.nodeFigures()!;
    assert.is(f.charging, false);
    assert.equal(f.channels.map((c) => c.channel), [1, 2, 3], 'numbered as wired: panel 1, battery 2, load 3');
    assert.is(f.channels[1]!.amps, -0.2);
    detach();
    // At rest the estimate converges on the curve within the hour (30 min time constant).
    sensor.setSource(at(25, 0));
    await clock.sleep(60 * 60_000);
    await power.settled();
    assert.ok(power.view().policies.includes('stop-ble-scan'));
    assert.is(bleScansPaused(), true);
    assert.is(paused.length, 2, 'a detached part hears nothing more');
    await power.stop();
    // Stopped, the runtime still holds the scans paused for its relay; the next start re-applies whatever is due.
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a shutdown saved before a restart keeps the relay down until resumeAbove; a failing sensor lets it start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'power-runtime-'));
  try {
    const clock = new VirtualClock();
    // Run down to the shutdown, then stop (a reboot).
    const s1 = new FakePowerSensor(clock, at(4));
    const p1 = await setup(dir, clock, s1);
    await p1.start();
    await waitFor('the shutdown', () => p1.shutdown);
    await p1.stop();
    // After the reboot the battery reads 12 %: above shutdownBelow, below resumeAbove (20).
    const s2 = new FakePowerSensor(clock, at(12, 0));
    const p2 = await setup(dir, clock, s2);
    await p2.start();
    assert.is(p2.shutdown, true, 'the saved shutdown holds');
    const ctl = new AbortController();
    let starts = 0;
    const running = runPowered({ power: p2, signal: ctl.signal, log: createLogger('test'), makeRelay: () => ({ start: async () => { starts++; }, stop: async () => undefined }) });
    await clock.sleep(5 * 60_000);
    assert.is(starts, 0, 'no relay at 12 %');
    s2.setSource(at(30, 0));
    await clock.sleep(90 * 60_000);
    await waitFor('the relay started', () => starts === 1);
    ctl.abort();
    await running;
    await p2.stop();
    // Down again, and then the sensor dies: the relay starts without knowing the battery.
    const s3 = new FakePowerSensor(clock, at(3, 0));
    const p3 = await setup(dir, clock, s3);
    await p3.start();
    await clock.sleep(90 * 60_000);
    await waitFor('the shutdown', () => p3.shutdown);
    const ctl3 = new AbortController();
    let starts3 = 0;
    const running3 = runPowered({ power: p3, signal: ctl3.signal, log: createLogger('test'), makeRelay: () => ({ start: async () => { starts3++; }, stop: async () => undefined }) });
    s3.fault = 'nak';
    for (let i = 0; i < 20 && starts3 === 0; i++) await clock.sleep(60_000);
    await waitFor('the relay started', () => starts3 === 1);
    assert.is(p3.shutdown, false);
    ctl3.abort();
    await running3;
    await p3.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the brown-out guard: the voltage overrides a wrong count after three low readings, not after one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'power-runtime-'));
  try {
    const clock = new VirtualClock();
    // Counting believes 60 % (saved a minute ago), but the battery is nearly flat (capacityAh set far too high).
    await new PowerStateFile(join(dir, POWER_STATE_FILE)).save({ version: 1, savedAt: clock.now() - 60_000, stateOfCharge: 60, day: localDay(clock.now()), energy: { inWh: 0, outWh: 0, panelWh: 0, loadWh: 0 } });
    const low = at(2, -0.2);
    const fine = at(60, -0.2);
    let reads = 0;
    // One sagging reading (a transmit burst), then fine, then low for good from the 6th read on.
    const sensor = new FakePowerSensor(clock, () => {
      reads++;
      return reads === 2 || reads >= 6 ? low : fine;
    });
    const power = await setup(dir, clock, sensor);
    await power.start();
    await waitFor('a reading', () => power.view().stateOfCharge !== undefined);
    await clock.sleep(35_000); // reads 2 (low), 3, 4 (fine)
    assert.ok(reads >= 4);
    assert.is(power.shutdown, false, 'one low reading is a sag, not a brown-out');
    assert.ok(power.view().stateOfCharge! > 55, 'counting still says ~60 %');
    await clock.sleep(40_000); // reads 5..8: three low in a row
    assert.is(power.shutdown, true, 'three low readings: the voltage decides');
    await power.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
