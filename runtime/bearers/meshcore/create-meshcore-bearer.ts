/**
 * `meshcoreBearer(init)(components)`: a MeshCore gateway for one companion radio (`--meshcore DEVICE`, repeatable,
 * or a `meshcore:` entry). Parses the device string and picks serial, TCP or BLE (device-opener.ts), unless the
 * caller brings its own link opener (the simulated default's in-process radio).
 */
import type { LinkOpener } from '../../../firmware-protocol/framing/byte-link.js';
import type { BearerFactory } from '../../bearer/bearer-kind.js';
import type { BleOpenerOptions } from '../../links/ble-opener.js';
import type { Metrics } from '../../metrics/metrics.js';
import { meshCoreOpener, parseMeshCoreDevice } from './device-opener.js';
import { MeshCoreGateway, type MeshCoreGatewayOptions } from './meshcore-gateway.js';

export interface MeshCoreInit {
  /** Bearer name, unique in the relay: `meshcore0`. */
  name: string;
  /** `/dev/ttyACM0`, `host:5000`, `ble:ADDRESS`; with `open`, not used. */
  device: string;
  /** A link to the radio other than the device's (the simulated default's in-process radio). */
  open?: LinkOpener;
  /** Channel slots to make sure of after each handshake: `#name` → hashtag secret, else give `secretHex`. */
  channels?: MeshCoreGatewayOptions['channels'];
  /** Region flood scope (`#name`) for everything the radio floods. */
  floodScope?: string;
  /** BLE radios: bus address and timeouts (tests); the relay's metrics come from the components. */
  ble?: Omit<BleOpenerOptions, 'metrics'>;
}

/** Throws MeshCoreDeviceSpecError for a device string that is neither a path nor host[:port] nor ble:. */
export function meshcoreBearer(init: MeshCoreInit): BearerFactory<MeshCoreGateway> {
  const open = opener(init);
  return (components) => new MeshCoreGateway({
    name: init.name,
    open: open(components.metrics),
    ...(init.channels ? { channels: init.channels } : {}),
    ...(init.floodScope ? { floodScope: init.floodScope } : {}),
    ...(components.metrics ? { metrics: components.metrics } : {}),
    log: components.logger.forComponent(init.name),
  });
}

/** The radio's link opener, given or from the device string (parsed now, so a bad one fails before anything starts). */
function opener(init: MeshCoreInit): (metrics?: Metrics) => LinkOpener {
  const given = init.open;
  if (given) return () => given;
  const spec = parseMeshCoreDevice(init.device);
  return (metrics) => meshCoreOpener(spec, { ble: { ...init.ble, ...(metrics ? { metrics } : {}) } });
}
