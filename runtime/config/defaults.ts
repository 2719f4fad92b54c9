/**
 * Every default value of the config, in one place: parseConfig() lays the file, the environment and the flags over
 * these. The bearer sections' defaults are their kinds' (runtime/bearers/<kind>/<kind>-config.ts), gathered here.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BEARER_KINDS, type BearerSections } from '../bearers/bearer-kinds.js';
import type { Config } from './config.js';

export const DEFAULT_API_PORT = 8080;
export const DEFAULT_METRICS_PORT = 9090;

/** Everything except dataDir (which depends on the environment) and sim.enabled (which depends on the inputs). */
export const DEFAULTS: Omit<Config, 'dataDir' | 'sim' | 'configFile'> = {
  api: { host: '127.0.0.1', port: DEFAULT_API_PORT },
  metrics: { enabled: true, host: '127.0.0.1', port: DEFAULT_METRICS_PORT, path: '/metrics' },
  ...(Object.fromEntries(BEARER_KINDS.map((kind) => [kind.section, kind.defaults])) as BearerSections),
  vault: { lifetimeDays: 7, onDamage: 'recover' },
  bloom: { intervalMs: 30_000 },
  // Shard timers: runtime/shards/shard-node.ts DEFAULT_TUNING (1 min challenges, 5 min repair pass, 10 min grace).
  shards: {
    enabled: true, cacheBytes: 64 * 1024 * 1024, diskBytes: 1024 * 1024 * 1024, k: 3, m: 2, lifetimeDays: 30,
    challengeIntervalMs: 60_000, repairIntervalMs: 5 * 60_000, offlineGraceMs: 10 * 60_000,
  },
  // Bridge limits: Meshtastic firmware drops a client's text sent within 2 s of the previous one (PhoneAPI.cpp
  // handleToRadioPacket, TWO_SECONDS_MS -> RATE_LIMIT_EXCEEDED), so MeshCore -> Meshtastic stays well under 30 per
  // minute; MeshCore channel texts are floods every repeater re-sends, so that direction is kept lower still.
  bridge: {
    enabled: false,
    mappings: [],
    attribution: { mt: 'MT@{name}: ', mc: 'MC@{name}: ' },
    dm: { enabled: true },
    limits: {
      mtToMc: { messagesPerMinute: 10, airtimeMsPerHour: 180_000 },
      mcToMt: { messagesPerMinute: 20, airtimeMsPerHour: 180_000 },
    },
    queue: { maxEntries: 100 },
    echoWindowMs: 600_000,
    skipBridgedText: true,
    // Longer than one channel text's time on air at LongFast / MeshCore's defaults (~1-2 s), so the later bridge
    // usually hears the earlier one's copy before its own turn.
    peerHoldoffMs: 15_000,
  },
  // Power: maxCurrentA here is the ina219's on 0.1 Ω; left out of the file, parse-config.ts takes the chosen chip's
  // full shunt range instead. No sensor unless configured (the simulated default brings one, parse-config.ts). The policy thresholds
  // are percent state of charge, spaced so that each step saves power before the next is needed; see README "Solar
  // power" for what each does and costs.
  power: {
    bus: 1, address: 0x40, shuntOhms: 0.1, maxCurrentA: 3.2, chemistry: 'li-ion-1s', capacityAh: 10,
    channels: { battery: 1, panel: 2, load: 3 },
    policies: {
      reduceTxPowerBelow: 50, reducedTxPowerDbm: 14,
      stretchIntervalsBelow: 40, intervalFactor: 4,
      stopBleScanBelow: 30, stopShardRepairBelow: 30,
      clientRoleBelow: 20,
      shutdownBelow: 5, resumeAbove: 20,
      hysteresis: 5,
    },
  },
  log: { level: 'info', format: 'auto' },
};

/** The simulated default's IP listen host (and no LAN discovery) unless the user asked for the LAN: parse-config.ts. */
export const SIM_IP_HOST = '127.0.0.1';

/**
 * Where the relay keeps its key, vault and shards when neither the file, LATTICE_DATA_DIR nor --data-dir says:
 * `/data/lattice` on balenaOS (the persistent volume balena mounts at /data; BALENA_DEVICE_UUID is set in every
 * balena container), otherwise `$XDG_DATA_HOME/lattice`, i.e. `~/.local/share/lattice`.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  if (env.BALENA_DEVICE_UUID || env.BALENA === '1') return '/data/lattice';
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'lattice');
  return join(home, '.local', 'share', 'lattice');
}
