/**
 * The daemon's one call per configured radio (`--meshtastic DEVICE`, repeatable, or `meshtastic:` in the config):
 * parses the device string, picks serial, TCP or BLE (device-opener.ts), names the bearer `meshtastic<index>` unless
 * told otherwise.
 */
import type { BleOpenerOptions } from '../../links/ble-opener.js';
import type { Logger } from '../../log/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import { meshtasticOpener, parseMeshtasticDevice } from './device-opener.js';
import { MeshtasticBearer } from './meshtastic-bearer.js';

export interface MeshtasticRadioConfig {
  /** `/dev/ttyUSB0`, `/dev/serial/by-id/…`, `host` or `host:4403`, `ble:ADDRESS`. */
  device: string;
  name?: string;
  /** Hop limit for our packets; default the radio's own config.lora.hop_limit. */
  hopLimit?: number;
  /** Channel index that Lattice broadcasts go to; default none. */
  broadcastChannel?: number;
  /** Ask for ACKs (default true). */
  wantAck?: boolean;
  /** Prefix texts from other meshes with the sender's name (default true). */
  prefixOrigin?: boolean;
  heartbeatMs?: number;
  textIntervalMs?: number;
}

/** Throws MeshtasticDeviceSpecError for a device string that is neither a path nor host[:port]. */
export function createMeshtasticBearer(
  config: MeshtasticRadioConfig,
  index: number,
  deps: { metrics?: Metrics; logger?: Logger; ble?: BleOpenerOptions } = {},
): MeshtasticBearer {
  const spec = parseMeshtasticDevice(config.device);
  return new MeshtasticBearer({
    name: config.name ?? `meshtastic${index}`,
    device: config.device,
    transport: spec.kind,
    opener: meshtasticOpener(spec, { ble: deps.ble }),
    metrics: deps.metrics,
    logger: deps.logger,
    broadcastChannel: config.broadcastChannel,
    wantAck: config.wantAck,
    prefixOrigin: config.prefixOrigin,
    session: { hopLimit: config.hopLimit, heartbeatMs: config.heartbeatMs, textIntervalMs: config.textIntervalMs },
  });
}
