/**
 * The one config schema. It validates a single layer (the YAML file, the environment, or the flags) into a
 * normalized partial config; parse-config.ts merges the layers over the defaults. Bearer sections (meshtastic,
 * meshcore, lora, mqtt, ip) carry the fields their bearers read; add a field here, in config.ts and (if it has a
 * default) in defaults.ts — nowhere else.
 */
import { PRESETS, REGION_PLANS } from '../bearers/lora/presets.js';
import { Boards } from '../../drivers/sx126x/boards.js';
import { parseLevelSpec } from '../log/levels.js';
import { BRIDGE_DIRECTIONS, LOG_FORMATS, LORA_HALS, LORA_PINS } from './config.js';
import { describe } from './byte-size.js';
import { checkHost, parseHostPort } from './host-port.js';
import { DEFAULT_IP_PORT } from './defaults.js';
import { bool, byteSize, child, fail, hostPort, int, INVALID, isPlainObject, list, num, object, oneOf, str, type Check } from './schema-kit.js';

const BEARER_NAME = str({ max: 32, pattern: /^[a-z][a-z0-9_-]*$/, hint: 'must be lowercase letters, digits, - or _, starting with a letter' });

const DEVICE_SCHEMES = ['tcp', 'ble'];

/**
 * A companion radio, in the forms the bearers' device openers take (runtime/bearers/meshtastic/device-opener.ts,
 * runtime/bearers/meshcore/device-opener.ts): a serial path (`/dev/ttyUSB0`, `./pty`, `COM3`), `host[:port]` or
 * `tcp://host[:port]` for the firmware's TCP API, or `ble://<address or name>`.
 */
const device: Check = (value, path, issues) => {
  const s = str({ max: 512 })(value, path, issues);
  if (s === INVALID) return INVALID;
  const d = (s as string).trim();
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(d);
  if (m && !DEVICE_SCHEMES.includes(m[1].toLowerCase())) {
    return fail(issues, path, `unknown device scheme "${m[1]}://" (a serial path such as /dev/ttyUSB0, host:port, ${DEVICE_SCHEMES.map((x) => `${x}://`).join(' or ')})`);
  }
  if (m && m[2] === '') return fail(issues, path, `"${d}" names no device after ${m[1]}://`);
  if (m?.[1].toLowerCase() === 'ble') return d;
  if (!m && (d.startsWith('/') || d.startsWith('.') || /^COM\d+$/i.test(d))) return d;
  if (!m && /^(tty|cu\.)/.test(d)) return fail(issues, path, `"${d}" looks like a serial device name; give its path, e.g. /dev/${d}`);
  const hp = parseHostPort(m ? m[2] : d);
  if (typeof hp === 'string') {
    // No port is fine: the bearer uses the firmware's default TCP port.
    const hostOnly = checkHost(m ? m[2] : d);
    if (hostOnly === undefined) return d;
    return fail(issues, path, `"${d}" is neither a serial path (/dev/ttyUSB0) nor host[:port] (${hostOnly})`);
  }
  if (hp.host === undefined) return fail(issues, path, `"${d}" needs a host before the port, e.g. 192.168.1.30:${hp.port}`);
  return d;
};

const companionShorthand = (v: unknown) => (typeof v === 'string' ? { device: v } : undefined);

const meshtasticRadio = object(
  {
    name: BEARER_NAME,
    device,
    // Meshtastic: hop_limit is 0..7 (MeshPacket.hop_limit is 3 bits in the on-air header); channels 0..7.
    hopLimit: int({ min: 0, max: 7 }),
    broadcastChannel: int({ min: 0, max: 7 }),
    wantAck: bool(),
    prefixOrigin: bool(),
  },
  { required: ['device'], shorthand: companionShorthand },
);

const meshcoreChannel = object(
  { index: int({ min: 0, max: 39 }), name: str({ min: 1, max: 31 }), secretHex: str({ pattern: /^[0-9a-fA-F]{32}$/, hint: 'must be 32 hex characters (a 16-byte channel secret)' }) },
  { required: ['index', 'name'] },
);

const meshcoreRadio = object(
  {
    name: BEARER_NAME,
    device,
    // Channel slots set on the radio after every handshake; a `#name` gets its secret from the name.
    channels: list(meshcoreChannel, { max: 40 }),
    floodScope: str({ pattern: /^#[a-z0-9-]{1,30}$/i, hint: 'must be a #region name' }),
  },
  { required: ['device'], shorthand: companionShorthand },
);

const pins = object(Object.fromEntries(LORA_PINS.map((p) => [p, int({ min: 0, max: 1023 })])));

const lora = object(
  {
    name: BEARER_NAME,
    // The LoRa bearer's own tables (runtime/bearers/lora/presets.ts), so config and bearer cannot disagree.
    preset: oneOf([...Object.keys(PRESETS), 'LongMod']),
    region: oneOf(Object.keys(REGION_PLANS)),
    hal: oneOf(LORA_HALS),
    device: str({ max: 512 }),
    // A known Pi HAT's pin map (drivers/sx126x/boards.ts); explicit `pins` are used when no board is named.
    board: oneOf(Object.keys(Boards)),
    // With explicit pins: the chip (SX1262 for 868/915 MHz modules, SX1268 for 433/470 MHz) and the TCXO supply
    // on DIO3 (most modules: 1.8 V; 0 for a plain crystal).
    variant: oneOf(['sx1262', 'sx1268']),
    tcxoVoltage: num({ min: 0, max: 3.3, unit: 'V' }),
    pins,
    // SX1261/2 datasheet §13.1.14 SetTxParams: -9..+22 dBm on the SX1262 high-power PA.
    txPowerDbm: int({ min: -9, max: 22, unit: 'dBm' }),
  },
  {
    refine: (v, path, issues) => {
      if ((v.hal === 'spi' || v.hal === 'serial') && v.device !== undefined && !String(v.device).startsWith('/')) {
        fail(issues, child(path, 'device'), `must be a device path such as ${v.hal === 'spi' ? '/dev/spidev0.0' : '/dev/ttyUSB0'}`);
      }
      if (v.hal === 'serial' && v.device === undefined) fail(issues, child(path, 'device'), 'is required with hal: serial');
    },
  },
);

const mqttUrl: Check = (value, path, issues) => {
  const s = str({ max: 2048 })(value, path, issues);
  if (s === INVALID) return INVALID;
  let url: URL;
  try {
    url = new URL(s as string);
  } catch {
    return fail(issues, path, `"${s}" is not a URL such as mqtt://broker.example.org:1883`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'tls:'].includes(url.protocol)) {
    return fail(issues, path, `unsupported scheme "${url.protocol}" (mqtt://, mqtts://, ws://, wss://)`);
  }
  return s;
};

const levelSpec: Check = (value, path, issues) => {
  const s = str({ max: 1024 })(value, path, issues);
  if (s === INVALID) return INVALID;
  try {
    parseLevelSpec(s as string);
  } catch (err) {
    return fail(issues, path, (err as Error).message);
  }
  return s;
};

/** Only shorthands for booleans: `metrics: false`, `ip: false`, `sim: true`. */
function enabledShorthand(extra?: (v: unknown) => Record<string, unknown> | undefined) {
  return (v: unknown) => (typeof v === 'boolean' ? { enabled: v } : extra?.(v));
}

function hostPortShorthand(v: unknown, path: string, issues: Parameters<Check>[2]) {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const hp = hostPort()(v, path, issues);
  return hp === INVALID ? INVALID : (hp as Record<string, unknown>);
}

// The bridge (runtime/bridge). Meshtastic channels are 0..7 (ChannelSettings index, channel.proto); MeshCore
// channel slots 0..39 as in `meshcore:` channels above.
const bridgeMapping = object(
  {
    meshtastic: (value, path, issues) =>
      typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))
        ? int({ min: 0, max: 7 })(value, path, issues)
        : str({ max: 11, hint: 'must be a channel index 0..7 or a channel name (at most 11 characters)' })(value, path, issues),
    meshcore: (value, path, issues) =>
      typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))
        ? int({ min: 0, max: 39 })(value, path, issues)
        : str({ max: 31, pattern: /^(public|#[a-z0-9-]{1,30}|[^#].*)$/i, hint: 'must be public, a #hashtag (letters, digits, -), a channel name or a slot index 0..39' })(value, path, issues),
    direction: oneOf(BRIDGE_DIRECTIONS),
  },
  { required: ['meshtastic', 'meshcore'] },
);

const template = str({ max: 64, pattern: /^[^\n]*$/, hint: 'must be one line' });

const bridgeLimit = (maxPerMinute: number, why: string) =>
  object({
    messagesPerMinute: (value, path, issues) => {
      const v = num({ min: 0.1, unit: 'messages per minute' })(value, path, issues);
      if (v !== INVALID && (v as number) > maxPerMinute) return fail(issues, path, `must be ≤ ${maxPerMinute}, got ${v} (${why})`);
      return v;
    },
    burst: int({ min: 1, max: 1000 }),
    airtimeMsPerHour: int({ min: 1000, max: 3_600_000, unit: 'milliseconds per hour' }),
  });

const bridge = object(
  {
    enabled: bool(),
    meshtastic: BEARER_NAME,
    meshcore: BEARER_NAME,
    mappings: list(bridgeMapping, { max: 16 }),
    attribution: object({ mt: template, mc: template }),
    dm: object({ enabled: bool() }, { shorthand: enabledShorthand() }),
    limits: object({
      mtToMc: bridgeLimit(600, 'a MeshCore channel text is a flood every repeater re-sends'),
      // Meshtastic firmware refuses a client's text within 2 s of the previous one (PhoneAPI.cpp, TWO_SECONDS_MS).
      mcToMt: bridgeLimit(30, 'Meshtastic firmware refuses a text sent within 2 s of the previous one'),
    }),
    queue: object({ maxEntries: int({ min: 1, max: 100_000 }) }),
    echoWindowMs: int({ min: 1000, max: 86_400_000, unit: 'milliseconds' }),
    skipBridgedText: bool(),
    peerHoldoffMs: int({ min: 0, max: 120_000, unit: 'milliseconds' }),
  },
  { shorthand: enabledShorthand() },
);

export const configSchema: Check = object({
  dataDir: str({ max: 4096 }),
  api: object(
    { host: str({ max: 253 }), port: int({ min: 1, max: 65535 }), token: str({ min: 16, max: 256, pattern: /^[\x21-\x7e]+$/, hint: 'must be printable ASCII without spaces' }) },
    { shorthand: hostPortShorthand },
  ),
  metrics: object(
    { enabled: bool(), host: str({ max: 253 }), port: int({ min: 1, max: 65535 }), path: str({ max: 256, pattern: /^\/[\x21-\x7e]*$/, hint: 'must start with /' }) },
    {
      shorthand: (v, path, issues) => {
        if (typeof v === 'boolean') return { enabled: v };
        const hp = hostPortShorthand(v, path, issues);
        return hp === INVALID || hp === undefined ? hp : { enabled: true, ...hp };
      },
    },
  ),
  ip: object(
    {
      enabled: bool(),
      listen: hostPort(),
      peers: list(hostPort({ requireHost: true, defaultPort: DEFAULT_IP_PORT }), { max: 256 }),
      discovery: bool(),
      heartbeatMs: int({ min: 1000, max: 3_600_000, unit: 'milliseconds' }),
    },
    { shorthand: enabledShorthand() },
  ),
  mqtt: object(
    { url: mqttUrl, prefix: str({ max: 128, pattern: /^[^#+\s]+$/, hint: 'must not contain MQTT wildcards (#, +) or spaces' }), username: str({ max: 256 }), password: str({ min: 0, max: 256 }) },
    { shorthand: (v) => (typeof v === 'string' ? { url: v } : undefined) },
  ),
  meshtastic: list(meshtasticRadio, { max: 8 }),
  meshcore: list(meshcoreRadio, { max: 8 }),
  lora: list(lora, { max: 4 }),
  vault: object({
    lifetimeDays: num({ min: 0.001, max: 365, unit: 'days' }),
    // An empty vault already takes ~64 KiB of LMDB pages: a smaller budget would refuse every bundle.
    maxBytes: byteSize({ min: 256 * 1024, why: '256KiB: the empty vault alone takes ~64 KiB' }),
  }),
  bloom: object({ intervalMs: int({ min: 1000, max: 86_400_000, unit: 'milliseconds' }) }),
  shards: object(
    {
      enabled: bool(),
      cacheBytes: byteSize(),
      diskBytes: byteSize(),
      k: int({ min: 1, max: 32 }),
      m: int({ min: 0, max: 32 }),
      lifetimeDays: num({ min: 0.001, max: 3650, unit: 'days' }),
      challengeIntervalMs: int({ min: 1000, max: 86_400_000, unit: 'milliseconds' }),
      repairIntervalMs: int({ min: 1000, max: 86_400_000, unit: 'milliseconds' }),
      offlineGraceMs: int({ min: 1000, max: 30 * 86_400_000, unit: 'milliseconds' }),
    },
    { shorthand: enabledShorthand() },
  ),
  bridge,
  sim: object({ enabled: bool() }, { shorthand: enabledShorthand() }),
  log: object(
    { level: levelSpec, format: oneOf(LOG_FORMATS) },
    { shorthand: (v) => (typeof v === 'string' ? { level: v } : undefined) },
  ),
});

/** Validates one layer; a missing or empty file (`undefined`/`null`) is the empty layer. */
export function validateLayer(value: unknown, issues: Parameters<Check>[2]): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) {
    fail(issues, '', `the config must be a mapping of sections (dataDir, api, ip, ...), got ${describe(value)}`);
    return undefined;
  }
  const r = configSchema(value, '', issues);
  return r === INVALID ? undefined : (r as Record<string, unknown>);
}
