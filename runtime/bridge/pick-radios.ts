/**
 * The bridge's two radios: the gateways the config names (`bridge.meshtastic`, `bridge.meshcore`: bearer names), or
 * the first radio gateway of each mesh. Any RadioGateway counts (runtime/bearer/radio-gateway.ts): a companion radio
 * today, a native stack on the relay's own SX126x tomorrow.
 */
import type { Bearer } from '../bearer/bearer.js';
import { isRadioGateway, type MeshKind, type RadioGateway } from '../bearer/radio-gateway.js';
import type { BridgeConfig } from '../config/config.js';
import type { MeshNet } from './attribution.js';
import { BridgeRadioMissingError } from './errors.js';

export function pickRadios(bearers: readonly Bearer[], settings: Pick<BridgeConfig, 'meshtastic' | 'meshcore'>): Record<MeshNet, RadioGateway> {
  return { mt: pick(bearers, 'meshtastic', settings.meshtastic), mc: pick(bearers, 'meshcore', settings.meshcore) };
}

function pick(bearers: readonly Bearer[], mesh: MeshKind, name: string | undefined): RadioGateway {
  const b = bearers.find((x) => (name ? x.name === name : isRadioGateway(x) && x.mesh === mesh));
  if (!b || !isRadioGateway(b) || b.mesh !== mesh) throw new BridgeRadioMissingError(mesh, name);
  return b;
}
