/**
 * Outbox rows: per bundle, one entry per next hop / target with its own state machine
 *
 *   queued ──(sync bearer accepted)──────────────► delivered
 *   queued ──(async bearer accepted)──► accepted ──(recipient's delivery bloom)──► delivered
 *   queued / accepted ──(lifetime over)──► expired
 *
 * A bloom from the final recipient also retires rows still queued (it got the bundle another way). The bundle's
 * overall state is the least advanced of its targets, so a bundle counts as delivered only when every target is.
 */
import type { OutboxState } from '../node/relay-node.js';

export type { OutboxState };
export const OUTBOX_STATES: readonly OutboxState[] = ['queued', 'accepted', 'delivered', 'expired'];

export interface OutboxTarget {
  /** Next hop or final recipient: a node id (64 hex), a foreign address, or `*`. */
  peer: string;
  state: OutboxState;
  /** Bearer(s) that accepted it, comma-separated. */
  bearer?: string;
  /** Time of the last state change. */
  at: number;
  /** Send attempts so far. */
  tries: number;
}

export interface OutboxRow {
  targets: OutboxTarget[];
  /** Earliest time the retry loop should try queued targets again. */
  nextTryAt: number;
}

const RANK: Record<OutboxState, number> = { queued: 0, accepted: 1, delivered: 2, expired: 3 };

/** The bundle's state: queued if any target is queued, else accepted if any is, else delivered/expired. */
export function overallState(row: OutboxRow): OutboxState {
  if (row.targets.length === 0) return 'queued';
  let best: OutboxState = 'expired';
  for (const t of row.targets) if (RANK[t.state] < RANK[best]) best = t.state;
  return best;
}

export function isOutboxRow(v: unknown): v is OutboxRow {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as OutboxRow;
  return Array.isArray(r.targets) && typeof r.nextTryAt === 'number' &&
    r.targets.every((t) => typeof t === 'object' && t !== null && typeof t.peer === 'string' && RANK[t.state] !== undefined);
}
