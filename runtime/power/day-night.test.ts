/**
 * A solar relay through dark days and sunny ones, in virtual time: the battery runs down, the policies come on one
 * by one in threshold order, the relay stops cleanly before brown-out and starts again when the sun has charged the
 * battery past resumeAbove, the policies lift in reverse order, and the messages queued in the vault before the stop
 * are all there after it. The relay is the real Daemon (vault, router, IP bearer, shard store, API); the power side
 * runs on a VirtualClock over a battery model (testing/battery-model.ts), so four days take about a second.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { parseConfig } from '../config/parse-config.js';
import { Daemon } from '../daemon/daemon.js';
import { freePort } from '../daemon/testing/relay-process.js';
import { createLogger, setLogSink } from '../log/logger.js';
import { bleScansPaused } from '../links/ble-scan-gate.js';
import { CHEMISTRIES } from './chemistry.js';
import { powerFromConfig, POWER_STATE_FILE } from './power-from-config.js';
import type { PolicyChange } from './power-policies.js';
import { runPowered, type Runnable } from './run-powered.js';
import { BatteryModel } from './testing/battery-model.js';
import { FakePowerSensor } from './testing/fake-power-sensor.js';

const DAY = 86_400_000;

setLogSink(() => undefined, 'silent');

test('dark days walk the policies down to a clean stop, sunny days walk them back up; the vault keeps everything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'day-night-'));
  const ctl = new AbortController();
  try {
    const config = parseConfig({
      dataDir: dir,
      api: { host: '127.0.0.1', port: await freePort() },
      metrics: false,
      ip: { listen: `127.0.0.1:${await freePort()}`, discovery: false },
      sim: false,
      log: { level: 'warn' },
      power: { sensor: 'ina3221', bus: 1, chemistry: 'li-ion-1s', capacityAh: 10 },
    }, {}, { configFile: join(dir, 'lattice.yaml') });
    // Midnight, local time: the model's day starts here.
    const start = new Date(2026, 5, 1, 0, 0, 0).getTime();
    const clock = new VirtualClock(start);
    // Two days without sun (snow on the panel), then sun: 1 W of relay on a 10 Ah cell is ~63 % a day.
    const model = new BatteryModel({ chemistry: CHEMISTRIES['li-ion-1s'], capacityAh: 10, soc: 70, panelPeakWatts: 12, loadWatts: 1, dayMs: DAY, startAt: start, weather: (d) => (d < 2 ? 0 : 1) });
    const sensor = new FakePowerSensor(clock, (at) => model.read(at));
    // The state file hourly rather than every 5 minutes: four virtual days at the default wrote it (an fsync'd
    // replace) some 1,150 times, most of this test's wall time; what this test checks of it, the shutdown flag, is
    // written at the policy change itself (the periodic save is power-monitor's to test).
    const power = (await powerFromConfig(config, { clock, wallNow: () => clock.now(), open: async () => ({ sensor }), intervalMs: 120_000, saveEveryMs: 3_600_000 }))!;
    const changes: PolicyChange[] = [];
    power.on('change', (c) => changes.push(c));
    // A radio that records what the policies ask of it (the real bearers' hooks are tested beside them).
    const radio = { name: 'lora0', txCaps: [] as Array<number | undefined>, factors: [] as number[], client: [] as boolean[],
      async setTxPowerCap(d: number | undefined) { this.txCaps.push(d); },
      setAdvertIntervalFactor(f: number) { this.factors.push(f); },
      setClientRole(on: boolean) { this.client.push(on); } };
    power.attach({ radios: [radio] });
    await power.start();

    const relays: Daemon[] = [];
    const running = runPowered({
      power, signal: ctl.signal, log: createLogger('relay'),
      makeRelay: () => new Daemon(config, { power }),
      onRunning: (r: Runnable) => relays.push(r as Daemon),
    });
    await waitFor('the relay running', () => relays.length === 1 && relays[0]!.api?.url);
    const first = relays[0]!;
    assert.ok(first.status().power, 'status shows power');
    const battery = first.battery();
    assert.ok(battery && battery.percent > 60 && battery.milliVolts > 3800, `MeshCore's battery figure: ${JSON.stringify(battery)}`);
    // Messages for nobody reachable: they wait in the vault's outbox.
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await first.send({ to: '*', text: `queued ${i}` })).bundleId);
    assert.is(first.status().outbox.queued, 5);

    // Let the dark days pass, two minutes of virtual time per sample.
    await clock.sleep(2 * DAY - 120_000);
    const down = changes.filter((c) => c.active).map((c) => c.policy);
    assert.equal(down, ['reduce-tx-power', 'stretch-intervals', 'stop-ble-scan', 'stop-shard-repair', 'client-role', 'shutdown'], 'each policy on once, in threshold order');
    assert.is(relays.length, 1, 'no relay while the battery is low');
    const saved = JSON.parse(readFileSync(join(dir, POWER_STATE_FILE), 'utf8'));
    assert.is(saved.shutdown, true, 'the shutdown is saved (a reboot waits for the battery too)');
    await power.settled();
    assert.is(bleScansPaused(), true);
    assert.equal(radio.txCaps.at(-1), 14);
    assert.equal(radio.factors.at(-1), 4);
    assert.equal(radio.client.at(-1), true);

    // Sun: charged past resumeAbove (20 %) the relay starts again; by the end of the day every policy is lifted.
    await clock.sleep(DAY);
    await waitFor('the relay running again', () => relays.length === 2 && relays[1]!.api?.url);
    await clock.sleep(DAY);
    const up = changes.filter((c) => !c.active).map((c) => c.policy);
    assert.equal(up, ['shutdown', 'client-role', 'stop-ble-scan', 'stop-shard-repair', 'stretch-intervals', 'reduce-tx-power'], 'each lifted once, lowest threshold first');
    assert.is(changes.length, 12, 'no flapping');
    assert.ok(model.soc > 80, `charged: ${model.soc.toFixed(1)} %`);
    await power.settled();
    assert.is(bleScansPaused(), false);
    assert.equal(radio.txCaps.at(-1), undefined);
    assert.equal(radio.factors.at(-1), 1);
    assert.equal(radio.client.at(-1), false);

    // Nothing lost: the second relay found every queued bundle in the vault.
    const second = relays[1]!;
    const st = second.status();
    assert.is(st.outbox.queued, 5, 'the five queued messages survived the stop');
    for (const id of ids) assert.ok(second.bundle(id), `bundle ${id.slice(0, 8)} kept`);
    assert.ok(st.power!.stateOfCharge! > 80, String(st.power!.stateOfCharge));
    assert.equal(st.power!.policies, []);
    ctl.abort();
    await running;
    await power.stop();
  } finally {
    ctl.abort();

    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
