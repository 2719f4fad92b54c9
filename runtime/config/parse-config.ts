/**
 * parseConfig: layers defaults < file < environment < flags, validates each layer with the one schema, checks the
 * merged result across sections, and throws one ConfigError listing every issue found (not just the first).
 */
import { dirname, resolve } from 'node:path';
import { bearerKinds, sectionOf } from '../bearers/bearer-kinds.js';
import type { Config } from './config.js';
import { DEFAULTS, defaultDataDir } from './defaults.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { formatHostPort, isLoopbackHost } from './host-port.js';
import { validateLayer } from './schema.js';
import { isPlainObject } from './schema-kit.js';
import { envValues, flagValues, type FlagValues, type SourcedValue } from './settings.js';
import { SIM_IP_HOST } from './defaults.js';

export interface ParseConfigOptions {
  /** CLI flag values as node:util parseArgs returns them (declared with configFlagOptions()). */
  flags?: FlagValues;
  /** The file `input` was read from; its presence also turns the simulated default off. */
  configFile?: string;
  /** Relative data directories resolve against this (default: process.cwd()). */
  cwd?: string;
  /** Home directory for the default data directory (default: os.homedir()). */
  home?: string;
}

/**
 * The validated Config. `input` is the parsed YAML document (undefined when there is no file); `env` is read for
 * `LATTICE_*` variables only and defaults to none, so callers pass process.env explicitly.
 */
export function parseConfig(input: unknown, env: NodeJS.ProcessEnv = {}, options: ParseConfigOptions = {}): Config {
  const issues: ConfigIssue[] = [];
  const file = validateLayer(input, issues);
  const fromEnv = validateSourced(envValues(env, issues), issues);
  const fromFlags = validateSourced(flagValues(options.flags ?? {}, issues), issues);
  if (issues.length > 0 || file === undefined) throw new ConfigError(issues);

  // A relative dataDir in a file means "next to the file" (/etc/lattice/config.yaml: `dataDir: state`); from the
  // environment or a flag it is relative to the working directory, as shells expect.
  if (typeof file.dataDir === 'string' && options.configFile !== undefined) {
    file.dataDir = resolve(options.cwd ?? process.cwd(), dirname(options.configFile), file.dataDir);
  }
  const given = [file, ...fromEnv, ...fromFlags];
  const merged = [{ dataDir: defaultDataDir(env, options.home) }, file, ...fromEnv, ...fromFlags].reduce<Record<string, unknown>>(
    (acc, layer) => mergeLayer(acc, layer),
    structuredClone(DEFAULTS) as unknown as Record<string, unknown>,
  );
  const config = finish(merged, given, options);
  crossCheck(config, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

/** Validates each environment variable or flag on its own so every issue names where it came from. */
function validateSourced(values: SourcedValue[], issues: ConfigIssue[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const v of values) {
    const own: ConfigIssue[] = [];
    const layer = validateLayer(v.data, own);
    for (const issue of own) issues.push({ path: `${v.source} (${issue.path || v.path})`, message: issue.message });
    if (layer) out.push(layer);
  }
  return out;
}

/** deepMerge, except for a bearer section whose kind merges its own way (`mqtt`: a mapping patches its list). */
function mergeLayer(acc: Record<string, unknown>, layer: Record<string, unknown>): Record<string, unknown> {
  const out = deepMerge(acc, layer);
  for (const kind of bearerKinds) if (kind.merge && layer[kind.section] !== undefined) out[kind.section] = kind.merge(acc[kind.section], layer[kind.section]);
  return out;
}

/** Mappings merge key by key; lists and scalars from the later layer replace. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function finish(merged: Record<string, unknown>, given: Record<string, unknown>[], options: ParseConfigOptions): Config {
  const c = merged as unknown as Config;
  c.dataDir = resolve(options.cwd ?? process.cwd(), c.dataDir);
  for (const kind of bearerKinds) if (kind.finish) (c as unknown as Record<string, unknown>)[kind.section] = kind.finish(sectionOf(c, kind));
  c.bridge.mappings = c.bridge.mappings.map((m) => ({ ...m, direction: m.direction ?? 'both' }));
  const simGiven = given.some((layer) => isPlainObject(layer.sim) && layer.sim.enabled !== undefined);
  if (!simGiven) {
    const hasFile = options.configFile !== undefined || Object.keys(given[0]).length > 0;
    const bearerGiven = given.some((layer) => bearerKinds.some((kind) => kind.given(sectionOf(layer, kind))));
    c.sim = { enabled: !hasFile && !bearerGiven };
  }
  if (c.sim.enabled) stayOnThisMachine(c, given);
  // The simulated default shows the power subsystem too: an emulated INA3221 on a simulated battery and panel.
  if (c.sim.enabled && c.power.sensor === undefined) c.power = { ...c.power, sensor: 'ina3221', hal: 'sim' };
  // maxCurrentA not given: the most the chip measures through the shunt (3.2 A for an ina219 on 0.1 Ω, the issue's
  // example; 1.638 A for an ina3221, 0.8192 A for an ina226; 15 A for the ina260).
  if (!given.some((layer) => isPlainObject(layer.power) && layer.power.maxCurrentA !== undefined) && c.power.sensor !== undefined) {
    const range = SHUNT_RANGE_V[c.power.sensor];
    c.power = { ...c.power, maxCurrentA: range === undefined ? 15 : Math.round((range / c.power.shuntOhms) * 1e6) / 1e6 };
  }
  // Canonical key order, so `lattice config` prints sections the way the docs list them.
  const ordered = { ...(options.configFile !== undefined ? { configFile: options.configFile } : {}), dataDir: c.dataDir } as Config;
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) (ordered as unknown as Record<string, unknown>)[key] = c[key];
  ordered.sim = c.sim;
  return ordered;
}

/**
 * The simulated default is a demo: it must not announce itself on the LAN nor accept connections from it unless the
 * user asked. LAN discovery stays off unless `ip.discovery` was given; the IP bearer listens on loopback unless a
 * listen host or static peers were given (a port alone keeps loopback).
 */
function stayOnThisMachine(c: Config, given: Record<string, unknown>[]): void {
  const ip = (layer: Record<string, unknown>) => (isPlainObject(layer.ip) ? layer.ip : {}) as { discovery?: unknown; listen?: { host?: unknown }; peers?: unknown[] };
  if (!given.some((l) => ip(l).discovery !== undefined)) c.ip = { ...c.ip, discovery: false };
  const lan = given.some((l) => ip(l).listen?.host !== undefined || (ip(l).peers?.length ?? 0) > 0);
  if (!lan) c.ip = { ...c.ip, listen: { ...c.ip.listen, host: SIM_IP_HOST } };
}

/** Rules that span sections, checked on the merged config. */
function crossCheck(c: Config, issues: ConfigIssue[]): void {
  if (!isLoopbackHost(c.api.host) && c.api.token === undefined) {
    issues.push({
      path: 'api.token',
      message: `required because the API listens on ${formatHostPort(c.api)}, which other machines can reach; set api.token in the file or LATTICE_API_TOKEN (16+ characters, e.g. from \`openssl rand -hex 24\`), or bind the API to 127.0.0.1`,
    });
  }
  if (c.metrics.enabled && c.metrics.port === c.api.port && (c.metrics.host === c.api.host || c.metrics.host === '0.0.0.0' || c.api.host === '0.0.0.0')) {
    issues.push({ path: 'metrics.port', message: `${c.metrics.port} is also the API port; give the metrics endpoint its own port` });
  }
  for (const kind of bearerKinds) kind.check?.(sectionOf(c, kind), issues, c);
  // Names the kinds hold whether configured or not (`ip`, `mqtt`), and the simulator's.
  const seen = new Map<string, string>([...bearerKinds.flatMap((k) => (k.reserved ? [[k.reserved.name, k.reserved.what] as const] : [])), ['sim', 'the simulator']]);
  const configured = bearerKinds.flatMap((kind) => kind.configured(sectionOf(c, kind)).filter((b) => b.name !== kind.reserved?.name));
  for (const b of configured) {
    const prev = seen.get(b.name);
    if (prev) issues.push({ path: `${b.path}.name`, message: `"${b.name}" is already the name of ${prev}; bearer names must be unique` });
    else seen.set(b.name, b.path);
  }
  checkBridge(c, issues);
  checkPower(c, issues);
  const devices = new Map<string, string>();
  for (const b of configured) {
    if (b.device === undefined) continue;
    const prev = devices.get(b.device);
    if (prev) issues.push({ path: `${b.path}.device`, message: `${b.device} is already used by ${prev}` });
    else devices.set(b.device, b.path);
  }
}

/** The bridge needs a radio of each kind (the simulated default brings its own), named ones must exist. */
function checkBridge(c: Config, issues: ConfigIssue[]): void {
  if (!c.bridge.enabled || c.sim.enabled) return;
  for (const kind of ['meshtastic', 'meshcore'] as const) {
    // A native node (`lora:` with protocol meshtastic or meshcore) is a radio of its mesh as a companion one is.
    const names = [...c[kind].map((r) => r.name), ...c.lora.filter((l) => l.protocol === kind).map((l) => l.name)];
    const want = c.bridge[kind];
    if (want !== undefined && !names.includes(want)) {
      issues.push({ path: `bridge.${kind}`, message: `no ${kind} radio is named "${want}"${names.length ? ` (${kind} radios: ${names.join(', ')})` : ''}` });
    } else if (names.length === 0) {
      issues.push({ path: 'bridge.enabled', message: `the bridge needs a ${kind} radio; add one under \`${kind}:\` (or --${kind} DEVICE)` });
    }
  }
}

/** Largest voltage across the shunt each chip measures (TI datasheets: INA219 SBOS448 ±320 mV at PGA /8, INA226
 * SBOS547 ±81.92 mV, INA3221 SBOS461 ±163.8 mV); the INA260 (SBOS656) has its 2 mΩ shunt inside, 15 A at most. */
const SHUNT_RANGE_V: Record<string, number> = { ina219: 0.32, ina226: 0.08192, ina3221: 0.1638 };

/** The power keys against each other, on the merged section; nothing to check without a sensor. */
function checkPower(c: Config, issues: ConfigIssue[]): void {
  const p = c.power;
  if (p.sensor === undefined) return;
  // Addresses the chips' A0/A1 pins can select: 16 for the INA2xx (0x40-0x4F), 4 for the INA3221 (0x40-0x43).
  const top = p.sensor === 'ina3221' ? 0x43 : 0x4f;
  if (p.address < 0x40 || p.address > top) {
    issues.push({ path: 'power.address', message: `${p.sensor} answers at 0x40..0x${top.toString(16)}, got 0x${p.address.toString(16)}` });
  }
  const range = SHUNT_RANGE_V[p.sensor];
  if (range !== undefined && p.maxCurrentA * p.shuntOhms > range * (1 + 1e-9)) {
    issues.push({ path: 'power.maxCurrentA', message: `${p.maxCurrentA} A through ${p.shuntOhms} Ω is ${(p.maxCurrentA * p.shuntOhms * 1000).toFixed(1)} mV, beyond the ${range * 1000} mV the ${p.sensor} measures; lower maxCurrentA or use a smaller shunt` });
  }
  if (p.sensor === 'ina260' && p.maxCurrentA > 15) issues.push({ path: 'power.maxCurrentA', message: `the ina260 measures at most 15 A, got ${p.maxCurrentA}` });
  if (p.sensor === 'ina3221') {
    const used = Object.entries(p.channels).filter(([, ch]) => ch !== 0);
    if (p.channels.battery === 0) issues.push({ path: 'power.channels.battery', message: 'the battery must be on one of the channels 1..3' });
    const seen = new Map<number, string>();
    for (const [role, ch] of used) {
      const prev = seen.get(ch);
      if (prev) issues.push({ path: `power.channels.${role}`, message: `channel ${ch} is already the ${prev}'s` });
      else seen.set(ch, role);
    }
  }
  const q = p.policies;
  if (q.shutdownBelow >= q.resumeAbove) {
    issues.push({ path: 'power.policies.resumeAbove', message: `must be above shutdownBelow (${q.shutdownBelow}), got ${q.resumeAbove}: the relay would start again straight into a shutdown` });
  }
}
