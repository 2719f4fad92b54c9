/**
 * Foreign-mesh recipients as the router accepts them from a sender: the forms the gateways deliver to
 * (firmware-protocol/meshtastic/node-id.ts, runtime/bearers/meshcore/peer-address.ts). A malformed one would sit in
 * the vault until it expired, since no gateway can ever reach it; it is refused at send time instead.
 */
import { parseMeshtasticAddress } from '../../firmware-protocol/meshtastic/node-id.js';
import { parseMeshCorePeer } from '../bearers/meshcore/peer-address.js';

/** Whether `to` names a foreign mesh (`mt:` / `mc:`); such a recipient must then pass foreignAddressProblem(). */
export function isForeignAddress(to: string): boolean {
  return /^(mt|mc):/.test(to);
}

/** Why `to` is not a deliverable foreign address, or undefined when it is one. */
export function foreignAddressProblem(to: string): string | undefined {
  try {
    if (to.startsWith('mt:')) parseMeshtasticAddress(to);
    else parseMeshCorePeer(to);
    return undefined;
  } catch (err) {
    return to.startsWith('mt:')
      ? 'a Meshtastic address is mt:!xxxxxxxx (a node number, 8 hex digits, not 0 or ffffffff) or mt:ch:0..7'
      : `a MeshCore address is mc:<public key hex, or an even-length prefix of it> or mc:ch:0..255 (${(err as Error).message})`;
  }
}
