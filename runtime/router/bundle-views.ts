/** What the API shows of a stored bundle: `lattice trace` (BundleView) and the inbox (InboxEntry). */
import { decodeBundle } from '../bundle/bundle-codec.js';
import type { Bundle } from '../bundle/bundle.js';
import { bodyText, openBody } from '../bundle/create-bundle.js';
import { SealError } from '../bundle/errors.js';
import { openOwnCompactSealed } from '../bundle/compact-seal.js';
import { openOwnSealed } from '../bundle/seal.js';
import { msToStamp } from '../bundle/stamp.js';
import type { Identity } from '../identity/identity.js';
import { shortId } from '../identity/short-id.js';
import type { BundleView, InboxEntry, SentEntry, TraceEvent } from '../node/relay-node.js';
import { senderAuthOf } from './sender-auth-view.js';
import { overallState, type OutboxRow } from '../vault/outbox.js';
import type { StoredBundle } from '../vault/vault.js';
import { hex } from '../vault/vault-keys.js';
import { recipientKey } from './route-plan.js';

function readable(identity: Identity, b: Bundle): string | undefined {
  try {
    return bodyText(openBody(identity, b));
  } catch {
    return undefined;
  }
}

/** The state the API shows for an outbox row: "relayed" when handed to relays but not known at the recipient. */
function shownState(to: string, row: OutboxRow | undefined, expired: boolean): BundleView['state'] {
  if (!row) return expired ? 'expired' : 'received';
  const state = overallState(row);
  if (state === 'delivered' && !row.targets.some((t) => t.peer === to && t.state === 'delivered')) return 'relayed';
  return state;
}

export function bundleView(identity: Identity, stored: StoredBundle, row: OutboxRow | undefined, trace: TraceEvent[]): BundleView | undefined {
  let b: Bundle;
  try {
    b = decodeBundle(stored.bytes);
  } catch {
    return undefined; // a tombstone of an unreadable bundle
  }
  const to = recipientKey(b);
  // Handed to relays but not (known) to the recipient: "relayed" rather than "delivered".
  const state = shownState(to, row, stored.expired);
  const events: TraceEvent[] = [
    { at: stored.receivedAt, event: stored.created ? 'created' : 'received', ...(stored.bearer ? { bearer: stored.bearer } : {}), ...(stored.from ? { peer: stored.from } : {}) },
    { at: stored.receivedAt, event: 'stored' },
    ...trace,
  ];
  const view: BundleView = {
    id: hex(stored.id),
    state,
    sender: hex(b.sender),
    senderShortId: shortId(b.sender),
    recipient: to,
    sentAt: b.sentAt,
    expiresAt: b.sentAt + b.lifetime,
    hops: b.hops,
    custody: [...b.custody],
    events,
  };
  if (b.origin) view.origin = { ...b.origin };
  if (!stored.expired) {
    const text = readable(identity, b);
    if (text !== undefined) view.text = text;
  }
  return view;
}

/** `events`: the bundle's trace, read only when the verdict depends on it (a v2 broadcast). */
export function inboxEntry(identity: Identity, stored: StoredBundle, events: () => readonly TraceEvent[] = () => []): InboxEntry | undefined {
  let b: Bundle;
  try {
    b = decodeBundle(stored.bytes);
  } catch {
    return undefined;
  }
  const text = readable(identity, b);
  if (text === undefined) return undefined;
  const entry: InboxEntry = {
    id: hex(stored.id),
    from: b.origin?.id ?? hex(b.sender),
    fromShortId: shortId(b.sender),
    to: recipientKey(b),
    sentAt: b.sentAt,
    receivedAt: stored.receivedAt,
    text,
    hops: b.hops,
    senderAuth: senderAuthOf(b, events),
  };
  if (b.origin?.name) entry.fromName = b.origin.name;
  return entry;
}

/** What does not change about a sent bundle (the router caches it; the state is read fresh each time). */
export type SentFixed = Omit<SentEntry, 'state'>;

/** Our own bundle's fixed part; its text too, sealed ones included (we sealed them: openOwnSealed). */
export function sentFixed(identity: Identity, stored: StoredBundle): SentFixed | undefined {
  let b: Bundle;
  try {
    b = decodeBundle(stored.bytes);
  } catch {
    return undefined;
  }
  const fixed: SentFixed = { id: hex(stored.id), to: recipientKey(b), sentAt: b.sentAt };
  if (b.origin) fixed.origin = { ...b.origin };
  if (!stored.expired && b.body.length > 0) {
    try {
      fixed.text = bodyText(openOwn(identity, b));
    } catch {
      // Not readable (not sealed by this identity: a data dir restored under another key): listed without text.
    }
  }
  return fixed;
}

/** Our own bundle's body: sealed ones (classic or v2 compact) opened with the sender-side key. */
function openOwn(identity: Identity, b: Bundle): Uint8Array {
  if (!b.sealed || !(b.recipient instanceof Uint8Array)) return openBody(identity, b);
  if (!b.compactSeal) return openOwnSealed(identity, b.recipient, b.sentAt, b.body);
  // A v2 DM (the simulated default and any v2 LoRa relay): its nonce is the stamp, sentAt in whole seconds.
  const stamp = msToStamp(b.sentAt);
  if (stamp === undefined) throw new SealError('compact-sealed body without a whole-second sentAt');
  return openOwnCompactSealed(identity, b.recipient, stamp, b.body);
}

export function sentState(fixed: SentFixed, row: OutboxRow | undefined, expired: boolean): SentEntry['state'] {
  const s = shownState(fixed.to, row, expired);
  // A created bundle with no outbox row (nothing to forward: addressed to ourselves) has nothing left to do.
  return s === 'received' ? 'delivered' : s;
}
