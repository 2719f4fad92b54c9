/**
 * The last step before the TX queue (firmware Router::send + perhapsEncode → RadioLibInterface::send, completeSending,
 * Router::cancelSending): header fields as the firmware fills them, encryption, the frame, the region's duty cycle;
 * a packet of ours that cannot go out is answered to the clients with a NAK (abortSendAndNak).
 */
import { clone } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import type { EncodeFailure } from '../ota/packet-cipher.js';
import { isBroadcast } from './hops.js';
import { fixPriority } from './routing-replies.js';
import { packetTimeMs, type RouterCore } from './router-core.js';
import type { QueuedPacket } from './tx-queue.js';

const RoutingError = Mesh.Routing_Error;

const ENCODE_ERRORS: Record<EncodeFailure, Mesh.Routing_Error> = {
  'too-large': RoutingError.TOO_LARGE,
  'pki-no-public-key': RoutingError.PKI_SEND_FAIL_PUBLIC_KEY,
  'no-channel': RoutingError.NO_CHANNEL,
  'pki-failed': RoutingError.PKI_FAILED,
};

export class RadioSend {
  constructor(private readonly c: RouterCore) {}

  /** Router::send (+ perhapsEncode) → RadioLibInterface::send. */
  send(p: Mesh.MeshPacket): void {
    const c = this.c;
    if (p.to === c.nodeNum) return; // "BUG! send() called with packet destined for local node!"
    if (isBroadcast(p.to)) p.wantAck = false; // "Never set the want_ack flag on broadcast packets sent over the air"
    if (p.from === 0) p.from = c.nodeNum;
    const fromUs = p.from === c.nodeNum;
    p.relayNode = c.ourRelayId;
    if (fromUs) p.hopStart = p.hopLimit;
    if (p.hopLimit > 7) p.hopLimit = 7;
    fixPriority(p);
    let onAir = p;
    if (p.payloadVariant.case === 'decoded') {
      if (fromUs) {
        const d = p.payloadVariant.value;
        d.bitfield = (d.bitfield ?? 0) | (c.o.okToMqtt ? 1 : 0) | (d.wantResponse ? 2 : 0);
      }
      const r = c.o.cipher.encrypt(p);
      if (!r.ok) {
        c.metrics.dropped(`encode-${r.reason}`);
        if (fromUs) c.local.sendAckNak(ENCODE_ERRORS[r.reason], c.nodeNum, p.id, p.channel, 0); // abortSendAndNak
        return;
      }
      onAir = r.packet;
      // Router::send: "Only publish to MQTT if we're the original transmitter of the packet"
      if (fromUs && c.tap.active) c.tap.emit({ encrypted: clone(Mesh.MeshPacketSchema, onAir), decoded: clone(Mesh.MeshPacketSchema, p), ok: true, source: 'originated' });
    }
    let frame: Uint8Array;
    try {
      frame = c.o.encodeFrame(onAir);
    } catch {
      c.metrics.dropped('encode-too-large');
      if (fromUs) c.local.sendAckNak(RoutingError.TOO_LARGE, c.nodeNum, p.id, p.channel, 0);
      return;
    }
    const airtimeMs = packetTimeMs(c, frame.length);
    if (c.o.mayTransmit && !c.o.mayTransmit(airtimeMs)) {
      c.metrics.dropped('duty-cycle');
      if (fromUs) c.local.sendAckNak(RoutingError.DUTY_CYCLE_LIMIT, c.nodeNum, p.id, p.channel, 0); // only to the API
      return;
    }
    const q: QueuedPacket = { packet: onAir, frame, txAfter: 0, rxSnr: p.rxSnr, rxRssi: p.rxRssi, airtimeMs, fromUs };
    onAir.priority = p.priority;
    c.scheduler.send(q);
  }

  /** RadioLibInterface::completeSending. */
  completeSending(q: QueuedPacket, airtimeMs: number | undefined): void {
    const c = this.c;
    if (airtimeMs === undefined) {
      c.metrics.dropped('radio-error');
      return;
    }
    c.airtime.logTx(airtimeMs);
    c.stats.tx++;
    c.metrics.inc('sent');
    if (!q.fromUs) {
      c.stats.txRelay++;
      c.metrics.inc('rebroadcast');
    }
  }

  /** Router::cancelSending: out of the TX queue, and we are no longer a relayer of it. */
  cancelSending(from: number, id: number): boolean {
    if (!this.c.scheduler.cancel(from, id)) return false;
    this.c.history.removeRelayer(this.c.ourRelayId, id, from);
    return true;
  }
}
