/**
 * Config: everything a relay needs to start, after parseConfig() merged defaults < file < environment < flags and
 * validated the result. Every field is present (defaults filled in) except the genuinely optional ones marked `?`.
 * The schema that produces it is runtime/config/schema.ts; the defaults are runtime/config/defaults.ts.
 */
import type { LogLevel } from '../log/levels.js';
import type { OnDamage } from '../store/on-damage.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface ApiConfig extends HostPort {
  /** Bearer token for the HTTP API. Required when `host` is not a loopback address. */
  token?: string;
}

export interface MetricsConfig extends HostPort {
  enabled: boolean;
  /** URL path of the Prometheus text exposition. */
  path: string;
}

export interface IpConfig {
  enabled: boolean;
  listen: HostPort;
  /** Peers dialled at start and re-dialled when the link drops. */
  peers: HostPort[];
  /** mDNS/UDP discovery of other relays on the LAN. */
  discovery: boolean;
  heartbeatMs: number;
  /**
   * Domain key: only relays holding the same key are heard (runtime/bearers/ip/PROTOCOL.md, "Domain key"). A secret:
   * masked by `lattice config`, never logged. 32..256 printable ASCII characters without spaces.
   */
  psk?: string;
}

export interface MqttConfig {
  /** Broker URL (`mqtt://`, `mqtts://`, `ws://`, `wss://`); the MQTT bearer runs only when set. */
  url?: string;
  /** Topic prefix: frames go to `<prefix>/...`. */
  prefix: string;
  username?: string;
  password?: string;
}

/**
 * A Meshtastic companion radio. `device` is a serial path (`/dev/ttyUSB0`), `host[:port]` or `tcp://host[:port]`
 * for the firmware's TCP API (port 4403 by default), or `ble://<address or name>`.
 */
export interface MeshtasticConfig {
  /** Bearer name, `meshtastic0`, `meshtastic1`... by position unless given. */
  name: string;
  device: string;
  /** hop_limit for our packets (0..7); default the radio's own setting. */
  hopLimit?: number;
  /** Channel index that Lattice broadcasts go to; default none (Lattice broadcasts stay off the mesh). */
  broadcastChannel?: number;
  /** Ask the mesh for ACKs (default true). */
  wantAck?: boolean;
  /** Prefix texts from other meshes with the sender's name (default true). */
  prefixOrigin?: boolean;
}

/** A MeshCore companion radio: a serial path, `host[:port]` / `tcp://host[:port]` (port 5000 by default), or `ble://...`. */
export interface MeshcoreConfig {
  name: string;
  device: string;
  /** Channel slots to set on the radio after every handshake (`#name` derives the hashtag secret). */
  channels?: Array<{ index: number; name: string; secretHex?: string }>;
  /** Region flood scope (`#name`) for everything the radio floods (firmware v8+). */
  floodScope?: string;
}

export const LORA_HALS = ['spi', 'serial', 'emulated'] as const;
export type LoraHal = (typeof LORA_HALS)[number];

/** GPIO lines of an SX126x module (BCM numbering), named after the chip's pins. */
export const LORA_PINS = ['reset', 'busy', 'dio1', 'dio2', 'nss', 'txEn', 'rxEn', 'power'] as const;
export type LoraPin = (typeof LORA_PINS)[number];

/** An SX126x radio driven by this board (SPI HAT), through a serial bridge, or emulated in-process. */
export interface LoraConfig {
  name: string;
  /** Modem preset name as Meshtastic spells it (`LongFast`, `MediumSlow`...). */
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

export const LOG_FORMATS = ['auto', 'json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogConfig {
  /** A level (`info`) or a level spec (`info,router=debug`); see runtime/log/levels.ts. */
  level: string;
  /** `auto`: JSON lines when stderr is not a terminal, text when it is. */
  format: LogFormat;
}

export interface Config {
  /** The config file this came from, when there was one (for messages only). */
  configFile?: string;
  dataDir: string;
  api: ApiConfig;
  metrics: MetricsConfig;
  ip: IpConfig;
  mqtt: MqttConfig;
  meshtastic: MeshtasticConfig[];
  meshcore: MeshcoreConfig[];
  lora: LoraConfig[];
  vault: VaultConfig;
  bloom: BloomConfig;
  shards: ShardsConfig;
  bridge: BridgeConfig;
  sim: SimConfig;
  log: LogConfig;
}

export type { LogLevel };
