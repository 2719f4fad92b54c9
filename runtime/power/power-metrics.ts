/**
 * The power figures on `/metrics`, read from the PowerRuntime at each scrape. The runtime outlives a daemon stopped
 * for a low battery, so its counts are kept there and carried into each daemon's registry (a counter starts at the
 * runtime's count, then follows it).
 */
import type { Metrics } from '../metrics/metrics.js';
import { POLICY_NAMES } from './power-policies.js';
import type { PowerRuntime } from './power-runtime.js';

export const POWER_METRIC_NAMES = [
  'lattice_power_state_of_charge',
  'lattice_power_battery_volts',
  'lattice_power_battery_amps',
  'lattice_power_battery_watts',
  'lattice_power_panel_volts',
  'lattice_power_panel_watts',
  'lattice_power_load_watts',
  'lattice_power_energy_today_watt_hours',
  'lattice_power_sensor_ok',
  'lattice_power_readings_total',
  'lattice_power_sensor_failures_total',
  'lattice_power_sensor_brownouts_total',
  'lattice_power_policy_active',
  'lattice_power_policy_changes_total',
] as const;

export function registerPowerMetrics(metrics: Metrics, power: PowerRuntime): () => void {
  const view = () => power.view();
  const figure = (name: string, help: string, pick: (v: ReturnType<typeof view>) => number | undefined) =>
    metrics.gauge({
      name, help,
      collect() {
        const v = pick(view());
        // No sample rather than a made-up 0 before the first reading (or for a channel that is not wired).
        this.reset();
        if (v !== undefined) this.set(v);
      },
    });
  figure('lattice_power_state_of_charge', 'Battery state of charge, percent (voltage curve and coulomb counting)', (v) => v.stateOfCharge);
  figure('lattice_power_battery_volts', 'Battery voltage', (v) => v.batteryVolts);
  figure('lattice_power_battery_amps', 'Battery current, amps (positive while charging)', (v) => v.batteryAmps);
  figure('lattice_power_battery_watts', 'Battery power, watts (positive while charging)', (v) => v.batteryWatts);
  figure('lattice_power_panel_volts', 'Solar panel voltage', (v) => v.panelVolts);
  figure('lattice_power_panel_watts', 'Solar panel power, watts', (v) => v.panelWatts);
  figure('lattice_power_load_watts', 'Power drawn by the load (the relay), watts', (v) => v.loadWatts);
  figure('lattice_power_sensor_ok', '1 while the power sensor reads, 0 while it fails', (v) => (v.ok ? 1 : 0));
  metrics.gauge({
    name: 'lattice_power_energy_today_watt_hours', help: 'Energy today (since local midnight): into and out of the battery, from the panel, to the load', labelNames: ['flow'],
    collect() {
      const e = view().energyToday;
      this.set({ flow: 'in' }, e.inWh);
      this.set({ flow: 'out' }, e.outWh);
      this.set({ flow: 'panel' }, e.panelWh);
      this.set({ flow: 'load' }, e.loadWh);
    },
  });
  metrics.gauge({
    name: 'lattice_power_policy_active', help: '1 while a power policy is on, by policy', labelNames: ['policy'],
    collect() {
      const on = power.policies.current;
      for (const p of POLICY_NAMES) this.set({ policy: p }, on.has(p) ? 1 : 0);
    },
  });
  const readings = metrics.counter({ name: 'lattice_power_readings_total', help: 'Good readings of the power sensor' });
  const failures = metrics.counter({ name: 'lattice_power_sensor_failures_total', help: 'Failed reads of the power sensor, by error (retried with back-off)', labelNames: ['reason'] });
  const brownOuts = metrics.counter({ name: 'lattice_power_sensor_brownouts_total', help: 'Times the power sensor was found reset (calibration lost in a brown-out) and programmed again' });
  let brownOutsSeen = power.monitor.status().sensorBrownOuts ?? 0;
  if (brownOutsSeen > 0) brownOuts.inc(brownOutsSeen);
  const followBrownOuts = () => {
    const n = power.monitor.status().sensorBrownOuts ?? 0;
    if (n > brownOutsSeen) brownOuts.inc(n - brownOutsSeen);
    brownOutsSeen = n;
  };
  const changes = metrics.counter({ name: 'lattice_power_policy_changes_total', help: 'Power policies turned on or off (each change once), by policy', labelNames: ['policy'] });
  if (power.readings.total > 0) readings.inc(power.readings.total);
  for (const [reason, n] of power.failures) failures.inc({ reason }, n);
  for (const p of POLICY_NAMES) changes.inc({ policy: p }, power.policies.changeCounts.get(p) ?? 0);
  const offs = [
    power.monitor.on('sample', () => {
      readings.inc();
      followBrownOuts();
    }),
    power.monitor.on('failure', (reason) => failures.inc({ reason })),
    power.on('change', (c) => changes.inc({ policy: c.policy })),
  ];
  return () => {
    for (const off of offs) off();
  };
}
