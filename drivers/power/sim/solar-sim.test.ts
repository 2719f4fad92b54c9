import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { halfSineDaylight, interpolate, LI_ION_1S_OCV, SolarSim } from './solar-sim.js';

const DAY = 600_000;

test('the default day lasts 10 minutes of clock time: dark at midnight, brightest at noon, dark again next midnight', () => {
  const clock = new ManualClock(0);
  const sim = new SolarSim({ clock, startTimeOfDay: 0 });
  assert.is(sim.timeScale, 144);
  const at = (fraction: number) => { clock.advance(fraction * DAY - clock.now()); return sim.snapshot(); };
  const midnight = at(0);
  assert.is(midnight.irradiance, 0);
  assert.is(midnight.panel.amps, 0);
  assert.ok(midnight.battery.amps < 0, 'discharging at night');
  const noon = at(0.5);
  assert.ok(Math.abs(noon.irradiance - 1) < 1e-9);
  assert.ok(noon.panel.amps > 0.9 && noon.panel.volts > 5.9, JSON.stringify(noon.panel));
  assert.ok(noon.battery.amps > 0, 'charging at noon');
  assert.is(at(1).irradiance, 0);
});

test('simulatedDays counts the simulated midnights since the start (a day every 10 minutes from 18:00: at 3, 13, 23 min)', () => {
  const clock = new ManualClock(0);
  const sim = new SolarSim({ clock, startTimeOfDay: 0.75 });
  const at = (ms: number) => { clock.advance(ms - clock.now()); return sim.simulatedDays(); };
  assert.equal([at(0), at(0.25 * DAY - 1), at(0.25 * DAY), at(1.25 * DAY - 1), at(1.25 * DAY), at(2.3 * DAY)], [0, 0, 1, 1, 2, 3]);
});

test('state of charge integrates battery current in simulated time: a night of 0.8 W drains 9.6 Wh from 10 Ah', () => {
  const clock = new ManualClock(0);
  // Start at 18:00 (sunset) and run to 06:00 (sunrise): 12 h in 5 minutes of clock time.
  const sim = new SolarSim({ clock, startTimeOfDay: 0.75, startSoc: 80, voltsAt: () => 3.7, internalOhms: 0 });
  clock.advance(DAY / 2);
  const s = sim.snapshot();
  // 0.8 W / 3.7 V × 12 h = 2.595 Ah of 10 Ah = 25.9 %.
  assert.ok(Math.abs(s.soc - (80 - (100 * (0.8 / 3.7) * 12) / 10)) < 1e-6, `soc ${s.soc}`);
  assert.ok(Math.abs(s.load.amps - 0.8 / 3.7) < 1e-9);
});

test('battery volts follow the injected curve plus the internal resistance; the Li-ion 1S default spans 3.0–4.18 V', () => {
  assert.is(interpolate(LI_ION_1S_OCV, 0), 3.0);
  assert.is(interpolate(LI_ION_1S_OCV, 100), 4.18);
  assert.ok(Math.abs(interpolate(LI_ION_1S_OCV, 55) - 3.85) < 1e-9);
  const clock = new ManualClock(0);
  const sim = new SolarSim({ clock, startTimeOfDay: 0, startSoc: 50, internalOhms: 0.1 });
  const s = sim.snapshot();
  assert.ok(Math.abs(s.battery.volts - (3.83 + s.battery.amps * 0.1)) < 1e-9);
});

test('a full battery stops charging; an empty one cuts the load until the sun returns', () => {
  const clock = new ManualClock(0);
  const full = new SolarSim({ clock, startTimeOfDay: 0.5, startSoc: 100 });
  const noon = full.snapshot();
  assert.is(noon.battery.amps, 0);
  assert.ok(Math.abs(noon.panel.volts * noon.panel.amps - 0.8 / 0.9) < 1e-9, 'panel curtailed to the load');
  const empty = new SolarSim({ clock, startTimeOfDay: 0, startSoc: 1, capacityAh: 0.5 });
  clock.advance(DAY / 8); // 3 h of night at 0.8 W: more than 0.5 Ah × 1 %
  const dark = empty.snapshot();
  assert.is(dark.soc, 0);
  assert.is(dark.load.amps, 0);
  clock.advance(DAY / 4); // to 09:00: charging again
  const morning = empty.snapshot();
  assert.ok(morning.soc > 0 && morning.load.amps > 0, JSON.stringify(morning));
});

test('a day-night cycle walks the state of charge down overnight and back up by day', () => {
  const clock = new ManualClock(0);
  const sim = new SolarSim({ clock, startTimeOfDay: 0.75, startSoc: 70, capacityAh: 3 });
  const socs: number[] = [];
  for (let i = 0; i <= 48; i++) {
    socs.push(sim.snapshot().soc);
    clock.advance(DAY / 48);
  }
  const dawn = Math.min(...socs.slice(0, 25));
  assert.ok(dawn < 50, `overnight low ${dawn}`);
  assert.ok(socs[48]! > dawn + 20, `recovered to ${socs[48]} by the next sunset`);
  assert.is(halfSineDaylight(0.2), 0);
});

test('source() maps channels to roles for the emulated chip', () => {
  const clock = new ManualClock(0);
  const sim = new SolarSim({ clock, startTimeOfDay: 0.5 });
  const src = sim.source({ battery: 3, panel: 1 });
  const s = sim.snapshot();
  assert.equal(src(3, 0), s.battery);
  assert.equal(src(1, 0), s.panel);
  assert.equal(src(2, 0), { volts: 0, amps: 0 });
});

test.run();
