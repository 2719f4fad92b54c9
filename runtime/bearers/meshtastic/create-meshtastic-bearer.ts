/**
 * `meshtasticBearer(init)(components)`: a Meshtastic gateway for one radio (`--meshtastic DEVICE`, repeatable, or a
 * `meshtastic:` entry). Parses the device string and picks serial, TCP or BLE (device-opener.ts), unless the caller
 * brings its own link opener (the simulated default's in-process radio).
 */
import type { LinkOpener } from '../../../firmware-protocol/framing/byte-link.js';
import type { BearerFactory } from '../../bearer/bearer-kind.js';
import type { BleOpenerOptions } from '../../links/ble-opener.js';
import type { Metrics } from '../../metrics/metrics.js';
import { meshtasticOpener, parseMeshtasticDevice } from './device-opener.js';
import { MeshtasticBearer, type MeshtasticBearerInit } from './meshtastic-bearer.js';

export interface MeshtasticInit {
  /** Bearer name, unique in the relay: `meshtastic0`. */
  name: string;
  /** `/dev/ttyUSB0`, `/dev/serial/by-id/…`, `host` or `host:4403`, `ble:ADDRESS`; with `link`, only shown in status. */
  device: string;
  /** A link to the radio other than the device's (the simulated default's in-process radio). */
  link?: { opener: LinkOpener; transport: MeshtasticBearerInit['transport'] };
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
  /** BLE radios: bus address and timeouts (tests); the relay's metrics come from the components. */
  ble?: Omit<BleOpenerOptions, 'metrics'>;
}

/** Throws MeshtasticDeviceSpecError for a device string that is neither a path nor host[:port] nor ble:. */
export function meshtasticBearer(init: MeshtasticInit): BearerFactory<MeshtasticBearer> {
  const link = linkTo(init);
  return (components) => new MeshtasticBearer({
    name: init.name,
    device: init.device,
    ...link(components.metrics),
    ...(components.metrics ? { metrics: components.metrics } : {}),
    logger: components.logger.forComponent(init.name),
    clock: components.clock,
    ...(init.broadcastChannel !== undefined ? { broadcastChannel: init.broadcastChannel } : {}),
    ...(init.wantAck !== undefined ? { wantAck: init.wantAck } : {}),
    ...(init.prefixOrigin !== undefined ? { prefixOrigin: init.prefixOrigin } : {}),
    session: {
      ...(init.hopLimit !== undefined ? { hopLimit: init.hopLimit } : {}),
      ...(init.heartbeatMs !== undefined ? { heartbeatMs: init.heartbeatMs } : {}),
      ...(init.textIntervalMs !== undefined ? { textIntervalMs: init.textIntervalMs } : {}),
    },
  });
}

/** The radio's link, given or from the device string (parsed now, so a bad one fails before anything starts). */
function linkTo(init: MeshtasticInit): (metrics?: Metrics) => Pick<MeshtasticBearerInit, 'opener' | 'transport'> {
  const given = init.link;
  if (given) return () => given;
  const spec = parseMeshtasticDevice(init.device);
  return (metrics) => ({ transport: spec.kind, opener: meshtasticOpener(spec, { ble: { ...init.ble, ...(metrics ? { metrics } : {}) } }) });
}
