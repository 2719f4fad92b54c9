/**
 * The page's "sent" list: the bundles this node created, whoever sent them (the dashboard's send box, `lattice send`,
 * a message bridged in), read from the vault's `sent` index through RelayNode.sentMessages: it survives a restart
 * and shows each state as the vault knows it (queued → accepted → delivered, `relayed`, or `expired`). Bounded to the
 * newest `capacity`; the index is a range read, so a tick costs the same however much the vault holds.
 */
import type { RelayNode, SentEntry } from '../../node/relay-node.js';

export type SentMessage = SentEntry;

export class SentLog {
  constructor(private readonly capacity = 50) {}

  /** The newest messages with their state now, OLDEST FIRST (the order the page appends in). */
  list(node: RelayNode): SentMessage[] {
    return (node.sentMessages?.({ limit: this.capacity }) ?? []).reverse();
  }
}
