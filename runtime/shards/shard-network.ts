/**
 * ShardNetwork: the seam between the shard store and whatever carries its requests between relays.
 *
 * One request/response pair per operation, all plain CBOR-able objects, so an implementation only has to move
 * `ShardRequest` to a peer and bring back its `ShardResponse`: shard-rpc.ts does it over TCP (length-prefixed CBOR);
 * the relay's IP bearer can do the same; testing/memory-shard-network.ts does it in one process for tests.
 * A request to a peer that is not reachable rejects (ShardRpcError); every request honours `signal`.
 */
import type { ShardRef } from './shard-store.js';

export interface PeerInfo {
  /** Lattice node id (64 hex chars), as in runtime/bearer/bearer.ts PeerId. */
  id: string;
  name?: string;
}

export interface PlacementEntry {
  hash: Uint8Array;
  holders: string[];
}

export type ShardRequest =
  /** Please keep this shard until expiresAt. The receiver checks the bytes against the address it computes. */
  | { op: 'store'; shard: Uint8Array; expiresAt: number; ref?: ShardRef }
  | { op: 'fetch'; hash: Uint8Array }
  /** Proof of storage: send the segment holding byte `offset` of shard `hash` with its Merkle path (shard-hash.ts). */
  | { op: 'challenge'; hash: Uint8Array; offset: number; length: number; nonce: Uint8Array }
  | { op: 'put-manifest'; id: string; bytes: Uint8Array; expiresAt: number }
  | { op: 'get-manifest'; id: string }
  /** Shards moved by a repair: merge into the receiver's placement table. */
  | { op: 'placement'; entries: PlacementEntry[] };

export type StoreResult = 'stored' | 'full' | 'rejected';

export type ShardResponse =
  | { op: 'store'; result: StoreResult }
  | { op: 'fetch'; shard?: Uint8Array }
  | { op: 'challenge'; nonce: Uint8Array; segment: number; bytes: Uint8Array; siblings: Uint8Array[] }
  | { op: 'challenge'; missing: true }
  | { op: 'put-manifest'; ok: boolean }
  | { op: 'get-manifest'; bytes?: Uint8Array }
  | { op: 'placement'; ok: boolean }
  | { op: 'error'; reason: string };

export type ShardRequestHandler = (from: string, req: ShardRequest) => Promise<ShardResponse>;

export interface ShardNetwork {
  /** This relay's node id. */
  readonly self: string;
  /** Relays reachable now (never includes self). */
  peers(): PeerInfo[];
  request(peer: string, req: ShardRequest, opts?: { signal?: AbortSignal }): Promise<ShardResponse>;
  /** Install the handler answering other relays' requests (one per network; a later call replaces it). */
  onRequest(handler: ShardRequestHandler): void;
}
