/**
 * RelayNode: what the HTTP API and the CLI see of a running relay. The daemon (runtime/daemon) implements it on
 * top of the router and the vault; the API server and the tests depend only on this interface.
 */
import type { BridgeStatus } from '../bridge/bridge.js';
import type { BearerStatus } from '../bearer/bearer.js';
import type { VaultUsage } from '../vault/vault-budget.js';

export type OutboxState = 'queued' | 'accepted' | 'delivered' | 'expired';

export interface PeerSummary {
  /** Node id (64 hex) for Lattice relays, or a foreign address (`mt:!a1b2c3d4`). */
  id: string;
  /** 12-character short id for Lattice relays; the foreign name otherwise. */
  shortId: string;
  name?: string;
  bearers: string[];
  lastSeen: number;
}

export interface NodeStatus {
  version: string;
  nodeId: string;
  shortId: string;
  uptimeSeconds: number;
  peers: PeerSummary[];
  bearers: BearerStatus[];
  outbox: Record<OutboxState, number>;
  inbox: number;
  stored: number;
  /** The vault's disk use against its budget (`vault.maxBytes`), and why it refuses new bundles when it does. */
  vault?: VaultUsage;
  /** The Meshtastic <-> MeshCore bridge, when it runs (runtime/bridge/bridge.ts BridgeStatus). */
  bridge?: BridgeStatus;
}

export interface TraceEvent {
  at: number;
  /** `created`, `received`, `duplicate`, `stored`, `sent`, `accepted`, `delivered`, `expired`, `dropped`, `bridged`... */
  event: string;
  bearer?: string;
  peer?: string;
  detail?: string;
}

export interface BundleView {
  id: string;
  state: OutboxState | 'received' | 'relayed';
  sender: string;
  senderShortId: string;
  origin?: { id: string; name?: string };
  recipient: string;
  sentAt: number;
  expiresAt: number;
  hops: number;
  /** Short ids of the relays that took custody, in order. */
  custody: string[];
  /** Plaintext when this node can read it (broadcast, foreign, or addressed to this node). */
  text?: string;
  events: TraceEvent[];
}

export interface InboxEntry {
  id: string;
  from: string;
  fromShortId: string;
  fromName?: string;
  to: string;
  sentAt: number;
  receivedAt: number;
  text: string;
  hops: number;
}

export interface SendRequest {
  /** A node id (64 hex), a short id of a known peer, `*` / `broadcast`, or a foreign address (`mt:!a1b2c3d4`). */
  to: string;
  text: string;
  lifetimeMs?: number;
}

export interface RelayNode {
  status(): NodeStatus;
  /** Creates, signs (and seals) a bundle, makes it durable, queues it; resolves with its id (64 hex). */
  send(request: SendRequest): Promise<{ bundleId: string }>;
  bundle(id: string): BundleView | undefined;
  inbox(options?: { limit?: number; since?: number }): InboxEntry[];
}

/** Typed errors the API maps to HTTP statuses. */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}
export class UnknownPeerError extends Error {
  override name = 'UnknownPeerError';
  constructor(readonly peer: string) {
    super(`unknown recipient ${JSON.stringify(peer)}: give a node id (64 hex), the short id of a known peer, "*" or a foreign address such as mt:!a1b2c3d4`);
  }
}
