/**
 * The Grafana dashboard in the repository (deploy/grafana/lattice-relay.json) and its monitoring compose file: every
 * query names metrics the relay exports (found in the production sources, where every metric is registered by a
 * literal name; the power ones also at run time), the labels it groups by are those metrics' own, and the
 * provisioning points Grafana at the dashboard and Prometheus at the relays.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createMetrics } from './metrics.js';
import { POWER_METRIC_NAMES } from '../power/power-metrics.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

/** Every `lattice_*` name written in production code (runtime, firmware-protocol), with the labels declared beside
 * it when the registration spells them in the same call. */
function exported(): Map<string, Set<string> | undefined> {
  const out = new Map<string, Set<string> | undefined>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'testing' && name !== 'node_modules') walk(p);
      } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/['`](lattice_[a-z0-9_]+)['`]([^\n]*?labelNames:\s*\[([^\]]*)\])?/g)) {
          const labels = m[3] === undefined ? undefined : new Set([...m[3].matchAll(/'([a-z_]+)'/g)].map((x) => x[1]!));
          const prev = out.get(m[1]!);
          out.set(m[1]!, prev ?? labels);
        }
      }
    }
  };
  walk(join(root, 'runtime'));
  walk(join(root, 'firmware-protocol'));
  return out;
}

interface Panel { type: string; title: string; targets?: Array<{ expr: string }>; datasource?: { uid: string } }

const dashboard = JSON.parse(read('deploy/grafana/lattice-relay.json')) as { uid: string; panels: Panel[]; templating: { list: Array<{ name: string; query: unknown }> } };
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

test('every metric a query names is one the relay exports; grouping labels are the metric\'s', () => {
  const names = exported();
  assert.ok(names.size > 60, `found the relay's metrics (${names.size})`);
  assert.ok(queries.length >= 20);
  const used = new Set<string>();
  for (const q of queries) {
    const metrics = [...q.expr.matchAll(/\b(lattice_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
    assert.ok(metrics.length > 0, `${q.panel}: ${q.expr} names a lattice metric`);
    for (const m of metrics) {
      used.add(m);
      assert.ok(names.has(m), `${q.panel}: ${m} is not a metric the relay exports`);
      const labels = names.get(m);
      const by = /by \(([^)]*)\)/.exec(q.expr)?.[1]?.split(',').map((s) => s.trim()).filter((l) => l !== 'instance') ?? [];
      if (labels) for (const l of by) assert.ok(labels.has(l), `${q.panel}: ${m} has no label ${l} (it has ${[...labels].join(', ')})`);
    }
  }
  // The four areas: battery, panel, airtime, packets and bridge traffic.
  for (const m of ['lattice_power_state_of_charge', 'lattice_power_battery_volts', 'lattice_power_panel_watts', 'lattice_lora_airtime_seconds_total', 'lattice_bundles_in_total', 'lattice_bridge_messages_total']) {
    assert.ok(used.has(m), `the dashboard shows ${m}`);
  }
});

test('the power metrics are registered under the names the dashboard and POWER_METRIC_NAMES use', async () => {
  const { registerPowerMetrics } = await import('../power/power-metrics.js');
  const metrics = createMetrics({ defaultMetrics: false });
  const fakeRuntime = {
    view: () => ({ sensor: 's', chemistry: 'li-ion-1s', capacityAh: 10, ok: true, stateOfCharge: 50, batteryVolts: 3.8, batteryAmps: 0.1, batteryWatts: 0.38, panelVolts: 6, panelWatts: 1, loadWatts: 0.8, energyToday: { day: 'd', inWh: 1, outWh: 2, panelWh: 3, loadWh: 4 }, failures: 0, policies: [] }),
    policies: { current: new Set(), changeCounts: new Map() },
    readings: { total: 0 }, failures: new Map(),
    monitor: { on: () => () => undefined, status: () => ({ sensorBrownOuts: 0 }) }, on: () => () => undefined,
  };
  registerPowerMetrics(metrics, fakeRuntime as never);
  const text = await metrics.render();
  for (const name of POWER_METRIC_NAMES) assert.ok(text.includes(`# TYPE ${name} `), `${name} registered`);
  for (const q of queries) for (const m of q.expr.match(/lattice_power_[a-z_]+/g) ?? []) assert.ok((POWER_METRIC_NAMES as readonly string[]).includes(m), m);
});

test('one relay per instance, chosen from lattice_build_info; every panel on the Prometheus data source', () => {
  const instance = dashboard.templating.list.find((v) => v.name === 'instance');
  assert.match(JSON.stringify(instance?.query), /label_values\(lattice_build_info, instance\)/);
  for (const q of queries) assert.match(q.expr, /instance=~"\$instance"/, `${q.panel}: filtered by the relay chosen`);
  for (const p of dashboard.panels.filter((x) => x.type !== 'row')) assert.is(p.datasource?.uid, '${datasource}', p.title);
});

test('compose: Prometheus scrapes the relays, Grafana is provisioned with the data source and this dashboard', () => {
  const compose = parse(read('deploy/monitoring/docker-compose.yml')) as { services: Record<string, { image: string; volumes: string[] }> };
  assert.match(compose.services.prometheus!.image, /^prom\/prometheus:/);
  assert.match(compose.services.grafana!.image, /^grafana\/grafana/);
  const mounts = compose.services.grafana!.volumes.join('\n');
  assert.match(mounts, /\.\.\/grafana\/provisioning:\/etc\/grafana\/provisioning/);
  assert.match(mounts, /\.\.\/grafana\/lattice-relay\.json:\/var\/lib\/grafana\/dashboards\/lattice-relay\.json/);
  const provider = parse(read('deploy/grafana/provisioning/dashboards/lattice.yaml')) as { providers: Array<{ options: { path: string } }> };
  assert.is(provider.providers[0]!.options.path, '/var/lib/grafana/dashboards');
  const ds = parse(read('deploy/grafana/provisioning/datasources/prometheus.yaml')) as { datasources: Array<{ type: string; url: string }> };
  assert.is(ds.datasources[0]!.type, 'prometheus');
  assert.is(ds.datasources[0]!.url, 'http://prometheus:9090');
  const prom = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: Array<{ metrics_path: string; static_configs: Array<{ targets: string[] }> }> };
  assert.is(prom.scrape_configs[0]!.metrics_path, '/metrics');
  assert.ok(prom.scrape_configs[0]!.static_configs[0]!.targets.length > 0);
  assert.ok(compose.services.prometheus!.volumes.some((v) => v.startsWith('../prometheus/prometheus.yml:')));
});

test.run();
