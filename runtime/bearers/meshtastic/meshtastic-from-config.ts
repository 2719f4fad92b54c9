/**
 * The `meshtastic:` config section (meshtastic-config.ts) to gateways: the one place that maps its keys to each
 * gateway's init.
 */
import type { BuiltKind } from '../../bearer/bearer-kind.js';
import { meshtasticBearer } from './create-meshtastic-bearer.js';
import type { MeshtasticConfig } from './meshtastic-config.js';

/** One gateway per radio; a device string that is neither a path nor host[:port] throws MeshtasticDeviceSpecError. */
export async function meshtasticBearers(radios: MeshtasticConfig[]): Promise<BuiltKind> {
  return {
    bearers: radios.map((m) => meshtasticBearer({
      name: m.name,
      device: m.device,
      ...(m.hopLimit !== undefined ? { hopLimit: m.hopLimit } : {}),
      ...(m.broadcastChannel !== undefined ? { broadcastChannel: m.broadcastChannel } : {}),
      ...(m.wantAck !== undefined ? { wantAck: m.wantAck } : {}),
      ...(m.prefixOrigin !== undefined ? { prefixOrigin: m.prefixOrigin } : {}),
    })),
  };
}
