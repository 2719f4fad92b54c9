/**
 * Which bearer addresses a Meshtastic radio can reach now — the same rule for a companion radio and the native node:
 * `*` when a broadcast channel is configured and enabled, `mt:ch:N` when channel N is enabled, `mt:!node` for another
 * node whose public key we hold (since firmware 2.7.19 a DM needs PKI: Router.cpp perhapsEncode).
 */
import { parseMeshtasticAddress } from '../../../firmware-protocol/meshtastic/node-id.js';
import type { PeerId } from '../../bearer/bearer.js';

export interface ReachView {
  broadcastChannel?: number;
  hasChannel(index: number): boolean;
  /** Our own node number (a DM to ourselves is not a send). */
  self?: number;
  hasPublicKey(num: number): boolean;
}

export function meshtasticReach(peer: PeerId, v: ReachView): boolean {
  if (peer === '*') return v.broadcastChannel !== undefined && v.hasChannel(v.broadcastChannel);
  let addr;
  try {
    addr = parseMeshtasticAddress(peer);
  } catch {
    return false;
  }
  if (addr.kind === 'channel') return v.hasChannel(addr.index);
  return addr.num !== v.self && v.hasPublicKey(addr.num);
}
