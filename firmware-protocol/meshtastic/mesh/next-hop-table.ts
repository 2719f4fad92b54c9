/**
 * Learned next hops for DMs (firmware keeps NodeInfoLite.next_hop in the NodeDB; NextHopRouter::sniffReceived learns
 * it from ACKs and replies, TraceRouteModule::updateNextHops from traceroute results, and the last retransmission
 * resets it). The NodeDirectory seam carries no next hop, so the router keeps them here, in memory: a restart falls
 * back to flooding until the next ACK, which is what the firmware does for a node it has not learned yet.
 */
export class NextHopTable {
  private readonly hops = new Map<number, number>();

  get(num: number): number | undefined {
    return this.hops.get(num >>> 0);
  }

  set(num: number, relayByte: number): void {
    if (relayByte === 0) this.hops.delete(num >>> 0);
    else this.hops.set(num >>> 0, relayByte & 0xff);
  }

  clear(num: number): void {
    this.hops.delete(num >>> 0);
  }

  entries(): Array<[number, number]> {
    return [...this.hops.entries()];
  }
}
