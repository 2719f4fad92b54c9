/**
 * Test support: an in-memory RelayNode that behaves like the daemon's at its interface — it resolves recipients the
 * same way (node id, known short id, broadcast, foreign address; anything else is UnknownPeerError; a node id with no
 * X25519 form or a malformed foreign address is InvalidRecipientError), gives bundles
 * 64-hex ids, keeps a trace per bundle, and pages the inbox the same way (entries received after `since`, the newest
 * `limit` of them, oldest first). Tests script it: addPeer(), receive(), advance(), failNextSend().
 */
import { createHash } from 'node:crypto';
import { VERSION } from '../../version.js';
import type { BearerStatus } from '../../bearer/bearer.js';
import { InvalidPeerKeyError } from '../../identity/errors.js';
import { x25519PublicFromEd25519, x25519SecretFromEd25519Seed, x25519Shared } from '../../identity/x25519-from-ed25519.js';
import { foreignAddressProblem, isForeignAddress, nodeIdShapeProblem } from '../../router/recipient-address.js';
import {
  BadRequestError,
  InvalidRecipientError,
  INBOX_DEFAULT_LIMIT,
  SENT_DEFAULT_LIMIT,
  UnknownPeerError,
  type BundleView,
  type InboxEntry,
  type NodeStatus,
  type OutboxState,
  type PeerSummary,
  type RelayNode,
  type SendRequest,
  type SentEntry,
} from '../../node/relay-node.js';


export interface FakeRelayNodeInit {
  nodeId?: string;
  shortId?: string;
  now?: number;
}

export class FakeRelayNode implements RelayNode {
  readonly nodeId: string;
  readonly shortId: string;
  readonly sent: SendRequest[] = [];
  readonly peers: PeerSummary[] = [];
  readonly bearers: BearerStatus[] = [];
  private readonly bundles = new Map<string, BundleView>();
  private readonly inboxEntries: InboxEntry[] = [];
  private readonly startedAt: number;
  private clock: number;
  private counter = 0;
  private nextSendError: Error | undefined;

  constructor(init: FakeRelayNodeInit = {}) {
    this.nodeId = init.nodeId ?? createHash('sha256').update('fake relay').digest('hex');
    this.shortId = init.shortId ?? 'fakerelay000';
    this.clock = init.now ?? 1_700_000_000_000;
    this.startedAt = this.clock;
  }

  /** Moves the fake clock forward. */
  advance(ms: number): void {
    this.clock += ms;
  }

  now(): number {
    return this.clock;
  }

  addPeer(peer: PeerSummary): void {
    this.peers.push(peer);
  }

  addBearer(status: BearerStatus): void {
    this.bearers.push(status);
  }

  /** A message arriving for this node. */
  receive(entry: Omit<InboxEntry, 'receivedAt' | 'id'> & { id?: string; receivedAt?: number }): InboxEntry {
    const full: InboxEntry = { ...entry, id: entry.id ?? this.newId(entry.text), receivedAt: entry.receivedAt ?? this.clock };
    this.inboxEntries.push(full);
    this.inboxEntries.sort((a, b) => a.receivedAt - b.receivedAt);
    return full;
  }

  /** Moves a bundle this node sent to a new state, recording the event. */
  setState(id: string, state: OutboxState, event: { bearer?: string; peer?: string; custody?: string } = {}): void {
    const b = this.bundles.get(id);
    if (!b) throw new Error(`no bundle ${id}`);
    b.state = state;
    if (event.custody) {
      b.custody.push(event.custody);
      b.hops++;
    }
    b.events.push({ at: this.clock, event: state, bearer: event.bearer, peer: event.peer });
  }

  /** The next send() rejects with `err` (a bug or I/O failure inside the daemon). */
  failNextSend(err: Error): void {
    this.nextSendError = err;
  }

  status(): NodeStatus {
    const outbox: Record<OutboxState, number> = { queued: 0, accepted: 0, delivered: 0, expired: 0 };
    for (const b of this.bundles.values()) if (b.state in outbox) outbox[b.state as OutboxState]++;
    return {
      version: VERSION,
      nodeId: this.nodeId,
      shortId: this.shortId,
      uptimeSeconds: Math.floor((this.clock - this.startedAt) / 1000),
      peers: this.peers.map((p) => ({ ...p, bearers: [...p.bearers] })),
      bearers: this.bearers.map((b) => ({ ...b, peers: [...b.peers] })),
      outbox,
      inbox: this.inboxEntries.length,
      stored: this.bundles.size,
    };
  }

  async send(request: SendRequest): Promise<{ bundleId: string }> {
    if (this.nextSendError) {
      const err = this.nextSendError;
      this.nextSendError = undefined;
      throw err;
    }
    if (request.text === '') throw new BadRequestError('empty text');
    const recipient = this.resolve(request.to);
    this.sent.push(request);
    const id = this.newId(`${recipient}\n${request.text}`);
    const lifetime = request.lifetimeMs ?? 7 * 24 * 3600 * 1000;
    this.bundles.set(id, {
      id,
      state: 'queued',
      sender: this.nodeId,
      senderShortId: this.shortId,
      recipient,
      sentAt: this.clock,
      expiresAt: this.clock + lifetime,
      hops: 0,
      custody: [],
      text: request.text,
      events: [{ at: this.clock, event: 'created' }, { at: this.clock, event: 'stored' }],
    });
    return { bundleId: id };
  }

  bundle(id: string): BundleView | undefined {
    const b = this.bundles.get(id);
    return b && structuredClone(b);
  }

  sentMessages(options: { limit?: number } = {}): SentEntry[] {
    const own = [...this.bundles.values()].filter((b) => b.sender === this.nodeId);
    return own.slice(-(options.limit ?? SENT_DEFAULT_LIMIT)).reverse().map((b) => ({
      id: b.id, to: b.recipient, sentAt: b.sentAt, state: b.state === 'received' ? 'delivered' : b.state, ...(b.text !== undefined ? { text: b.text } : {}),
    }));
  }

  inbox(options: { limit?: number; since?: number } = {}): InboxEntry[] {
    const after = options.since === undefined ? this.inboxEntries : this.inboxEntries.filter((e) => e.receivedAt > options.since!);
    return after.slice(-(options.limit ?? INBOX_DEFAULT_LIMIT)).map((e) => ({ ...e }));
  }

  private resolve(to: string): string {
    const t = to.trim();
    if (t === '*' || t.toLowerCase() === 'broadcast') return '*';
    if (/^[0-9a-f]{64}$/i.test(t)) {
      // The router seals to the key: the same derivation refuses what it would.
      try {
        x25519Shared(x25519SecretFromEd25519Seed(new Uint8Array(32)), x25519PublicFromEd25519(Buffer.from(t, 'hex')));
      } catch (err) {
        if (err instanceof InvalidPeerKeyError) throw new InvalidRecipientError(to, `not a node's public key (${err.message})`);
        throw err;
      }
      return t.toLowerCase();
    }
    if (isForeignAddress(t)) {
      const problem = foreignAddressProblem(t);
      if (problem) throw new InvalidRecipientError(to, problem);
      return t;
    }
    const peer = this.peers.find((p) => p.shortId === t || p.id === t);
    if (peer) return peer.id;
    const problem = /^[a-z2-7]{12}$/i.test(t) ? undefined : nodeIdShapeProblem(t);
    if (problem) throw new InvalidRecipientError(to, problem);
    throw new UnknownPeerError(to);
  }

  private newId(seed: string): string {
    return createHash('sha256').update(`${this.nodeId}\n${this.clock}\n${this.counter++}\n${seed}`).digest('hex');
  }
}
