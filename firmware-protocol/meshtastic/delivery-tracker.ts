/**
 * Maps Routing packets (portnum ROUTING_APP, `request_id` = our packet id) to a delivery state, as the firmware
 * reports them to the client (ReliableRouter.cpp / MeshModule::allocAckNak):
 * - error NONE from the destination: end-to-end ACK (DMs);
 * - error NONE from our own radio: implicit ACK, it heard a relay rebroadcast (the only ACK broadcasts get);
 * - any other error (MAX_RETRANSMIT, NO_CHANNEL, PKI_SEND_FAIL_PUBLIC_KEY, …): NAK.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { routingErrorName } from './messages.js';

export type DeliveryState = 'sent' | 'implicit-ack' | 'acked' | 'failed';

export interface DeliveryUpdate {
  packetId: number;
  to: number;
  state: DeliveryState;
  /** Routing error name for `failed`. */
  reason?: string;
  code?: number;
  at: number;
}

interface Tracked {
  to: number;
  state: DeliveryState;
}

export class DeliveryTracker {
  private readonly tracked = new Map<number, Tracked>();

  constructor(private readonly capacity = 512) {}

  get size(): number {
    return this.tracked.size;
  }

  track(packetId: number, to: number): void {
    if (this.tracked.size >= this.capacity) {
      const oldest = this.tracked.keys().next().value;
      if (oldest !== undefined) this.tracked.delete(oldest);
    }
    this.tracked.set(packetId >>> 0, { to: to >>> 0, state: 'sent' });
  }

  state(packetId: number): DeliveryState | undefined {
    return this.tracked.get(packetId >>> 0)?.state;
  }

  /** Feed a received Routing packet; returns the update when it concerned a tracked packet. */
  onRouting(packet: Mesh.MeshPacket, myNodeNum: number, now: number): DeliveryUpdate | undefined {
    if (packet.payloadVariant.case !== 'decoded') return undefined;
    const data = packet.payloadVariant.value;
    const t = this.tracked.get(data.requestId >>> 0);
    if (!t) return undefined;
    let routing: Mesh.Routing;
    try {
      routing = fromBinary(Mesh.RoutingSchema, data.payload);
    } catch {
      return undefined;
    }
    const code = routing.variant.case === 'errorReason' ? routing.variant.value : Mesh.Routing_Error.NONE;
    let state: DeliveryState;
    if (code !== Mesh.Routing_Error.NONE) state = 'failed';
    else if (packet.from >>> 0 === t.to) state = 'acked';
    else if (packet.from >>> 0 === myNodeNum >>> 0) state = t.state === 'acked' ? 'acked' : 'implicit-ack';
    else return undefined;
    // A final state is kept: a late implicit ACK never downgrades an end-to-end ACK.
    if (t.state === 'acked' || t.state === 'failed') return undefined;
    t.state = state;
    return {
      packetId: data.requestId >>> 0,
      to: t.to,
      state,
      reason: state === 'failed' ? routingErrorName(code) : undefined,
      code: state === 'failed' ? code : undefined,
      at: now,
    };
  }
}
