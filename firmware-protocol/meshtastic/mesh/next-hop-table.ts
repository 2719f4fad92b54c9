/**
 * Learned next hops for DMs. The firmware keeps them in the NodeDB (NodeInfoLite.next_hop, saved with it):
 * NextHopRouter::sniffReceived learns one from an ACK or reply, TraceRouteModule::updateNextHops from a traceroute,
 * the last retransmission resets it, NextHopRouter::getNextHop reads it. When the NodeDirectory stores next hops
 * (its optional setNextHop / nextHopOf), every change is written through to it and a node this table has not seen
 * since start is read from it, so next hops survive a restart as on the firmware. Without them (or for a node the
 * directory does not know) the table in memory is the fallback: after a restart DMs flood until the next ACK.
 */
import type { NodeDirectory } from '../device/mesh-port.js';

export class NextHopTable {
  private readonly hops = new Map<number, number>();

  constructor(private readonly directory?: Pick<NodeDirectory, 'setNextHop' | 'nextHopOf'>) {}

  /** The relay byte to address a DM to `num` through, or undefined for none (flood). */
  get(num: number): number | undefined {
    const n = num >>> 0;
    const mem = this.hops.get(n);
    if (mem !== undefined) return mem || undefined;
    const stored = this.directory?.nextHopOf?.(n);
    return stored ? stored & 0xff : undefined;
  }

  /** Learns a next hop; 0 (NO_NEXT_HOP_PREFERENCE) forgets it. */
  set(num: number, relayByte: number): void {
    const n = num >>> 0;
    const b = relayByte & 0xff;
    this.hops.set(n, b); // 0 kept as "none", so a stale stored value is not read back
    this.directory?.setNextHop?.(n, b);
  }

  /** NextHopRouter::doRetransmissions "Also reset it in the nodeDB". */
  clear(num: number): void {
    this.set(num, 0);
  }

  /** Next hops learned or reset since start (the directory holds the rest). */
  entries(): Array<[number, number]> {
    return [...this.hops.entries()].filter(([, b]) => b !== 0);
  }
}
