/**
 * The bridge of `lattice run`'s simulated default: when the user configured no bridge (disabled, no mappings), it is
 * turned on between the relay's two native radios (one board, both meshes: `mt-sim` and `mc-sim`) with the mapping
 * most meshes would start with — Meshtastic channel 0 (the primary channel) both ways with MeshCore's public channel
 * — and the rest of the user's (default) settings. A bridge the user configured is left exactly as configured.
 */
import type { BridgeConfig } from '../config/config.js';
import { SIM_MC_NATIVE_BEARER } from './sim-native-meshcore.js';
import { SIM_NATIVE_BEARER } from './sim-native-mesh.js';

export function simBridgeSettings(user: BridgeConfig): BridgeConfig {
  if (user.enabled || user.mappings.length > 0) return user;
  return {
    ...user,
    enabled: true,
    meshtastic: SIM_NATIVE_BEARER,
    meshcore: SIM_MC_NATIVE_BEARER,
    mappings: [{ meshtastic: 0, meshcore: 'public', direction: 'both' }],
  };
}
