/**
 * Config: everything a relay needs to start, after parseConfig() merged defaults < file < environment < flags and
 * validated the result. Every field is present (defaults filled in) except the genuinely optional ones marked `?`.
 * The schema that produces it is runtime/config/schema.ts; the defaults are runtime/config/defaults.ts.
 */
import type { BearerSections } from '../bearers/bearer-kinds.js';
import type { LogLevel } from '../log/levels.js';
import type { OnDamage } from '../store/on-damage.js';

// The bearer sections live with their bearers (runtime/bearers/<kind>/<kind>-config.ts, listed in bearer-kinds.ts).
export type { IpConfig } from '../bearers/ip/ip-config.js';
export type { MqttConfig } from '../bearers/mqtt/mqtt-config.js';
export type { MeshtasticConfig } from '../bearers/meshtastic/meshtastic-config.js';
export type { MeshcoreConfig } from '../bearers/meshcore/meshcore-config.js';
export type { LoraConfig, LoraHal, LoraPin } from '../bearers/lora/lora-config.js';

export interface HostPort {
  host: string;
  port: number;
}

// ApiConfig and MetricsConfig spell out host and port rather than extend HostPort: each key is its own (the
// config-key test, runtime/config/config-keys-read.test.ts, tells keys apart by their declarations).
export interface ApiConfig {
  host: string;
  port: number;
  /** Bearer token for the HTTP API. Required when `host` is not a loopback address. */
  token?: string;
}

export interface MetricsConfig {
  enabled: boolean;
  host: string;
  port: number;
  /** URL path of the Prometheus text exposition. */
  path: string;
}

export interface VaultConfig {
  /**
   * Lifetime of bundles this node creates (at most 30 days, MAX_LIFETIME_MS), and the longest any bundle is kept
   * after it arrived (whichever of that and its own expiry comes first).
   */
  lifetimeDays: number;
  /**
   * Byte budget of the vault (LMDB pages in use): past it delivered bundles are evicted, then tombstones, then new
   * bundles refused (StoreFullError). Unbounded when absent.
   */
  maxBytes?: number;
  /**
   * A damaged store file at start (vault, shard store, bridge queue): `recover` moves it aside and starts empty,
   * `refuse` exits with status 3 and changes nothing (runtime/store/open-store.ts).
   */
  onDamage: OnDamage;
}

export interface BloomConfig {
  /** How often the delivery bloom filter is advertised to peers. */
  intervalMs: number;
}

export interface ShardsConfig {
  /** Run the shard store (put/get/shards) over the IP bearer; it needs `ip.enabled`. Default true. */
  enabled: boolean;
  cacheBytes: number;
  diskBytes: number;
  /** Reed–Solomon data shards. */
  k: number;
  /** Reed–Solomon parity shards. */
  m: number;
  lifetimeDays: number;
  /** How often one random shard on one random holder is challenged (proof of storage). */
  challengeIntervalMs: number;
  /** How often stored files are checked for shards whose holders are gone. */
  repairIntervalMs: number;
  /** A holder unreachable this long counts as gone; its shards are rebuilt on other relays. */
  offlineGraceMs: number;
}

export interface SimConfig {
  /** Run the simulated neighbourhood (default: on when no config file and no bearer was given). */
  enabled: boolean;
}

export const BRIDGE_DIRECTIONS = ['both', 'mt-to-mc', 'mc-to-mt'] as const;
export type BridgeDirection = (typeof BRIDGE_DIRECTIONS)[number];

/** One channel joined across the meshes. */
export interface BridgeMappingConfig {
  /** Meshtastic channel: index 0..7 or its name on the radio. */
  meshtastic: number | string;
  /** MeshCore channel: `public`, `#hashtag`, a channel name on the radio, or a slot index. */
  meshcore: number | string;
  direction: BridgeDirection;
}

/** Limits of one direction, enforced before the receiving radio. */
export interface BridgeLimitConfig {
  messagesPerMinute: number;
  /** Bursts up to this many messages go at once before the rate applies (default: messagesPerMinute). */
  burst?: number;
  /** Estimated time on air the bridge may spend on the receiving radio per rolling hour (ms). */
  airtimeMsPerHour: number;
}

/** The Meshtastic <-> MeshCore bridge (runtime/bridge). */
export interface BridgeConfig {
  enabled: boolean;
  /** Bearer names of the two radios; default the first of each kind. */
  meshtastic?: string;
  meshcore?: string;
  mappings: BridgeMappingConfig[];
  /** Sender attribution put before bridged text: `{name}` (NodeInfo / advert name) and `{id}` (address). */
  attribution: { mt: string; mc: string };
  /** Cross-mesh DMs by addressing (`@MC:Bob hi` to the relay's radio). */
  dm: { enabled: boolean };
  limits: { mtToMc: BridgeLimitConfig; mcToMt: BridgeLimitConfig };
  /** Entries per direction's queue; over it the oldest broadcast entries are shed (DMs are kept). */
  queue: { maxEntries: number };
  /** How long bridged content is remembered to recognise it coming back (ms). */
  echoWindowMs: number;
  /** Do not bridge text that already carries a bridge attribution (another bridge's output). */
  skipBridgedText: boolean;
  /**
   * Once another bridge is heard on a mesh, channel parts for that mesh wait a per-relay share (1/4 to 1) of this
   * long and are dropped if the other bridge sends the same words first (ms; 0: never wait).
   */
  peerHoldoffMs: number;
}

/** Power monitors the relay reads (drivers/power): INA219/INA226/INA260 one channel, INA3221 three. */
export const POWER_SENSORS = ['ina219', 'ina226', 'ina260', 'ina3221'] as const;
export type PowerSensorKind = (typeof POWER_SENSORS)[number];
/** Battery packs with a voltage-to-charge curve (runtime/power/chemistry.ts). */
export const CHEMISTRIES = ['li-ion-1s', 'li-ion-2s', 'li-ion-3s', 'lifepo4-4s', 'lead-acid-12v'] as const;
export type Chemistry = (typeof CHEMISTRIES)[number];

/**
 * What the relay does as the battery runs down (runtime/power/power-policies.ts): each policy applies below its
 * state of charge (percent, 0 = never) and lifts again `hysteresis` points above it.
 */
export interface PowerPoliciesConfig {
  /** Below this state of charge the LoRa radios transmit at `reducedTxPowerDbm`. */
  reduceTxPowerBelow: number;
  reducedTxPowerDbm: number;
  /** Below this, LoRa adverts and Meshtastic NodeInfo broadcasts are `intervalFactor` times further apart. */
  stretchIntervalsBelow: number;
  intervalFactor: number;
  /** Below this, no BLE scan looks for companion radios (radios BlueZ already knows still connect). */
  stopBleScanBelow: number;
  /** Below this, the shard store stops its repair passes (and the challenges that feed them). */
  stopShardRepairBelow: number;
  /** Below this, a native Meshtastic node configured ROUTER (or ROUTER_LATE) runs as a CLIENT. */
  clientRoleBelow: number;
  /** Below this, the relay flushes the vault and stops its components before the battery browns out. */
  shutdownBelow: number;
  /** After a shutdown, the relay starts again once the state of charge is back above this. */
  resumeAbove: number;
  /** Percentage points above a threshold before its policy lifts (so a policy does not flap at the edge). */
  hysteresis: number;
}

/** The power monitor (issue 16): a battery and panel read over I2C, or simulated (`hal: sim`). */
export interface PowerConfig {
  /** The chip; absent: no power monitoring (the simulated default brings an emulated ina3221). */
  sensor?: PowerSensorKind;
  /** I2C bus number (`/dev/i2c-<bus>`), 1 on a Raspberry Pi; unused with `hal: sim`. */
  bus: number;
  /** `sim`: an emulated chip on a simulated battery and panel with a fast day-night cycle. */
  hal?: 'sim';
  /** 7-bit I2C address; default 0x40 (every INA2xx/INA3221 with A0 and A1 to ground). */
  address: number;
  /** Shunt resistor, ohms (not INA260: its 2 mΩ shunt is inside). */
  shuntOhms: number;
  /** Largest current expected through the shunt, amps (sets the calibration's current LSB). */
  maxCurrentA: number;
  chemistry: Chemistry;
  /** Battery capacity, amp-hours (for coulomb counting). */
  capacityAh: number;
  /** INA3221 only: which of its channels 1..3 measures the battery, the panel and the load (0: not wired). */
  channels: { battery: number; panel: number; load: number };
  policies: PowerPoliciesConfig;
}

export const LOG_FORMATS = ['auto', 'json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogConfig {
  /** A level (`info`) or a level spec (`info,router=debug`); see runtime/log/levels.ts. */
  level: string;
  /** `auto`: JSON lines when stderr is not a terminal, text when it is. */
  format: LogFormat;
}

/** Every section; the bearer sections (ip, mqtt, meshtastic, meshcore, lora) come from runtime/bearers/bearer-kinds.ts. */
export interface Config extends BearerSections {
  /** The config file this came from, when there was one (for messages only). */
  configFile?: string;
  dataDir: string;
  api: ApiConfig;
  metrics: MetricsConfig;
  vault: VaultConfig;
  bloom: BloomConfig;
  shards: ShardsConfig;
  bridge: BridgeConfig;
  power: PowerConfig;
  sim: SimConfig;
  log: LogConfig;
}

export type { LogLevel };
