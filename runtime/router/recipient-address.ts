/**
 * Checks of a sender's recipient beyond "is it known": foreign-mesh addresses in the forms the gateways deliver to
 * (firmware-protocol/meshtastic/node-id.ts, runtime/bearers/meshcore/peer-address.ts), and node ids mistyped as hex of
 * the wrong length. A malformed foreign address would sit in the vault until it expired, since no gateway can ever
 * reach it; it is refused at send time instead (InvalidRecipientError, a 400 from the API).
 */
import { parseMeshtasticAddress } from '../../firmware-protocol/meshtastic/node-id.js';
import { parseMeshCorePeer } from '../bearers/meshcore/peer-address.js';

/**
 * Why a recipient that is no short id (12 base32 characters) looks like a mistyped node id: hex of another length than
 * 64, or 64 characters that are not all hex. Undefined for anything else (an unknown name stays UnknownPeerError).
 */
export function nodeIdShapeProblem(to: string): string | undefined {
  if (/^[0-9a-f]{13,}$/i.test(to)) return `a node id is 64 hex characters, this has ${to.length}`;
  if (to.length === 64 && /^[0-9a-z]+$/i.test(to)) return 'a node id is 64 hex characters (0-9, a-f)';
  return undefined;
}

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
