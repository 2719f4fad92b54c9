/**
 * The receiver side of the LoRa link ACK: a complete unicast payload is delivered with a settle callback that sends
 * the link ACK once the router made it durable (InFrame.settle 'stored', 'duplicate' or 'handled'). A copy of a
 * payload delivered recently (a retransmission after a slow or lost ACK) is not delivered again: it is ACKed at once
 * when the first copy is durable (the first ACK may be the one that was lost), answered by the first copy's ACK while
 * that one is still being stored, ignored after a refusal, and delivered again after 'not-stored'.
 */
import { createHash } from 'node:crypto';
import type { FrameFate, InFrame } from '../../bearer/bearer.js';
import { prefixKey } from './link-frame.js';

/** Fates after which a unicast payload is ACKed: the next hop holds it durably (or it needed nothing kept). */
export function acknowledged(fate: FrameFate | 'pending'): boolean {
  return fate === 'stored' || fate === 'duplicate' || fate === 'handled';
}

/** How long a delivered payload is remembered, and how many at most. */
const RECENT_MS = 300_000;
const RECENT_MAX = 256;

export interface UnicastDeliveryDeps {
  now(): number;
  /** Puts the 10-byte ACK for `message` to `to` (a sender prefix) on the air. */
  sendAck(to: Uint8Array, message: number): void;
  /** Hands the frame to the bearer's listeners. */
  emit(frame: InFrame): void;
  /** Whether the bearer still runs (no ACK from a stopped one). */
  running(): boolean;
  /** A retransmitted copy was not delivered again. */
  duplicate(): void;
  /** The router could not or would not keep it: no ACK. */
  unacknowledged(fate: FrameFate): void;
}

export class UnicastDelivery {
  /** `<sender prefix>:<message>:<digest>` → when, and the fate its router gave it so far. */
  private readonly recent = new Map<string, { at: number; fate: FrameFate | 'pending' }>();

  constructor(private readonly d: UnicastDeliveryDeps) {}

  /** A complete unicast payload from `from` (its prefix), message number `message`. */
  deliver(frame: InFrame, from: Uint8Array, message: number): void {
    const now = this.d.now();
    // Keyed on the rebuilt wire bytes, so a retry in another on-air form (with our key) is still the same payload.
    const key = `${prefixKey(from)}:${message}:${createHash('sha256').update(frame.bytes).digest('hex').slice(0, 16)}`;
    for (const [k, r] of this.recent) {
      if (now - r.at < RECENT_MS && this.recent.size <= RECENT_MAX) break;
      this.recent.delete(k);
    }
    const seen = this.recent.get(key);
    if (seen && seen.fate !== 'not-stored') {
      this.d.duplicate();
      if (acknowledged(seen.fate)) this.d.sendAck(from, message);
      return;
    }
    const entry = { at: now, fate: 'pending' as FrameFate | 'pending' };
    this.recent.set(key, entry);
    this.d.emit({
      ...frame,
      settle: (fate) => {
        if (entry.fate !== 'pending') return;
        entry.fate = fate;
        if (acknowledged(fate) && this.d.running()) this.d.sendAck(from, message);
        else if (!acknowledged(fate)) this.d.unacknowledged(fate);
      },
    });
  }

  clear(): void {
    this.recent.clear();
  }
}
