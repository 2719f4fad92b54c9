/**
 * The bridge of `lattice run`'s simulated default: when the user configured no bridge (disabled, no mappings), it is
 * turned on between the two simulated radios with the mapping most meshes would start with — Meshtastic channel 0
 * (the primary channel) both ways with MeshCore's public channel — and the rest of the user's (default) settings.
 * A bridge the user configured is left exactly as configured.
 */
import type { BridgeConfig } from '../config/config.js';
import { SIM_MESHCORE_BEARER, SIM_MESHTASTIC_BEARER } from './sim-bridged-meshes.js';

export function simBridgeSettings(user: BridgeConfig): BridgeConfig {
  if (user.enabled || user.mappings.length > 0) return user;
  return {
    ...user,
    enabled: true,
    meshtastic: SIM_MESHTASTIC_BEARER,
    meshcore: SIM_MESHCORE_BEARER,
    mappings: [{ meshtastic: 0, meshcore: 'public', direction: 'both' }],
  };
}
