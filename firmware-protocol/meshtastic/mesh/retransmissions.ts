/**
 * Packets waiting to be sent again until acknowledged (firmware src/mesh/NextHopRouter.{h,cpp} `pending`,
 * PendingPacket, startRetransmission / stopRetransmission; ReliableRouter pushes the timers back by the airtime of
 * every packet sent or heard, during which no ACK could have arrived).
 */
import type { Mesh } from '@meshtastic/protobufs';

/** NextHopRouter.h: the original sender sends 3 times in all, an intermediate next hop 2 times. */
export const NUM_RELIABLE_RETX = 3;
export const NUM_INTERMEDIATE_RETX = 2;

export interface PendingPacket {
  /** A copy of the packet as it was first handed to send (decoded when we could read it). */
  packet: Mesh.MeshPacket;
  nextTxAt: number;
  /** Sends still to come; starts at numReTx − 1 ("we assume the user just did the first send"). */
  numRetransmissions: number;
}

export class Retransmissions {
  private readonly pending = new Map<string, PendingPacket>();

  get size(): number {
    return this.pending.size;
  }

  find(from: number, id: number): PendingPacket | undefined {
    return this.pending.get(key(from, id));
  }

  /** NextHopRouter::startRetransmission (replacing any earlier record for the same packet). */
  start(packet: Mesh.MeshPacket, numReTx: number, nextTxAt: number): PendingPacket {
    const rec: PendingPacket = { packet, nextTxAt, numRetransmissions: numReTx - 1 };
    this.pending.set(key(packet.from, packet.id), rec);
    return rec;
  }

  /** Removes the record; returns it when there was one. */
  remove(from: number, id: number): PendingPacket | undefined {
    const k = key(from, id);
    const rec = this.pending.get(k);
    if (rec) this.pending.delete(k);
    return rec;
  }

  /** Pushes every timer back by `ms`, except the packet with id `exceptId` (ReliableRouter::send / shouldFilterReceived). */
  delayAll(ms: number, exceptId?: number): void {
    for (const rec of this.pending.values()) if (rec.packet.id !== exceptId) rec.nextTxAt += ms;
  }

  /** Records due at `now`, in no particular order (NextHopRouter::doRetransmissions walks the map). */
  due(now: number): PendingPacket[] {
    return [...this.pending.values()].filter((r) => r.nextTxAt <= now);
  }

  nextAt(): number | undefined {
    let best: number | undefined;
    for (const r of this.pending.values()) if (best === undefined || r.nextTxAt < best) best = r.nextTxAt;
    return best;
  }

  clear(): void {
    this.pending.clear();
  }
}

function key(from: number, id: number): string {
  return `${from >>> 0}:${id >>> 0}`;
}
