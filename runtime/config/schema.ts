/**
 * The one config schema. It validates a single layer (the YAML file, the environment, or the flags) into a
 * normalized partial config; parse-config.ts merges the layers over the defaults. The bearer sections (ip, mqtt,
 * meshtastic, meshcore, lora) are the bearer kinds' own (runtime/bearers/<kind>/<kind>-config.ts, listed in
 * runtime/bearers/bearer-kinds.ts); add a key to another section here, in config.ts and (if it has a default) in
 * defaults.ts — nowhere else.
 */
import { BEARER_KINDS } from '../bearers/bearer-kinds.js';
import { parseLevelSpec } from '../log/levels.js';
import { BRIDGE_DIRECTIONS, CHEMISTRIES, LOG_FORMATS, POWER_SENSORS } from './config.js';
import { describe } from './byte-size.js';
import { ON_DAMAGE } from '../store/on-damage.js';
import { hostPortOfUrl } from './http-address.js';
import { bearerName } from './bearer-schema.js';
import { bool, byteSize, fail, host, hostPort, int, INVALID, isPlainObject, list, num, object, oneOf, str, type Check } from './schema-kit.js';

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
  // `http://host:port` too, as the CLI prints the API's address (http-address.ts).
  const url = typeof v === 'string' ? hostPortOfUrl(v) : undefined;
  if (url && 'problem' in url) return fail(issues, path, url.problem);
  const hp = hostPort()(url ? url.hostPort : v, path, issues);
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
    meshtastic: bearerName,
    meshcore: bearerName,
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

// The power monitor (runtime/power, drivers/power). Keys as issue 16 spells them; parse-config.ts checks them
// against each other once merged (checkPower).
const i2cBus: Check = (value, path, issues) => {
  // `/dev/i2c-1` as well as `1`: people copy the device path from `i2cdetect -l`.
  const m = typeof value === 'string' ? /^\/dev\/i2c-(\d+)$/.exec(value.trim()) : null;
  return int({ min: 0, max: 255 })(m ? Number(m[1]) : value, path, issues);
};
const i2cAddress: Check = (value, path, issues) => {
  // YAML reads 0x40 as 64; a quoted '0x40' (and the environment) comes as a string.
  const v = typeof value === 'string' && /^\s*0x[0-9a-f]+\s*$/i.test(value) ? Number.parseInt(value, 16) : value;
  // 7-bit addresses outside the reserved 0x00-0x07 and 0x78-0x7f (I2C-bus specification UM10204 §3.1.12).
  return int({ min: 0x08, max: 0x77 })(v, path, issues);
};
const percent = num({ min: 0, max: 100, unit: 'percent state of charge' });
const ina3221Channel = int({ min: 0, max: 3 });
const power = object({
  sensor: oneOf(POWER_SENSORS),
  bus: i2cBus,
  hal: oneOf(['sim']),
  address: i2cAddress,
  shuntOhms: num({ min: 0.0001, max: 100, unit: 'ohms' }),
  maxCurrentA: num({ min: 0.001, max: 100, unit: 'amps' }),
  chemistry: oneOf(CHEMISTRIES),
  capacityAh: num({ min: 0.01, max: 10_000, unit: 'amp-hours' }),
  channels: object({ battery: ina3221Channel, panel: ina3221Channel, load: ina3221Channel }),
  policies: object({
    reduceTxPowerBelow: percent,
    // SX1261/2 datasheet §13.1.14 SetTxParams: -9..+22 dBm, as lora[].txPowerDbm.
    reducedTxPowerDbm: int({ min: -9, max: 22, unit: 'dBm' }),
    stretchIntervalsBelow: percent,
    intervalFactor: num({ min: 1, max: 100 }),
    stopBleScanBelow: percent,
    stopShardRepairBelow: percent,
    clientRoleBelow: percent,
    shutdownBelow: percent,
    resumeAbove: percent,
    hysteresis: num({ min: 0, max: 50, unit: 'percentage points' }),
  }),
}, {
  refine: (v, path, issues) => {
    if (v.hal === 'sim' && v.bus !== undefined) fail(issues, `${path}.bus`, 'is not used with hal: sim (give one or the other)');
    // The issue's example block carries `channels: { battery: 1, panel: 2, load: 3 }   # ina3221 only` under an
    // ina219: copied whole, that default map is accepted (and means nothing) on a one-channel chip; any other map
    // says the operator expects panel or load figures the chip cannot give.
    if (v.sensor !== undefined && v.sensor !== 'ina3221' && v.channels !== undefined && !isDefaultChannelMap(v.channels)) fail(issues, `${path}.channels`, `is for the ina3221 only (the ${v.sensor} has one channel: the battery)`);
    if (v.sensor === 'ina260' && v.shuntOhms !== undefined) fail(issues, `${path}.shuntOhms`, 'is not used by the ina260 (its 2 mΩ shunt is inside the chip)');
  },
});

/** `{ battery: 1, panel: 2, load: 3 }`, the INA3221 map of the issue's example (and the default). */
function isDefaultChannelMap(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const m = v as Record<string, unknown>;
  return Object.keys(m).length === 3 && m.battery === 1 && m.panel === 2 && m.load === 3;
}

export const configSchema: Check = object({
  dataDir: str({ max: 4096 }),
  api: object(
    { host: host(), port: int({ min: 1, max: 65535 }), token: str({ min: 16, max: 256, pattern: /^[\x21-\x7e]+$/, hint: 'must be printable ASCII without spaces', secret: true }) },
    { shorthand: hostPortShorthand },
  ),
  metrics: object(
    { enabled: bool(), host: host(), port: int({ min: 1, max: 65535 }), path: str({ max: 256, pattern: /^\/[\x21-\x7e]*$/, hint: 'must start with /' }) },
    {
      shorthand: (v, path, issues) => {
        if (typeof v === 'boolean') return { enabled: v };
        const hp = hostPortShorthand(v, path, issues);
        return hp === INVALID || hp === undefined ? hp : { enabled: true, ...hp };
      },
    },
  ),
  ...Object.fromEntries(BEARER_KINDS.map((kind) => [kind.section, kind.schema])),
  vault: object({
    lifetimeDays: num({ min: 0.001, max: 365, unit: 'days' }),
    // An empty vault already takes ~64 KiB of LMDB pages: a smaller budget would refuse every bundle.
    maxBytes: byteSize({ min: 256 * 1024, why: '256KiB: the empty vault alone takes ~64 KiB' }),
    onDamage: oneOf(ON_DAMAGE),
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
  power,
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
