/**
 * The device roles the mesh honours and what each means for routing (firmware 2.7: FloodingRouter.cpp
 * isRebroadcaster / roleAllowsCancelingDupe, RadioInterface.cpp shouldRebroadcastEarlyLikeRouter,
 * NodeDB.cpp installRoleDefaults, AdminModule.cpp set_config).
 */
import { Config } from '@meshtastic/protobufs';

/** The roles a native node may be configured with. */
export type MeshRoleName = 'CLIENT' | 'CLIENT_MUTE' | 'ROUTER' | 'ROUTER_LATE' | 'REPEATER';
/** The roles the router actually runs: REPEATER is gone (below). */
export type MeshRole = Exclude<MeshRoleName, 'REPEATER'>;

/**
 * AdminModule.cpp (set_config, device): "Router Client and Repeater deprecated; Set it to client" — firmware 2.7
 * stores REPEATER (4) as CLIENT, so a REPEATER here routes, cancels dupes and waits exactly like a CLIENT.
 */
export function effectiveRole(role: MeshRoleName): MeshRole {
  return role === 'REPEATER' ? 'CLIENT' : role;
}

/** The role number as config.proto numbers it (NodeInfo User.role, DeviceConfig.role). */
export function roleNumber(role: MeshRole): Config.Config_DeviceConfig_Role {
  return Config.Config_DeviceConfig_Role[role];
}

/** config.proto DeviceConfig.RebroadcastMode (the modes this router implements). */
export type RebroadcastMode = 'ALL' | 'LOCAL_ONLY' | 'KNOWN_ONLY' | 'NONE' | 'CORE_PORTNUMS_ONLY';

/** NodeDB::installRoleDefaults: a ROUTER gets CORE_PORTNUMS_ONLY; every other role keeps the default ALL. */
export function defaultRebroadcastMode(role: MeshRole): RebroadcastMode {
  return role === 'ROUTER' ? 'CORE_PORTNUMS_ONLY' : 'ALL';
}

/** FloodingRouter::isRebroadcaster. */
export function isRebroadcaster(role: MeshRole, mode: RebroadcastMode): boolean {
  return role !== 'CLIENT_MUTE' && mode !== 'NONE';
}

/** FloodingRouter::roleAllowsCancelingDupe: ROUTER and ROUTER_LATE always rebroadcast once (CLIENT_BASE not offered). */
export function roleAllowsCancelingDupe(role: MeshRole): boolean {
  return role !== 'ROUTER' && role !== 'ROUTER_LATE';
}

/** RadioInterface::shouldRebroadcastEarlyLikeRouter: only ROUTER takes the early window (ROUTER_LATE does not). */
export function rebroadcastsEarly(role: MeshRole): boolean {
  return role === 'ROUTER';
}
