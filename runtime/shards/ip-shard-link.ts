/**
 * The IP bearer as a ShardMessageLink (link-shard-network.ts): shard requests and responses ride the bearer's
 * authenticated TCP connections as SHARD stream frames (runtime/bearers/ip/PROTOCOL.md, "Shard messages"), the
 * sender is the node id the TCP handshake proved, and the relays shards may go to are the bearer's online peers.
 * Typed structurally so the shard store does not import the bearer (the daemon hands the IpBearer in).
 */
import type { PeerInfo } from './shard-network.js';
import type { ShardMessageLink } from './link-shard-network.js';

/** What runtime/bearers/ip/ip-bearer.ts IpBearer offers for shard traffic. */
export interface ShardCarrier {
  relayPeers(): PeerInfo[];
  sendShard(peer: string, message: Uint8Array, options?: { signal?: AbortSignal }): Promise<boolean>;
  onShardMessage(handler: (from: string, message: Uint8Array) => void): () => void;
}

export function isShardCarrier<T>(x: T): x is T & ShardCarrier {
  const c = x as Partial<ShardCarrier> | null;
  return typeof c === 'object' && c !== null && typeof c.relayPeers === 'function' && typeof c.sendShard === 'function' && typeof c.onShardMessage === 'function';
}

/** `self` is this relay's node id (64 hex). `close()` unsubscribes from the bearer. */
export function ipShardLink(carrier: ShardCarrier, self: string): ShardMessageLink & { close(): void } {
  let off: (() => void) | undefined;
  return {
    self,
    peers: () => carrier.relayPeers(),
    send: (peer, message) => carrier.sendShard(peer, message),
    onMessage(handler) {
      off?.();
      off = carrier.onShardMessage(handler);
    },
    close() {
      off?.();
      off = undefined;
    },
  };
}
