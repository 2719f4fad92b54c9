/**
 * The `lora:` config section, a list of SX126x radios: what each LoRa bearer reads (lora-from-config.ts maps it and
 * opens the radio), its schema and defaults.
 */
import { Boards, UnsupportedBoards, type BoardPins } from '../../../drivers/sx126x/boards.js';
import { Variants, type Sx126xVariant } from '../../../drivers/sx126x/variant.js';
import { PRESETS, REGION_PLANS } from '../../../lib/lora/lattice-presets.js';
import { defineBearerKind } from '../../bearer/bearer-kind.js';
import { bearerName, listGiven } from '../../config/bearer-schema.js';
import { bool, child, fail, hostPort, int, list, num, object, oneOf, str, type Check } from '../../config/schema-kit.js';
import { MeshtasticRegions } from '../../../lib/lora/meshtastic-presets.js';
import { finishNative, meshtasticNativeSchema, type MeshtasticNativeConfig } from '../meshtastic-native/native-config.js';
import { NATIVE_PRESET_NAMES } from '../meshtastic-native/native-preset.js';
import { checkLoraProtocols, checkNativeApis, LORA_PROTOCOLS, type LoraProtocol } from './lora-protocol.js';
import { finishMeshcoreNative, meshcoreNativeSchema, type MeshcoreNativeConfig } from '../meshcore-native/mc-native-config.js';
import { MC_BANDWIDTHS_HZ, MC_DEFAULT_PRESET, MC_PRESET_NAMES } from '../meshcore-native/mc-preset.js';

export const LORA_HALS = ['spi', 'serial', 'emulated', 'sim'] as const;
export type LoraHal = (typeof LORA_HALS)[number];

/** GPIO lines of an SX126x module (BCM numbering), named after the chip's pins. */
export const LORA_PINS = ['reset', 'busy', 'dio1', 'dio2', 'nss', 'txEn', 'rxEn', 'power'] as const;
export type LoraPin = (typeof LORA_PINS)[number];

/** An SX126x radio driven by this board (SPI HAT), through a serial bridge, emulated in-process, or emulated on the
 * shared air of `lattice sim air` (`hal: sim`). */
export interface LoraConfig {
  name: string;
  /** What the radio speaks on the air: `lattice` (our frames, the default), `meshtastic` (a native Meshtastic node)
   * or `meshcore` (a native MeshCore repeater and companion). */
  protocol: LoraProtocol;
  /** The native node (protocol meshtastic only): role, names, channels, client API. */
  meshtastic?: MeshtasticNativeConfig;
  /** The native node (protocol meshcore only): role, name, channels, companion port, passwords, region scope. */
  meshcore?: MeshcoreNativeConfig;
  /** Protocol meshcore: explicit channel settings over the preset's (Hz, Hz, 5..12, 5..8 = 4/5..4/8). */
  freqHz?: number;
  bwHz?: number;
  sf?: number;
  cr?: number;
  /** Modem preset name as Meshtastic spells it (`LongFast`, `MediumSlow`...), or a MeshCore preset (`EU_NARROW`). */
  preset: string;
  /** Regulatory region as Meshtastic spells it (`EU_868`, `US`...). */
  region: string;
  hal: LoraHal;
  /** `/dev/spidev0.0` for hal `spi`, a serial path for hal `serial`. */
  device?: string;
  /** A known HAT's pin map (drivers/sx126x/boards.ts), e.g. `waveshare-core1262-hat`; else `pins` are used. */
  board?: string;
  /** With explicit pins: `sx1262` (default) or `sx1268`. */
  variant?: 'sx1262' | 'sx1268';
  /** With explicit pins: TCXO voltage on DIO3 (default 1.8 V; 0 = crystal). */
  tcxoVoltage?: number;
  pins: Partial<Record<LoraPin, number>>;
  txPowerDbm?: number;
  /** hal `sim`: where `lattice sim air` listens. */
  air?: { host: string; port: number };
  /**
   * Where the antenna stands: `[x, y]` metres on the simulated air (hal `sim` only), or on Earth `{ lat, lon, alt }`
   * (degrees, metres above sea level): a native Meshtastic node's fixed position (config.position.fixed_position),
   * and with hal `sim` also its place on the simulated air (geo-position.ts airPositionOf).
   */
  position?: [number, number] | GeoPosition;
  /** Lattice v2 frames (PROTOCOL.md, "link version 2"): advertised, decoded, and sent to neighbours that advertise
   * them; false = v1 only (v2 frames heard are dropped, counted `v2-off`). Default true. */
  v2?: boolean;
  /** PSK of the v2 group tag on broadcast frames (any text, ≥ 8 bytes; all nodes of the group set the same). Default:
   * the public "lattice" (then the tag only keeps out corruption and other meshes; SECURITY.md). */
  groupKey?: string;
}

/** A place on Earth (WGS84 degrees, altitude in metres above mean sea level). */
export interface GeoPosition {
  lat: number;
  lon: number;
  alt?: number;
}

const xyMetres = list(num({ min: -1e7, max: 1e7, unit: 'm' }), { max: 2 });
const geo = object({ lat: num({ min: -90, max: 90 }), lon: num({ min: -180, max: 180 }), alt: num({ min: -500, max: 10_000, unit: 'm' }) }, { required: ['lat', 'lon'] });

/** `position`: `[x, y]` metres or `{ lat, lon, alt }`; one key for where the radio stands. */
const position: Check = (value, path, issues) => (Array.isArray(value) ? xyMetres(value, path, issues) : geo(value, path, issues));

/** Defaults of one `lora:` entry; `name` is `lora<index>`. */
export const LORA_DEFAULTS: Omit<LoraConfig, 'name' | 'device' | 'txPowerDbm' | 'meshtastic' | 'meshcore'> = {
  protocol: 'lattice',
  preset: 'LongFast',
  region: 'EU_868',
  hal: 'spi',
  pins: {},
  // v2 is on unless the entry says `v2: false` (absent = on; not written here so parsed configs stay as given).
};

const radio = object(
  {
    name: bearerName,
    protocol: oneOf(LORA_PROTOCOLS),
    // The LoRa bearer's own tables (lib/lora/lattice-presets.ts) and, for protocol meshtastic, every firmware preset
    // and region (lib/lora/meshtastic-presets.ts); lora-protocol.ts checks which the protocol takes.
    preset: oneOf([...new Set([...Object.keys(PRESETS), 'LongMod', ...NATIVE_PRESET_NAMES, ...MC_PRESET_NAMES])]),
    region: oneOf([...new Set([...Object.keys(REGION_PLANS), ...Object.keys(MeshtasticRegions)])]),
    meshtastic: meshtasticNativeSchema,
    meshcore: meshcoreNativeSchema,
    // protocol meshcore: a channel no preset names (SX1262 150–960 MHz; SX126x bandwidth codes; SF5..12; CR 4/5..4/8).
    freqHz: int({ min: 150_000_000, max: 960_000_000, unit: 'Hz' }),
    bwHz: oneOfNumbers(MC_BANDWIDTHS_HZ, 'Hz'),
    sf: int({ min: 5, max: 12 }),
    cr: int({ min: 5, max: 8 }),
    hal: oneOf(LORA_HALS),
    device: str({ max: 512 }),
    // A known Pi HAT's pin map (drivers/sx126x/boards.ts); explicit `pins` are used when no board is named.
    board: oneOf([...Object.keys(Boards), ...Object.keys(UnsupportedBoards)]),
    // With explicit pins: the chip (SX1262 for 868/915 MHz modules, SX1268 for 433/470 MHz) and the TCXO supply
    // on DIO3 (most modules: 1.8 V; 0 for a plain crystal).
    variant: oneOf(['sx1262', 'sx1268']),
    tcxoVoltage: num({ min: 0, max: 3.3, unit: 'V' }),
    pins: object(Object.fromEntries(LORA_PINS.map((p) => [p, int({ min: 0, max: 1023 })]))),
    // SX1261/2 datasheet §13.1.14 SetTxParams: -9..+22 dBm on the SX1262 high-power PA.
    txPowerDbm: int({ min: -9, max: 22, unit: 'dBm' }),
    // hal: sim — the air of `lattice sim air` (drivers/sx126x/sim/AIR-PROTOCOL.md) and where on it this radio stands.
    air: hostPort({ requireHost: true }),
    position,
    v2: bool(),
    groupKey: str({ min: 8, max: 256, secret: true, hint: 'a shared secret of at least 8 bytes' }),
  },
  {
    refine: (v, path, issues) => {
      if ((v.hal === 'spi' || v.hal === 'serial') && v.device !== undefined && !String(v.device).startsWith('/')) {
        fail(issues, child(path, 'device'), `must be a device path such as ${v.hal === 'spi' ? '/dev/spidev0.0' : '/dev/ttyUSB0'}`);
      }
      if (v.hal === 'serial' && v.device === undefined) fail(issues, child(path, 'device'), 'is required with hal: serial');
      checkLoraProtocols(v, path, issues);
      if (v.hal === 'sim' && v.air === undefined) fail(issues, child(path, 'air'), 'is required with hal: sim (where `lattice sim air` listens, e.g. 127.0.0.1:4680)');
      const xy = Array.isArray(v.position);
      if (v.hal !== 'sim') {
        if (v.air !== undefined) fail(issues, child(path, 'air'), 'is only used with hal: sim');
        if (xy) fail(issues, child(path, 'position'), '[x, y] (metres on the simulated air) is only used with hal: sim; a place on Earth is { lat, lon, alt }');
        else if (v.position !== undefined && (v.protocol ?? 'lattice') === 'lattice') fail(issues, child(path, 'position'), 'is only used with hal: sim or by a native node (protocol meshtastic: its fixed position)');
      }
      if (xy && (v.position as unknown[]).length !== 2) fail(issues, child(path, 'position'), 'must be [x, y] in metres');
      const tunes = regionsOutsideChip(v.board as string | undefined, v.variant as Sx126xVariant | undefined, (v.region as string | undefined) ?? LORA_DEFAULTS.region);
      if (tunes) fail(issues, child(path, 'region'), tunes);
      const unsupported = UnsupportedBoards[v.board as string];
      if (unsupported) fail(issues, child(path, 'board'), `${unsupported.description}: ${unsupported.reason}`);
      // An amplified HAT's limit on the chip's output (meshtasticd SX126X_MAX_POWER), refused rather than clipped.
      const max = (Boards as Record<string, BoardPins>)[v.board as string]?.maxPowerDbm;
      if (max !== undefined && typeof v.txPowerDbm === 'number' && v.txPowerDbm > max) fail(issues, child(path, 'txPowerDbm'), `is above ${max} dBm, the most board ${v.board} takes ahead of its amplifier`);
    },
  },
);

/** A number from a fixed set (SX126x bandwidth codes). */
function oneOfNumbers(values: readonly number[], unit: string): Check {
  return (value, path, issues) => {
    if (typeof value !== 'number' || !values.includes(value)) return fail(issues, path, `must be one of ${values.join(', ')} (${unit})`);
    return value;
  };
}

/**
 * Why the region's band is outside what the radio's chip tunes (an SX1268 board with EU_868), or undefined when it
 * fits: the driver would refuse it only when the radio is configured (drivers/sx126x/modulation.ts validateModulation).
 */
export function regionsOutsideChip(board: string | undefined, variant: Sx126xVariant | undefined, region: string): string | undefined {
  const chip = (board !== undefined ? (Boards as Record<string, { variant: Sx126xVariant } | undefined>)[board]?.variant : undefined) ?? variant ?? 'sx1262';
  const plan = REGION_PLANS[region];
  const v = Variants[chip];
  if (!plan || (plan.lowHz >= v.minFrequencyHz && plan.highHz <= v.maxFrequencyHz)) return undefined;
  const usable = Object.entries(REGION_PLANS).filter(([, p]) => p.lowHz >= v.minFrequencyHz && p.highHz <= v.maxFrequencyHz).map(([name]) => name);
  const mhz = (hz: number) => `${hz / 1e6}`;
  return `${region} (${mhz(plan.lowHz)}–${mhz(plan.highHz)} MHz) is outside what an ${chip}${board ? ` (board ${board})` : ''} tunes (${mhz(v.minFrequencyHz)}–${mhz(v.maxFrequencyHz)} MHz); regions it can use: ${usable.join(', ')}`;
}

export const loraKind = defineBearerKind<'lora', LoraConfig[]>({
  section: 'lora',
  schema: list(radio, { max: 4 }),
  defaults: [],
  finish: (radios) => radios.map((l, i) => {
    const r = { ...structuredClone(LORA_DEFAULTS), ...l, name: l.name ?? `lora${i}` } as LoraConfig;
    if (r.protocol === 'meshtastic') r.meshtastic = finishNative(l.meshtastic);
    if (r.protocol === 'meshcore') {
      r.meshcore = finishMeshcoreNative(l.meshcore);
      if (l.preset === undefined) r.preset = MC_DEFAULT_PRESET;
    }
    return r;
  }),
  given: listGiven,
  configured: (radios) => radios.map((r, i) => ({ name: r.name, path: `lora[${i}]`, ...(r.device !== undefined ? { device: r.device } : {}) })),
  check: (radios, issues) => checkNativeApis(radios, issues),
  build: async (radios, context) => (await import('./lora-from-config.js')).loraBearers(radios, context),
});
