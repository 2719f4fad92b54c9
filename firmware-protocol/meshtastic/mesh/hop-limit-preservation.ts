/**
 * Router::shouldDecrementHopLimit (firmware 2.7.26 src/mesh/Router.cpp): a ROUTER or ROUTER_LATE (or CLIENT_BASE)
 * relaying a packet that reached it through one of its favourite routers keeps the hop_limit, so a backbone of
 * routers the operator marked as favourites does not eat the hops of the packets it carries. The first hop always
 * decrements ("to prevent retry issues"). The previous relay is known only by its last byte (relay_node): 2.7.26
 * preserves when ANY favourite router in the NodeDB has that byte (the loop stops at the first match, so the order
 * does not matter); later firmware (2.8) requires the byte to be unambiguous in the whole NodeDB.
 */
import { Config, type Mesh } from '@meshtastic/protobufs';
import { getHopsAway, lastByteOfNodeNum } from './hops.js';
import type { MeshRole } from './role.js';

const Role = Config.Config_DeviceConfig_Role;
const ROUTER_ROLES = new Set<number>([Role.ROUTER, Role.ROUTER_LATE, Role.CLIENT_BASE]);

/** true = relay with hop_limit − 1 (the usual case); false = keep it. `nodes`: the NodeDB, if the directory lists it. */
export function shouldDecrementHopLimit(p: Mesh.MeshPacket, localRole: MeshRole, nodes: Iterable<Mesh.NodeInfo> | undefined): boolean {
  if (getHopsAway(p) === 0) return true; // "First hop MUST always decrement to prevent retry issues"
  if (localRole !== 'ROUTER' && localRole !== 'ROUTER_LATE') return true; // "If local device isn't a router, always decrement"
  if (!nodes) return true;
  for (const node of nodes) {
    if (!node.isFavorite) continue;
    if (!node.user) continue;
    if (!ROUTER_ROLES.has(node.user.role)) continue;
    if (lastByteOfNodeNum(node.num) === p.relayNode) return false; // "Found a favorite router match"
  }
  return true;
}
