/**
 * The transmit queue (firmware src/mesh/MeshPacketQueue.cpp, RadioInterface.h MAX_TX_QUEUE 16): ordered by priority,
 * packets in the late rebroadcast window (tx_after set) behind all others, and at equal priority relayed packets before
 * our own. A full queue makes room only by evicting a lower-priority packet (replaceLowerPriorityPacket).
 */
import type { Mesh } from '@meshtastic/protobufs';

/** RadioInterface.h MAX_TX_QUEUE. */
export const MAX_TX_QUEUE = 16;

export interface QueuedPacket {
  /** The packet as it will go on air (encrypted form, header fields final). */
  packet: Mesh.MeshPacket;
  /** The frame bytes (header + payload) as encodeOtaFrame made them. */
  frame: Uint8Array;
  /** Clock time before which it must not go (the late rebroadcast window); 0 = no such limit (MeshPacket.tx_after). */
  txAfter: number;
  /** SNR / RSSI it was heard with, for a relayed packet (0/0 = generated here: RadioLibInterface::setTransmitDelay). */
  rxSnr: number;
  rxRssi: number;
  /** Airtime of the frame in ms (for the retransmission timers and the airtime ledger). */
  airtimeMs: number;
  fromUs: boolean;
}

/** CompareMeshPacketFunc: true if a goes before b. */
function before(a: QueuedPacket, b: QueuedPacket): boolean {
  if ((a.txAfter !== 0) !== (b.txAfter !== 0)) return a.txAfter === 0;
  const ap = a.packet.priority;
  const bp = b.packet.priority;
  return ap !== bp ? ap > bp : !a.fromUs && b.fromUs;
}

export class TxQueue {
  private readonly queue: QueuedPacket[] = [];

  constructor(readonly maxLen = MAX_TX_QUEUE) {}

  get length(): number {
    return this.queue.length;
  }

  get free(): number {
    return this.maxLen - this.queue.length;
  }

  /** MeshPacketQueue::enqueue: `evicted` is the packet dropped to make room; `ok` false when the queue stays full. */
  enqueue(p: QueuedPacket, now: number): { ok: boolean; evicted?: QueuedPacket; full: boolean } {
    if (this.queue.length >= this.maxLen) {
      const evicted = this.replaceLowerPriority(p, now);
      return evicted ? { ok: true, evicted, full: true } : { ok: false, full: true };
    }
    this.insertOrdered(p);
    return { ok: true, full: false };
  }

  front(): QueuedPacket | undefined {
    return this.queue[0];
  }

  dequeue(): QueuedPacket | undefined {
    return this.queue.shift();
  }

  find(from: number, id: number): QueuedPacket | undefined {
    return this.queue.find((q) => q.packet.from === from && q.packet.id === id);
  }

  /**
   * MeshPacketQueue::remove: the first (from, id) among normal (`normal`) and/or late (`late`) packets, and only with
   * a hop limit below `hopLimitLt` when that is not 0.
   */
  remove(from: number, id: number, normal = true, late = true, hopLimitLt = 0): QueuedPacket | undefined {
    const i = this.queue.findIndex(
      (q) => q.packet.from === from && q.packet.id === id && ((normal && q.txAfter === 0) || (late && q.txAfter !== 0)) && (!hopLimitLt || q.packet.hopLimit < hopLimitLt),
    );
    if (i < 0) return undefined;
    return this.queue.splice(i, 1)[0];
  }

  /** Every queued packet, in transmit order (for status and tests). */
  snapshot(): readonly QueuedPacket[] {
    return [...this.queue];
  }

  private insertOrdered(p: QueuedPacket): void {
    // std::upper_bound: after every element that p is not before (stable among equals).
    let i = 0;
    while (i < this.queue.length && !before(p, this.queue[i]!)) i++;
    this.queue.splice(i, 0, p);
  }

  /** MeshPacketQueue::replaceLowerPriorityPacket. */
  private replaceLowerPriority(p: QueuedPacket, now: number): QueuedPacket | undefined {
    if (this.queue.length === 0) return undefined;
    const back = this.queue[this.queue.length - 1]!;
    if (back.txAfter === 0 && back.packet.priority < p.packet.priority) {
      this.queue.pop();
      this.insertOrdered(p);
      return back;
    }
    if (back.txAfter !== 0) {
      let i = this.queue.length - 1;
      while (this.queue[i]!.txAfter !== 0 && i > 0) i--;
      const ref = this.queue[i]!;
      if (ref.txAfter === 0 && ref.packet.priority < p.packet.priority) {
        this.queue.splice(i, 1);
        this.insertOrdered(p);
        return ref;
      }
      if (back.txAfter < now && (p.txAfter === 0 || back.txAfter > p.txAfter)) {
        this.queue.pop();
        this.insertOrdered(p);
        return back;
      }
    }
    return undefined;
  }
}
