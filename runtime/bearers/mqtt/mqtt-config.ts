/**
 * The `mqtt:` config section: a list of brokers, each its own client with its own role, credentials, TLS, topics,
 * queue and rate limit (issue 17). A single mapping (or a URL), the form before the list, still means one `lattice`
 * entry, so existing configs and LATTICE_MQTT_* keep working. mqtt-from-config.ts maps each entry to its bearer:
 * - `lattice`: our own backhaul (mqtt-bearer.ts), topics under `prefix`;
 * - `meshtastic`: the MQTT gateway of a native Meshtastic radio (`radio`: a `lora[].name` with protocol meshtastic, or
 *   a `meshtastic[].name` companion radio, which needs decryptedUplink),
 *   as firmware src/mqtt/MQTT.cpp; the defaults are the firmware's public broker settings (src/mesh/Default.h), and
 *   nothing is sent until `uplink`, a channel's `uplink` or `mapReports.enabled` says so;
 * - `meshcore-observer`: packet and status uplink of a native MeshCore radio in the community brokers' layout.
 */
import { defineBearerKind } from '../../bearer/bearer-kind.js';
import { bearerName } from '../../config/bearer-schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import { maskUrlPassword } from '../../config/mask-url.js';
import { companionNeedsDecrypted } from './meshtastic/gateway-radio.js';
import { bool, child, fail, int, INVALID, isPlainObject, list, num, object, oneOf, shapeOf, str, withShape, type Check } from '../../config/schema-kit.js';

export const MQTT_ROLES = ['lattice', 'meshtastic', 'meshcore-observer'] as const;
export type MqttRole = (typeof MQTT_ROLES)[number];

/** TLS beyond the scheme (mqtts://, wss://): files for a private CA or a client certificate. */
export interface MqttTlsConfig {
  /** PEM file of the CA that signed the broker's certificate (default: the system's CAs). */
  ca?: string;
  /** PEM files of a client certificate and its key, for brokers that authenticate clients so. */
  cert?: string;
  key?: string;
  /** Default true; false accepts any certificate (a test broker; never for a public one). */
  rejectUnauthorized: boolean;
}

/** A per-channel switch (Meshtastic ChannelSettings.uplink_enabled / downlink_enabled) over the broker's. */
export interface MqttChannelConfig {
  /** The channel's name as the apps show it (`LongFast` for an unnamed primary channel). */
  name: string;
  uplink?: boolean;
  downlink?: boolean;
}

/** ModuleConfig.MQTTConfig.map_reporting_enabled and MapReportSettings. */
export interface MapReportsConfig {
  enabled: boolean;
  /** publish_interval_secs; the firmware's default 3600. */
  intervalS: number;
  /** position_precision in bits: 10 (≈ 23.3 km) .. 16 (≈ 364 m), what the public maps take; default 14 (≈ 1.5 km). */
  precisionBits: number;
}

/** A token bucket on what one broker is sent: `perSecond` on average, `burst` at once. */
export interface MqttRateLimit {
  perSecond: number;
  burst: number;
}

export interface MqttBrokerConfig {
  /** Bearer name: `mqtt` for the first lattice entry, else `mqtt<index>`. */
  name: string;
  role: MqttRole;
  /** Broker URL (`mqtt://`, `mqtts://`, `ws://`, `wss://`). Role meshtastic: default the firmware's public broker. */
  url?: string;
  username?: string;
  password?: string;
  tls?: MqttTlsConfig;
  /** Role lattice: topic prefix (`<prefix>/...`). */
  prefix?: string;
  /** Roles meshtastic and meshcore-observer: the `lora[].name` of the radio. */
  radio?: string;
  /** Topic root: meshtastic `msh/<region>` by default (`<root>/2/e/<channel>/!<gateway>`), meshcore-observer `meshcore`. */
  root?: string;
  /** Meshtastic: publish what the radio hears (channel default; a channel's `uplink` wins). Default false. */
  uplink?: boolean;
  /** Meshtastic: put what the broker has on the air (channel default). Default false (the firmware's `ignore_mqtt`
   * in duty-cycled regions such as EU_868); true wins, and the airtime counts against the duty cycle. */
  downlink?: boolean;
  /** Meshtastic: uplink decoded packets instead of the encrypted packet as heard (mqtt.encryption_enabled false). */
  decryptedUplink?: boolean;
  channels?: MqttChannelConfig[];
  mapReports?: MapReportsConfig;
  /** MeshCore observer: the 3-letter IATA code of the nearest airport (or `test`), the topic's region. */
  iata?: string;
  /** MeshCore observer: the `aud` claim of the login token; default the broker's host name. */
  audience?: string;
  /** Messages held while the broker is down; the oldest goes first when full (lattice_mqtt_dropped_total). */
  queue?: number;
  rateLimit?: MqttRateLimit;
}

export type MqttConfig = MqttBrokerConfig[];

/** The firmware's public broker (src/mesh/Default.h default_mqtt_address, _username, _password, _root). */
export const MESHTASTIC_PUBLIC_BROKER = { url: 'mqtt://mqtt.meshtastic.org:1883', username: 'meshdev', password: 'large4cats', root: 'msh' } as const;

/** Defaults by role (an entry shows only the keys its role reads). */
export const MQTT_LATTICE_DEFAULTS = { prefix: 'lattice' };
export const MQTT_GATEWAY_DEFAULTS = { queue: 256 };
export const MQTT_MESHTASTIC_DEFAULTS = {
  uplink: false,
  downlink: false,
  decryptedUplink: false,
  channels: [] as MqttChannelConfig[],
  mapReports: { enabled: false, intervalS: 3600, precisionBits: 14 },
};

const mqttUrl: Check = (value, path, issues) => {
  const s = str({ max: 2048 })(value, path, issues);
  if (s === INVALID) return INVALID;
  let url: URL;
  try {
    url = new URL(s as string);
  } catch {
    return fail(issues, path, `${JSON.stringify(maskUrlPassword(s as string))} is not a URL such as mqtt://broker.example.org:1883`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'tls:'].includes(url.protocol)) {
    return fail(issues, path, `unsupported scheme "${url.protocol}" (mqtt://, mqtts://, ws://, wss://)`);
  }
  return s;
};

/** A topic root or prefix: no wildcards, no spaces, no leading or trailing slash. */
const topicRoot = str({ max: 128, pattern: /^[^#+\s/]([^#+\s]*[^#+\s/])?$/, hint: 'must not contain MQTT wildcards (#, +) or spaces, nor start or end with /' });

const LATTICE_ONLY = ['prefix'] as const;
const MESHTASTIC_ONLY = ['uplink', 'downlink', 'decryptedUplink', 'channels', 'mapReports'] as const;
const OBSERVER_ONLY = ['iata', 'audience'] as const;

const entryKeys = object(
  {
    name: bearerName,
    role: oneOf(MQTT_ROLES),
    url: mqttUrl,
    username: str({ max: 256 }),
    password: str({ min: 0, max: 256, secret: true }),
    tls: object({ ca: str({ max: 1024 }), cert: str({ max: 1024 }), key: str({ max: 1024 }), rejectUnauthorized: bool() }),
    prefix: topicRoot,
    radio: bearerName,
    root: topicRoot,
    uplink: bool(),
    downlink: bool(),
    decryptedUplink: bool(),
    // Channel names as the firmware keeps them: at most 11 bytes (channel.proto ChannelSettings.name).
    channels: list(object({ name: str({ max: 11 }), uplink: bool(), downlink: bool() }, { required: ['name'] }), { max: 8 }),
    mapReports: object({ enabled: bool(), intervalS: int({ min: 60, max: 86_400 * 7, unit: 's' }), precisionBits: int({ min: 10, max: 16, unit: 'bits' }) }),
    // michaelhart/meshcore-mqtt-broker: /^[A-Z]{3}$/ and a known airport, or `test`.
    iata: str({ min: 3, max: 4, pattern: /^([A-Z]{3}|test)$/, hint: 'must be a 3-letter IATA airport code in capitals (AMS, SEA) or test' }),
    audience: str({ max: 256 }),
    queue: int({ min: 1, max: 100_000 }),
    rateLimit: object({ perSecond: num({ min: 0.01, max: 10_000 }), burst: int({ min: 1, max: 100_000 }) }, { required: ['perSecond'] }),
  },
);

/** The keys' checks, then the role's rules on the same mapping even when a key was invalid (every issue at once). */
const entry: Check = withShape((value, path, issues) => {
  const before = issues.length;
  const r = entryKeys(value, path, issues);
  if (isPlainObject(value)) checkRoleKeys(value, path, issues);
  return issues.length > before ? INVALID : r;
}, shapeOf(entryKeys)!);

/** Keys that mean nothing for the entry's role are refused rather than ignored. */
function checkRoleKeys(v: Record<string, unknown>, path: string, issues: ConfigIssue[]): void {
  const role = (v.role as MqttRole | undefined) ?? 'lattice';
  const only = (keys: readonly string[], roleName: MqttRole) => {
    if (role === roleName) return;
    for (const k of keys) if (v[k] !== undefined) fail(issues, child(path, k), `is only used with role: ${roleName}`);
  };
  only(LATTICE_ONLY, 'lattice');
  only(MESHTASTIC_ONLY, 'meshtastic');
  only(OBSERVER_ONLY, 'meshcore-observer');
  if (role === 'lattice') {
    if (v.radio !== undefined) fail(issues, child(path, 'radio'), 'is not used with role: lattice (the backhaul carries bundles, not a radio\'s packets)');
    if (v.root !== undefined) fail(issues, child(path, 'root'), 'is not used with role: lattice (its topics are under prefix)');
    for (const k of ['queue', 'rateLimit'] as const) {
      if (v[k] !== undefined) fail(issues, child(path, k), 'is only used by the gateways (roles meshtastic, meshcore-observer): the lattice backhaul queues nothing, the router keeps custody of what the broker cannot take');
    }
  }
  const names = new Set<string>();
  const channels = Array.isArray(v.channels) ? (v.channels as unknown[]) : [];
  for (const [i, c] of channels.entries()) {
    const name = isPlainObject(c) && typeof c.name === 'string' ? c.name : undefined;
    if (name === undefined) continue;
    if (names.has(name)) fail(issues, `${child(path, 'channels')}[${i}].name`, `"${name}" is listed twice`);
    names.add(name);
  }
}

const single = (value: unknown, path: string, issues: ConfigIssue[]): unknown => {
  const v = typeof value === 'string' ? { url: value } : value;
  const r = entry(v, path, issues);
  if (r === INVALID) return INVALID;
  const role = (r as { role?: string }).role;
  if (role !== undefined && role !== 'lattice') return fail(issues, child(path, 'role'), `a single mqtt mapping is the lattice backhaul; give brokers of role ${role} as a list (mqtt: [ ... ])`);
  return r;
};

const brokers = list(entry, { max: 16 });

/** `mqtt: mqtt://broker`, `mqtt: { url, prefix }` (today's forms: one lattice entry), or a list of brokers. A layer
 * keeps the form it was given in; `merge` and `finish` make the list. */
const mqttSection: Check = withShape((value, path, issues) => {
  if (value === null) return [];
  if (Array.isArray(value)) return brokers(value, path, issues);
  return single(value, path, issues);
}, { item: entry });

type Layer = Record<string, unknown> | Record<string, unknown>[] | undefined;

/** Mappings merge key by key (as parse-config's deepMerge; not imported: that module imports this one). */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

/** A later layer's list replaces; a later single mapping (LATTICE_MQTT_URL, --mqtt) patches the lattice entry. */
function mergeMqtt(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (Array.isArray(over) || !isPlainObject(over)) return over;
  const b = base as Layer;
  if (Array.isArray(b)) {
    const i = b.findIndex((e) => (e.role ?? 'lattice') === 'lattice');
    if (i < 0) return [over, ...b];
    return b.map((e, j) => (j === i ? deepMerge(e, over) : e));
  }
  return isPlainObject(b) ? deepMerge(b, over) : over;
}

/** Per-entry defaults and names; the single mapping becomes one lattice entry (none without a url, as before). */
export function finishMqtt(section: unknown): MqttConfig {
  // The single mapping without a url is no bearer (as before), unless it has credentials: then the check names the url.
  const single = isPlainObject(section) && (section.url !== undefined || section.username !== undefined || section.password !== undefined);
  const raw = (Array.isArray(section) ? section : single ? [section] : []) as Array<Partial<MqttBrokerConfig>>;
  let latticeNamed = false;
  return raw.map((e, i) => {
    const role = e.role ?? 'lattice';
    let name = e.name;
    if (name === undefined && role === 'lattice' && !latticeNamed) name = 'mqtt';
    if (role === 'lattice') latticeNamed = true;
    const defaults = role === 'lattice' ? MQTT_LATTICE_DEFAULTS : role === 'meshtastic' ? { ...MQTT_GATEWAY_DEFAULTS, ...structuredClone(MQTT_MESHTASTIC_DEFAULTS) } : MQTT_GATEWAY_DEFAULTS;
    const out: MqttBrokerConfig = { ...defaults, ...e, name: name ?? `mqtt${i}`, role };
    if (role === 'meshtastic') out.mapReports = { ...MQTT_MESHTASTIC_DEFAULTS.mapReports, ...e.mapReports };
    if (e.tls) out.tls = { ...e.tls, rejectUnauthorized: e.tls.rejectUnauthorized ?? true };
    if (e.rateLimit) out.rateLimit = { ...e.rateLimit, burst: e.rateLimit.burst ?? Math.max(1, Math.ceil(e.rateLimit.perSecond)) };
    if (role === 'meshtastic' && e.url === undefined) {
      // The firmware's public broker and its published credentials, only when the operator gave no broker.
      out.url = MESHTASTIC_PUBLIC_BROKER.url;
      out.username = e.username ?? MESHTASTIC_PUBLIC_BROKER.username;
      out.password = e.password ?? MESHTASTIC_PUBLIC_BROKER.password;
    }
    return out;
  });
}

/** The radios the gateways name: the lora entries' names and protocols (from the merged config). */
export interface RadioNames {
  lora: Array<{ name: string; protocol: string }>;
  /** The `meshtastic:` companion radios. */
  meshtastic?: Array<{ name: string }>;
}

export function checkMqtt(section: MqttConfig, issues: ConfigIssue[], radios?: RadioNames): void {
  section.forEach((b, i) => {
    const path = `mqtt[${i}]`;
    if (b.role === 'lattice') {
      if (b.url !== undefined) return;
      if (b.username !== undefined || b.password !== undefined) issues.push({ path: 'mqtt.url', message: 'is required when mqtt.username or mqtt.password is set' });
      else issues.push({ path: `${path}.url`, message: 'is required for role lattice' });
      return;
    }
    if (b.url === undefined) issues.push({ path: `${path}.url`, message: `is required for role ${b.role}` });
    if (b.role === 'meshcore-observer' && b.iata === undefined) issues.push({ path: `${path}.iata`, message: 'is required for role meshcore-observer (the 3-letter IATA code of the nearest airport, e.g. AMS)' });
    if (b.radio === undefined) {
      issues.push({ path: `${path}.radio`, message: `is required for role ${b.role}: the name of a lora: radio with protocol ${b.role === 'meshtastic' ? 'meshtastic (or of a meshtastic: companion radio)' : 'meshcore'}` });
      return;
    }
    if (!radios) return;
    const want = b.role === 'meshtastic' ? 'meshtastic' : 'meshcore';
    const r = radios.lora.find((l) => l.name === b.radio);
    if (!r && b.role === 'meshtastic' && radios.meshtastic?.some((m) => m.name === b.radio)) {
      // A companion radio forwards decoded packets only (companion-gateway-radio.ts): say so before anything starts.
      if (b.decryptedUplink !== true) issues.push({ path: `${path}.decryptedUplink`, message: companionNeedsDecrypted(`mqtt[${i}]`, b.radio).replace(/^mqtt mqtt\[\d+\]: /, '') });
    } else if (!r) {
      const fit = radios.lora.filter((l) => l.protocol === want).map((l) => l.name);
      issues.push({ path: `${path}.radio`, message: `no lora: radio is named "${b.radio}"${fit.length ? ` (radios with protocol ${want}: ${fit.join(', ')})` : ''}` });
    } else if (r.protocol !== want) {
      issues.push({ path: `${path}.radio`, message: `${b.radio} runs protocol ${r.protocol}; role ${b.role} needs a lora: radio with protocol ${want}` });
    }
  });
  const seen = new Map<string, number>();
  section.forEach((b, i) => {
    if (b.role === 'lattice' || b.radio === undefined) return;
    const key = `${b.role}:${b.radio}:${b.url}`;
    const prev = seen.get(key);
    if (prev !== undefined) issues.push({ path: `mqtt[${i}]`, message: `repeats mqtt[${prev}] (the same radio, role and broker)` });
    else seen.set(key, i);
  });
}

export const mqttKind = defineBearerKind<'mqtt', MqttConfig>({
  section: 'mqtt',
  schema: mqttSection,
  defaults: [],
  reserved: { name: 'mqtt', what: 'the MQTT bearer' },
  merge: mergeMqtt,
  finish: finishMqtt,
  given: (layer) => (Array.isArray(layer) ? layer.length > 0 : (layer as { url?: string } | undefined)?.url !== undefined),
  configured: (entries) => entries.filter((e) => e.url !== undefined).map((e) => ({ name: e.name, path: `mqtt[${entries.indexOf(e)}]` })),
  check: (entries, issues, config) => checkMqtt(entries, issues, config as RadioNames | undefined),
  build: async (entries, context) => (await import('./mqtt-from-config.js')).mqttBearers(entries, context),
});
