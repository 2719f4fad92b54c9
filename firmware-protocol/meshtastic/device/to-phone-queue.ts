/**
 * A client's queue of packets waiting to be read (MeshService toPhoneQueue, MAX_RX_TOPHONE = 32). When it is full,
 * a text (or range test) pushes out the oldest packet and any other packet is dropped (MeshService::sendToPhone):
 * a client that does not read loses the oldest chatter, never its memory.
 */
import type { Mesh } from '@meshtastic/protobufs';
import { Portnums } from '@meshtastic/protobufs';

/** firmware src/mesh/mesh-pb-constants.h MAX_RX_TOPHONE (boards with PSRAM and Linux) */
export const MAX_RX_TOPHONE = 32;

export class ToPhoneQueue {
  private readonly items: Mesh.MeshPacket[] = [];
  /** Packets lost to a full queue: the oldest pushed out by a text, or a non-text refused. */
  dropped = 0;

  constructor(readonly capacity = MAX_RX_TOPHONE) {}

  get length(): number {
    return this.items.length;
  }

  push(p: Mesh.MeshPacket): void {
    if (this.items.length >= this.capacity) {
      const portnum = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value.portnum : 0;
      this.dropped++;
      if (portnum === Portnums.PortNum.TEXT_MESSAGE_APP || portnum === Portnums.PortNum.RANGE_TEST_APP) this.items.shift();
      else return;
    }
    this.items.push(p);
  }

  shift(): Mesh.MeshPacket | undefined {
    return this.items.shift();
  }

  /** Moves everything into `other` (a backlog handed to the next client), in order. */
  moveTo(other: ToPhoneQueue): void {
    for (const p of this.items.splice(0)) other.push(p);
  }

  clear(): void {
    this.items.length = 0;
  }
}
