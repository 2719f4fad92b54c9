/**
 * The messages sent through this API (the dashboard's send box, `lattice send`), newest last, so the page can show
 * our own messages with their state next to the inbox. Only ids and what was asked are kept here; the state is read
 * from the relay (RelayNode.bundle) each time, so it is the vault's truth (queued → accepted → delivered, or
 * expired). In memory and bounded: after a restart the list starts empty (the bundles themselves are in the vault).
 */
import type { OutboxState, RelayNode } from '../../node/relay-node.js';

export interface SentMessage {
  id: string;
  to: string;
  text: string;
  sentAt: number;
  /** `unknown` when the relay no longer holds the bundle (expired and swept). */
  state: OutboxState | 'received' | 'relayed' | 'unknown';
}

export class SentLog {
  private readonly entries: Array<{ id: string; to: string; text: string; sentAt: number }> = [];

  constructor(private readonly capacity = 100) {}

  add(entry: { id: string; to: string; text: string; sentAt: number }): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  /** Every kept message with its state now, oldest first. */
  list(node: RelayNode): SentMessage[] {
    return this.entries.map((e) => ({ ...e, state: node.bundle(e.id)?.state ?? 'unknown' }));
  }
}
