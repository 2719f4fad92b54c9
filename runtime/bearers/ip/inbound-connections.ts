/**
 * Bounds on inbound TCP connections (PROTOCOL.md, "Limits"). Each holds a decoder buffer of one maximum frame
 * (stream-codec.ts, ~65 KB), so their number is their memory:
 *
 * - at most `handshaking` connections mid-handshake at once, and `handshakingPerAddress` from one source address
 *   (TCP sources cannot be spoofed off-path: one host cannot take every handshake slot);
 * - at most `perPeer` authenticated connections per node: each relay dials one connection to each peer and replaces
 *   it when it breaks, so a newer one makes the oldest redundant and it is closed (`tcp-replaced`);
 * - at most `total` authenticated connections: past that, a newcomer closes the oldest connection of an unproven
 *   relay (admission.ts), or is refused (`tcp-busy`).
 */
export interface ConnectionLimits {
  handshaking: number;
  handshakingPerAddress: number;
  perPeer: number;
  total: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { handshaking: 32, handshakingPerAddress: 4, perPeer: 2, total: 256 };

export type ConnectionRefusal = 'tcp-busy' | 'tcp-busy-address';

export class InboundConnections<C> {
  private readonly handshakingBy = new Map<string, number>();
  private handshakingTotal = 0;
  /** Authenticated connections in the order they opened (oldest first), with their peer. */
  private readonly open = new Map<C, string>();

  constructor(private readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS) {}

  /** A new inbound connection from `address`: may it start a handshake? Undefined: yes (and it is counted). */
  startHandshake(address: string): ConnectionRefusal | undefined {
    if (this.handshakingTotal >= this.limits.handshaking) return 'tcp-busy';
    const n = this.handshakingBy.get(address) ?? 0;
    if (n >= this.limits.handshakingPerAddress) return 'tcp-busy-address';
    this.handshakingBy.set(address, n + 1);
    this.handshakingTotal++;
    return undefined;
  }

  /** The handshake of a connection from `address` ended (authenticated, failed or closed). */
  endHandshake(address: string): void {
    const n = (this.handshakingBy.get(address) ?? 0) - 1;
    if (n > 0) this.handshakingBy.set(address, n);
    else this.handshakingBy.delete(address);
    this.handshakingTotal = Math.max(0, this.handshakingTotal - 1);
  }

  /**
   * `conn` authenticated as `peer`. Returns the connections to close to make room (its peer's oldest, or the oldest
   * of an unprotected peer), or a refusal when there is no room for it.
   */
  opened(peer: string, conn: C, isProtected: (peer: string) => boolean): C[] | ConnectionRefusal {
    const close: C[] = [];
    const mine = [...this.open].filter(([, p]) => p === peer).map(([c]) => c);
    while (mine.length >= this.limits.perPeer) close.push(mine.shift()!);
    if (this.open.size - close.length >= this.limits.total) {
      let victim: C | undefined;
      for (const [c, p] of this.open) {
        if (!close.includes(c) && !isProtected(p)) {
          victim = c;
          break;
        }
      }
      if (victim === undefined) return 'tcp-busy';
      close.push(victim);
    }
    for (const c of close) this.open.delete(c);
    this.open.set(conn, peer);
    return close;
  }

  closed(conn: C): void {
    this.open.delete(conn);
  }

  get handshaking(): number {
    return this.handshakingTotal;
  }

  get authenticated(): number {
    return this.open.size;
  }
}
