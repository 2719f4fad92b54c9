/**
 * The settings that environment variables (balena device variables) and CLI flags can give, in one table. Each
 * produces a value at a config path in its own layer; the schema then validates that layer like the YAML file, and
 * issues are reported under the variable or flag name (`LATTICE_API (api): ...`, `--ip-peer (ip.peers[0]): ...`).
 *
 * Lists (`LATTICE_IP_PEERS`, `--ip-peer`, `LATTICE_MESHTASTIC`...) replace the file's list rather than extend it.
 */
import type { ConfigIssue } from './errors.js';
import { didYouMean } from './suggest.js';

type Kind =
  /** The string as given. */
  | 'string'
  /** Comma-separated list (env) or a repeatable flag. */
  | 'list'
  /** true/false, yes/no, on/off, 1/0. */
  | 'bool'
  /** A flag whose presence sets the path to false (`--no-discovery`). */
  | 'false'
  /** `off`/`false` disables, `on`/`true` enables, anything else is host:port (`LATTICE_METRICS`). */
  | 'switch-or-string';

export interface Setting {
  env?: string;
  flag?: string;
  path: string[];
  kind: Kind;
  help: string;
  /** For 'switch-or-string': where the boolean goes, relative to path. */
  switchKey?: string;
  /** The flag's value placeholder in help. */
  arg?: string;
  /** Help for the flag when it differs from the variable's (`--no-sim` turns off what LATTICE_SIM sets). */
  flagHelp?: string;
}

export const SETTINGS: Setting[] = [
  { env: 'LATTICE_DATA_DIR', flag: 'data-dir', arg: 'DIR', path: ['dataDir'], kind: 'string', help: 'where the key, vault and shards live' },
  { env: 'LATTICE_API', flag: 'api', arg: 'HOST:PORT', path: ['api'], kind: 'string', help: 'HTTP API address (default 127.0.0.1:8080)' },
  { env: 'LATTICE_API_TOKEN', path: ['api', 'token'], kind: 'string', help: 'API bearer token; required when the API is not on loopback' },
  { env: 'LATTICE_METRICS', flag: 'metrics', arg: 'HOST:PORT|off', path: ['metrics'], kind: 'switch-or-string', switchKey: 'enabled', help: 'Prometheus endpoint (default 127.0.0.1:9090)' },
  { env: 'LATTICE_IP', flag: 'no-ip', path: ['ip', 'enabled'], kind: 'bool', help: 'the IP bearer (default on)', flagHelp: 'turn the IP bearer off' },
  { env: 'LATTICE_IP_LISTEN', flag: 'ip-listen', arg: 'HOST:PORT', path: ['ip', 'listen'], kind: 'string', help: 'IP bearer listen address (default 0.0.0.0:9333; 127.0.0.1 in the simulated default)' },
  { env: 'LATTICE_IP_PEERS', flag: 'ip-peer', arg: 'HOST:PORT', path: ['ip', 'peers'], kind: 'list', help: 'relay to dial over IP (repeatable; env: comma list)' },
  { env: 'LATTICE_IP_PSK', path: ['ip', 'psk'], kind: 'string', help: 'IP domain key: only relays with the same key are heard (32+ printable characters)' },
  { env: 'LATTICE_DISCOVERY', flag: 'no-discovery', path: ['ip', 'discovery'], kind: 'bool', help: 'LAN discovery of other relays (default on; off in the simulated default)', flagHelp: 'turn LAN discovery of other relays off' },
  { env: 'LATTICE_MQTT_URL', flag: 'mqtt', arg: 'URL', path: ['mqtt', 'url'], kind: 'string', help: 'MQTT broker, enables the MQTT bearer' },
  { env: 'LATTICE_MQTT_PREFIX', path: ['mqtt', 'prefix'], kind: 'string', help: 'MQTT topic prefix (default lattice)' },
  { env: 'LATTICE_MQTT_USERNAME', path: ['mqtt', 'username'], kind: 'string', help: 'MQTT user name' },
  { env: 'LATTICE_MQTT_PASSWORD', path: ['mqtt', 'password'], kind: 'string', help: 'MQTT password' },
  { env: 'LATTICE_MESHTASTIC', flag: 'meshtastic', arg: 'DEVICE', path: ['meshtastic'], kind: 'list', help: 'Meshtastic radio: /dev/ttyUSB0, tcp://host, ble://name (repeatable)' },
  { env: 'LATTICE_MESHCORE', flag: 'meshcore', arg: 'DEVICE', path: ['meshcore'], kind: 'list', help: 'MeshCore companion radio: /dev/ttyACM0, tcp://host:port, ble://name (repeatable)' },
  { env: 'LATTICE_LOG_LEVEL', flag: 'log-level', arg: 'LEVEL', path: ['log', 'level'], kind: 'string', help: 'error|warn|info|debug|trace, or info,router=debug' },
  { env: 'LATTICE_LOG_FORMAT', flag: 'log-format', arg: 'FORMAT', path: ['log', 'format'], kind: 'string', help: 'auto|json|text (auto: JSON unless stderr is a terminal)' },
  { env: 'LATTICE_VAULT_ON_DAMAGE', path: ['vault', 'onDamage'], kind: 'string', help: 'recover|refuse: a damaged store file at start is moved aside (recover) or stops the relay with exit status 3' },
  { env: 'LATTICE_BLOOM_INTERVAL', flag: 'bloom-interval', arg: 'MS', path: ['bloom', 'intervalMs'], kind: 'string', help: 'delivery bloom advertisement interval in ms (default 30000)' },
  { env: 'LATTICE_SHARDS', flag: 'no-shards', path: ['shards', 'enabled'], kind: 'bool', help: 'the shard store, lattice put/get (default on when the IP bearer is)', flagHelp: 'turn the shard store (lattice put/get) off' },
  { env: 'LATTICE_SIM', flag: 'no-sim', path: ['sim', 'enabled'], kind: 'bool', help: 'the simulated neighbourhood (default on without config or bearers)', flagHelp: 'turn the simulated neighbourhood off (it is on without a config file or bearers)' },
];

/** Flags spelled `no-*` set their boolean path to false when present. */
function flagKind(s: Setting): Kind {
  return s.flag?.startsWith('no-') ? 'false' : s.kind;
}

/** Environment variables read elsewhere but known here, so they are not reported as typos. */
export const OTHER_ENV = [
  'LATTICE_CONFIG',
  // Test knobs of runtime/daemon tests; spawned relays inherit the test's environment.
  'LATTICE_KEEP_TMP',
  'LATTICE_POWERCUT_CYCLES',
];
/** Prefixes left to tests, hardware-in-the-loop runs and benchmarks (`LATTICE_HIL_MESHTASTIC=/dev/ttyUSB0`). */
export const FREE_ENV_PREFIXES = ['LATTICE_TEST_', 'LATTICE_HIL_', 'LATTICE_BENCH_'];

/** One setting's value from one source, as a nested partial config (`{ ip: { peers: [...] } }`). */
export interface SourcedValue {
  /** `LATTICE_IP_PEERS` or `--ip-peer`. */
  source: string;
  /** The config path it sets, dotted (`ip.peers`). */
  path: string;
  data: Record<string, unknown>;
}

/** The values `LATTICE_*` variables give; unknown variables are issues (balena device variable typos). */
export function envValues(env: NodeJS.ProcessEnv, issues: ConfigIssue[]): SourcedValue[] {
  const out: SourcedValue[] = [];
  const knownNames = [...SETTINGS.flatMap((s) => (s.env ? [s.env] : [])), ...OTHER_ENV];
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith('LATTICE_') || raw === undefined) continue;
    const setting = SETTINGS.find((s) => s.env === name);
    if (!setting) {
      if (OTHER_ENV.includes(name) || FREE_ENV_PREFIXES.some((p) => name.startsWith(p))) continue;
      issues.push({ path: name, message: `unknown environment variable${didYouMean(name, knownNames)}` });
      continue;
    }
    // An empty balena variable means "not set", not "set to the empty string".
    if (raw.trim() === '') continue;
    const value = convert(setting.kind, raw, setting, name, issues);
    if (value !== undefined) out.push(sourced(setting, value, name));
  }
  return out;
}

export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The values config flags give, from node:util parseArgs values (options declared by configFlagOptions()). */
export function flagValues(values: FlagValues, issues: ConfigIssue[]): SourcedValue[] {
  const out: SourcedValue[] = [];
  for (const setting of SETTINGS) {
    if (!setting.flag) continue;
    const raw = values[setting.flag];
    if (raw === undefined) continue;
    const source = `--${setting.flag}`;
    const kind = flagKind(setting);
    let value: unknown;
    if (kind === 'false') value = raw === true ? false : undefined;
    else if (kind === 'list') value = (Array.isArray(raw) ? raw : [raw]).map(String);
    else value = convert(kind, String(Array.isArray(raw) ? raw[raw.length - 1] : raw), setting, source, issues);
    if (value !== undefined) out.push(sourced(setting, value, source));
  }
  return out;
}

/** parseArgs option declarations for every config flag. */
export function configFlagOptions(): Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const s of SETTINGS) {
    if (!s.flag) continue;
    const kind = flagKind(s);
    options[s.flag] = kind === 'false' ? { type: 'boolean' } : kind === 'list' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  return options;
}

function convert(kind: Kind, raw: string, setting: Setting, source: string, issues: ConfigIssue[]): unknown {
  const text = raw.trim();
  switch (kind) {
    case 'string':
      return text;
    case 'list':
      return text.split(',').map((x) => x.trim()).filter((x) => x !== '');
    case 'bool':
    case 'false': {
      const b = parseBool(text);
      if (b === undefined) issues.push({ path: source, message: `must be true or false (also yes/no, on/off, 1/0), got ${JSON.stringify(raw)}` });
      return b;
    }
    case 'switch-or-string': {
      const b = parseBool(text);
      return b === undefined ? text : { [setting.switchKey!]: b };
    }
  }
}

export function parseBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(t)) return true;
  if (['false', 'no', 'off', '0'].includes(t)) return false;
  return undefined;
}

function sourced(setting: Setting, value: unknown, source: string): SourcedValue {
  let data: Record<string, unknown> = {};
  const root = data;
  for (const key of setting.path.slice(0, -1)) data = data[key] = {} as Record<string, unknown>;
  data[setting.path[setting.path.length - 1]] = value;
  return { source, path: setting.path.join('.'), data: root };
}
