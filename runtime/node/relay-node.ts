/**
 * RelayNode: what the HTTP API and the CLI see of a running relay. The daemon (runtime/daemon) implements it on
 * top of the router and the vault; the API server and the tests depend only on this interface.
 */
import type { BridgeStatus } from '../bridge/bridge.js';
import type { BearerStatus } from '../bearer/bearer.js';
import type { VaultUsage } from '../vault/vault-budget.js';
import type { RadioInfo } from '../bearer/radio-gateway.js';
import type { PowerView } from '../power/power-runtime.js';

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
  /** The mesh radios (runtime/bearer/radio-gateway.ts RadioInfo), when the relay drives any. */
  radios?: RadioInfo[];
  /** The Meshtastic <-> MeshCore bridge, when it runs (runtime/bridge/bridge.ts BridgeStatus). */
  bridge?: BridgeStatus;
  /** Battery and panel, when a power monitor runs (runtime/power/power-runtime.ts PowerView). */
  power?: PowerView;
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
  /** Who sent it, as far as this relay can tell (router/sender-auth-view.ts): verified | pending | failed |
   * unverifiable | unsigned. A v2 LoRa broadcast is `pending` until its origin discloses the key, then updated.
   * Always set by the daemon; optional for fakes of older shape. */
  senderAuth?: 'verified' | 'pending' | 'failed' | 'unverifiable' | 'unsigned';
}

/** A bundle this node created (sent from here any way: API, CLI, bridge), as the vault knows it now. */
export interface SentEntry {
  id: string;
  /** Recipient: a node id (64 hex), `*`, or a foreign address. */
  to: string;
  /** The text, while the body is kept (absent once the bundle expired or was evicted: the tombstone has no body). */
  text?: string;
  /** Foreign sender, for a message bridged in from another mesh. */
  origin?: { id: string; name?: string };
  sentAt: number;
  /** `relayed`: handed to relays but not (known to be) at the recipient (as BundleView.state). */
  state: OutboxState | 'relayed';
}

/** How many sent messages sentMessages() returns when no limit is given. */
export const SENT_DEFAULT_LIMIT = 50;

export interface SendRequest {
  /** A node id (64 hex), a short id of a known peer, `*` / `broadcast`, or a foreign address (`mt:!a1b2c3d4`). */
  to: string;
  text: string;
  lifetimeMs?: number;
}

/** How many inbox entries inbox() returns when no limit is given (the API's and the CLI's default too). */
export const INBOX_DEFAULT_LIMIT = 50;

/** The contract suite runtime/node/testing/relay-node-suite.ts checks these promises on the daemon and on the fake. */
export interface RelayNode {
  status(): NodeStatus;
  /** Creates, signs (and seals) a bundle, makes it durable, queues it; resolves with its id (64 hex). Rejects with
   * UnknownPeerError for a recipient it cannot resolve. */
  send(request: SendRequest): Promise<{ bundleId: string }>;
  /** The bundle with this id (64 hex), or undefined when the node does not hold it. */
  bundle(id: string): BundleView | undefined;
  /**
   * Messages received for this node (and broadcasts it can read): those received strictly after `since` (epoch ms),
   * the newest `limit` of them (default INBOX_DEFAULT_LIMIT), listed OLDEST FIRST — the order `lattice inbox` prints
   * and `--follow` appends in. Asking again with `since` = the newest `receivedAt` seen returns only what came later.
   */
  inbox(options?: { limit?: number; since?: number }): InboxEntry[];
  /** The newest `limit` (default SENT_DEFAULT_LIMIT) bundles this node created, NEWEST FIRST, from the vault's
   * `sent` index (so they survive a restart, whoever sent them). Optional: a node without it lists none. */
  sentMessages?(options?: { limit?: number }): SentEntry[];
  /** Whether the relay's event loop turns (runtime/daemon/watchdog/loop-monitor.ts); GET /health answers 503 when
   * not. Optional: a node without it is healthy while it answers. */
  health?(): { ok: boolean };
}

/** Typed errors the API maps to HTTP statuses. */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}
/**
 * A recipient that has the form of an address but cannot be one: a node id that is no Ed25519 public key with an
 * X25519 form (not a curve point, the neutral point, a low-order key), or a malformed `mt:`/`mc:` address.
 */
export class InvalidRecipientError extends BadRequestError {
  override name = 'InvalidRecipientError';
  constructor(readonly recipient: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`recipient ${JSON.stringify(recipient.slice(0, 80))} is not a valid address: ${reason}`, options);
  }
}
export class UnknownPeerError extends Error {
  override name = 'UnknownPeerError';
  constructor(readonly peer: string) {
    super(`unknown recipient ${JSON.stringify(peer)}: give a node id (64 hex), the short id of a known peer, "*" or a foreign address such as mt:!a1b2c3d4`);
  }
}
