/**
 * The `meshcore:` config section (meshcore-config.ts) to gateways: the one place that maps its keys to each
 * gateway's init.
 */
import type { BuiltKind } from '../../bearer/bearer-kind.js';
import { meshcoreBearer } from './create-meshcore-bearer.js';
import type { MeshcoreConfig } from './meshcore-config.js';

/** One gateway per radio; a device string it cannot use throws MeshCoreDeviceSpecError. */
export async function meshcoreBearers(radios: MeshcoreConfig[]): Promise<BuiltKind> {
  return {
    bearers: radios.map((m) => meshcoreBearer({
      name: m.name,
      device: m.device,
      ...(m.channels ? { channels: m.channels.map((c) => ({ index: c.index, name: c.name, ...(c.secretHex !== undefined ? { secretHex: c.secretHex } : {}) })) } : {}),
      ...(m.floodScope ? { floodScope: m.floodScope } : {}),
    })),
  };
}
