/**
 * The outbound queue, as src/helpers/StaticPoolPacketManager.cpp PacketQueue: a fixed number of entries (the packet
 * pool: 32 on the repeater, 16 on the companion); get(now) takes, among the entries already due, the one of lowest
 * priority number, the earliest queued first among equals (the firmware's strict `<` scan in insertion order, not a
 * sort by due time). A full queue refuses the packet (queueOutbound frees it), and the caller counts the drop.
 */
import type { McPacket } from '../ota/packet.js';

export interface QueuedPacket {
  packet: McPacket;
  priority: number;
  /** Clock ms at which it may go. */
  scheduledFor: number;
  /** A retransmission of someone else's packet (MeshCounters.forwarded). */
  forwarded: boolean;
}

export class TxQueue {
  private readonly entries: QueuedPacket[] = [];

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.entries.length;
  }

  /** False when full (the packet is dropped). */
  add(entry: QueuedPacket): boolean {
    if (this.entries.length >= this.capacity) return false;
    this.entries.push(entry);
    return true;
  }

  /** PacketQueue::countBefore. */
  countDue(now: number): number {
    let n = 0;
    for (const e of this.entries) if (e.scheduledFor <= now) n++;
    return n;
  }

  /** The earliest time an entry becomes due, or undefined when empty. */
  earliestDue(): number | undefined {
    let t: number | undefined;
    for (const e of this.entries) if (t === undefined || e.scheduledFor < t) t = e.scheduledFor;
    return t;
  }

  /** PacketQueue::get. */
  take(now: number): QueuedPacket | undefined {
    let best = -1;
    let minPri = Infinity;
    for (let j = 0; j < this.entries.length; j++) {
      const e = this.entries[j];
      if (e.scheduledFor > now) continue;
      if (e.priority < minPri) {
        minPri = e.priority;
        best = j;
      }
    }
    if (best < 0) return undefined;
    return this.entries.splice(best, 1)[0];
  }

  clear(): void {
    this.entries.length = 0;
  }
}
