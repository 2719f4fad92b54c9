/**
 * What unfinished input peers may make this relay hold (PROTOCOL.md, "Limits"). Issue 11: with its own key and one
 * HELLO, a host took a relay from 64 to 1,505 MB RSS with 40 connections each holding an unfinished 31 MiB shard
 * message. Three rules:
 *
 * - **Bytes in flight**: bytes of shard messages still being reassembled (shard-fragments.ts) are charged to their
 *   peer and to the relay; a fragment that would take a peer over `perPeerBytes`, or everyone over `totalBytes`,
 *   drops that message (its remaining fragments are skipped, `shard-over-budget`). One maximum message fits a peer's
 *   budget, so an honest relay's biggest manifest still arrives while the relay is not under attack.
 * - **Partial frames and messages time out**: a connection holding a partial stream frame or a partial shard
 *   message that gets no byte for `idleMs`, or that averages less than `minBytesPerSecond` from its first byte
 *   (after `idleMs` of grace), is closed (`tcp-partial-timeout`).
 * - **Connections**: see inbound-connections.ts.
 */
import { MAX_SHARD_MESSAGE_BYTES, SHARD_FRAGMENT_BYTES } from './shard-fragments.js';

export interface InboundLimits {
  /** Bytes of unfinished shard messages one peer may make us hold, over all its connections. */
  perPeerBytes: number;
  /** The same over all peers. */
  totalBytes: number;
  /** A partial frame or message with no new byte for this long is dropped with its connection. */
  idleMs: number;
  /** ...as is one that averages less than this from its first byte, once `idleMs` has passed. */
  minBytesPerSecond: number;
}

export const DEFAULT_INBOUND_LIMITS: InboundLimits = {
  perPeerBytes: MAX_SHARD_MESSAGE_BYTES + SHARD_FRAGMENT_BYTES,
  totalBytes: 64 * 2 ** 20,
  idleMs: 30_000,
  // 128 kbit/s: a 32 MiB manifest may take 35 minutes, a trickle of a byte a second may not hold memory.
  minBytesPerSecond: 16 * 1024,
};

/** Bytes held per peer and in total. */
export class InboundBudget {
  private readonly byPeer = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: Pick<InboundLimits, 'perPeerBytes' | 'totalBytes'>) {}

  /** Charges `n` bytes to `peer`; false (nothing charged) when that would go over either budget. */
  take(peer: string, n: number): boolean {
    const mine = this.byPeer.get(peer) ?? 0;
    if (mine + n > this.limits.perPeerBytes || this.total + n > this.limits.totalBytes) return false;
    this.byPeer.set(peer, mine + n);
    this.total += n;
    return true;
  }

  give(peer: string, n: number): void {
    if (n <= 0) return;
    const left = (this.byPeer.get(peer) ?? 0) - n;
    if (left > 0) this.byPeer.set(peer, left);
    else this.byPeer.delete(peer);
    this.total = Math.max(0, this.total - n);
  }

  held(peer?: string): number {
    return peer === undefined ? this.total : (this.byPeer.get(peer) ?? 0);
  }

  /** A budget view for one peer, as ShardReassembler takes it. */
  forPeer(peer: string): { take(n: number): boolean; give(n: number): void } {
    return { take: (n) => this.take(peer, n), give: (n) => this.give(peer, n) };
  }
}

/** How long one connection has been holding partial input, and how fast it arrives. */
export class PartialClock {
  private held = false;
  /** When the current partial input began, when its last byte came, and how many bytes it got. */
  private since = 0;
  private last = 0;
  private bytes = 0;

  /**
   * After each chunk: `received` bytes arrived, `holding` whether a partial frame or message is still held
   * afterwards. A chunk that completes everything stops the clock.
   */
  progress(now: number, received: number, holding: boolean): void {
    if (!holding) {
      this.held = false;
      return;
    }
    if (!this.held) {
      this.held = true;
      this.since = now;
      this.bytes = 0;
    }
    this.last = now;
    this.bytes += received;
  }

  /** Whether a partial frame or message is held (its deadline runs). */
  get holding(): boolean {
    return this.held;
  }

  /** Why the held input is too slow now, or undefined. */
  expired(now: number, limits: Pick<InboundLimits, 'idleMs' | 'minBytesPerSecond'>): 'idle' | 'slow' | undefined {
    if (!this.held) return undefined;
    if (now - this.last > limits.idleMs) return 'idle';
    if (limits.minBytesPerSecond > 0 && now - this.since > limits.idleMs + (this.bytes / limits.minBytesPerSecond) * 1000) return 'slow';
    return undefined;
  }
}
