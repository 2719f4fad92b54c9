/** What the API shows of a stored bundle: `lattice trace` (BundleView) and the inbox (InboxEntry). */
import { decodeBundle } from '../bundle/bundle-codec.js';
import type { Bundle } from '../bundle/bundle.js';
import { bodyText, openBody } from '../bundle/create-bundle.js';
import type { Identity } from '../identity/identity.js';
import { shortId } from '../identity/short-id.js';
import type { BundleView, InboxEntry, TraceEvent } from '../node/relay-node.js';
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

export function bundleView(identity: Identity, stored: StoredBundle, row: OutboxRow | undefined, trace: TraceEvent[]): BundleView | undefined {
  let b: Bundle;
  try {
    b = decodeBundle(stored.bytes);
  } catch {
    return undefined; // a tombstone of an unreadable bundle
  }
  const to = recipientKey(b);
  let state: BundleView['state'];
  if (row) {
    state = overallState(row);
    // Handed to relays but not (known) to the recipient: "relayed" rather than "delivered".
    if (state === 'delivered' && !row.targets.some((t) => t.peer === to && t.state === 'delivered')) state = 'relayed';
  } else state = stored.expired ? 'expired' : 'received';
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
