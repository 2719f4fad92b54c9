/**
 * Mesh::onRecvPacket (src/Mesh.cpp), the decision for each parsed packet: deliver what is ours (verify adverts,
 * decrypt DMs with every candidate peer, channels with every candidate channel), dedupe by packet hash, and say
 * whether to retransmit (flood: append our path hash; direct: we are the next hop, remove ourselves) with which
 * priority and delay. The firmware's order of checks is kept, because it decides what is delivered and forwarded:
 * direct TRACE first, then zero-hop CONTROL, then direct packets still on their way (the "early ACK"), then the
 * flood filter, then the payload types. Unknown payload types are never forwarded.
 */
import { decodeAckCode } from '../ota/ack-payload.js';
import { MAX_PATH_SIZE, PAYLOAD_TYPE, ROUTE_TYPE, isDirect, isFlood, type McPacket } from '../ota/packet.js';
import type { ReceivedPacket } from './mesh-handler.js';
import { createAck, createMultiAck } from './packet-factories.js';
import { hashMatches, routeRecvPacket, u32le, type RecvContext, type Retransmit } from './recv-context.js';
import { recvAdvert, recvAnonDatagram, recvGroupDatagram, recvPeerDatagram } from './recv-payloads.js';

export type { DropReason, RecvContext, Retransmit } from './recv-context.js';

function withoutFirstHop(p: McPacket): McPacket {
  return { ...p, path: p.path.slice(p.pathHashSize) };
}

/** Mesh::routeRecvPacket: a flood not marked do-not-retransmit, with room for our hash, that the app lets go. */
function routeDirectRecvAcks(ctx: RecvContext, rx: ReceivedPacket, p: McPacket, ackPayload: Uint8Array, delayMs: number): void {
  let extra = ctx.call(rx, () => ctx.handler.extraAckTransmitCount?.() ?? 0) ?? 0;
  let delay = delayMs;
  const ack = ackPayload.length === 4 || ackPayload.length === 6 ? ackPayload : ackPayload.subarray(0, 4);
  while (extra > 0) {
    delay += ctx.directDelayMs(p) + 300;
    const a1 = createMultiAck(ack, extra);
    ctx.sendPacket({ ...a1, routeType: ROUTE_TYPE.DIRECT, pathHashSize: p.pathHashSize, path: p.path.slice() }, 0, delay);
    extra--;
  }
  const a2 = createAck(ack);
  ctx.sendPacket({ ...a2, routeType: ROUTE_TYPE.DIRECT, pathHashSize: p.pathHashSize, path: p.path.slice() }, 0, delay);
}

/** The MULTIPART ACK's inner packet (Mesh.cpp `Packet tmp`: same header, payload after the first byte). */
function multipartAckInner(p: McPacket): McPacket {
  return { ...p, payload: p.payload.subarray(1) };
}

export function onRecvPacket(ctx: RecvContext, rx: ReceivedPacket): Retransmit | undefined {
  const p = rx.packet;
  const h = ctx.handler;
  const type = p.payloadType;

  if (isDirect(p) && type === PAYLOAD_TYPE.TRACE) return recvTrace(ctx, rx);

  if (isDirect(p) && type === PAYLOAD_TYPE.CONTROL && (p.payload[0] & 0x80) !== 0) {
    // Only zero-hop control packets are used for this subset of payloads (node discovery).
    if (p.path.length === 0) ctx.call(rx, () => h.onControlDataRecv?.(rx));
    else ctx.drop('control-not-zero-hop', rx);
    return undefined;
  }

  if (isDirect(p) && p.path.length > 0) {
    // An ACK on its way to someone else is delivered anyway (the "early ACK": the sender may be listening).
    if (type === PAYLOAD_TYPE.ACK && p.payload.length >= 4) ctx.call(rx, () => h.onAckRecv?.(rx, decodeAckCode(p.payload)));
    if (!hashMatches(ctx.identity, p.path, 0, p.pathHashSize)) {
      ctx.drop('not-next-hop', rx);
      return undefined;
    }
    if (!ctx.call(rx, () => h.allowPacketForward?.(p) ?? false)) {
      ctx.drop('forward-refused', rx);
      return undefined;
    }
    if (type === PAYLOAD_TYPE.MULTIPART) {
      // Mesh::forwardMultipartDirect
      if (p.payload.length >= 5 && (p.payload[0] & 0x0f) === PAYLOAD_TYPE.ACK) {
        const inner = multipartAckInner(p);
        if (!ctx.tables.wasSeen(inner)) {
          ctx.tables.markSeen(inner);
          const rest = withoutFirstHop(inner);
          routeDirectRecvAcks(ctx, rx, rest, inner.payload, ((p.payload[0] >> 4) + 1) * 300);
        }
      }
      return undefined;
    }
    if (type === PAYLOAD_TYPE.ACK) {
      if (!ctx.tables.wasSeen(p)) {
        ctx.tables.markSeen(p);
        routeDirectRecvAcks(ctx, rx, withoutFirstHop(p), p.payload, 0);
      }
      return undefined;
    }
    if (ctx.tables.wasSeen(p)) return undefined;
    ctx.tables.markSeen(p);
    const out = withoutFirstHop(p);
    // Routed traffic is the highest priority (0).
    return { packet: out, priority: 0, delayMs: ctx.directDelayMs(out) };
  }

  if (isFlood(p) && ctx.call(rx, () => h.filterRecvFloodPacket?.(rx) ?? false)) {
    ctx.drop('filtered', rx);
    return undefined;
  }

  switch (type) {
    case PAYLOAD_TYPE.ACK: {
      if (p.payload.length < 4) {
        ctx.drop('payload-layout', rx);
        return undefined;
      }
      if (ctx.tables.wasSeen(p)) return undefined;
      ctx.tables.markSeen(p);
      ctx.call(rx, () => h.onAckRecv?.(rx, decodeAckCode(p.payload)));
      return routeRecvPacket(ctx, rx, false);
    }
    case PAYLOAD_TYPE.PATH:
    case PAYLOAD_TYPE.REQ:
    case PAYLOAD_TYPE.RESPONSE:
    case PAYLOAD_TYPE.TXT_MSG:
      return recvPeerDatagram(ctx, rx);
    case PAYLOAD_TYPE.ANON_REQ:
      return recvAnonDatagram(ctx, rx);
    case PAYLOAD_TYPE.GRP_DATA:
    case PAYLOAD_TYPE.GRP_TXT:
      return recvGroupDatagram(ctx, rx);
    case PAYLOAD_TYPE.ADVERT:
      return recvAdvert(ctx, rx);
    case PAYLOAD_TYPE.RAW_CUSTOM: {
      if (!isDirect(p)) {
        ctx.drop('raw-not-direct', rx); // "don't flood route these (yet)"
        return undefined;
      }
      if (ctx.tables.wasSeen(p)) return undefined;
      ctx.tables.markSeen(p);
      ctx.call(rx, () => h.onRawDataRecv?.(rx));
      return undefined;
    }
    case PAYLOAD_TYPE.MULTIPART: {
      if (p.payload.length > 2 && (p.payload[0] & 0x0f) === PAYLOAD_TYPE.ACK && p.payload.length >= 5) {
        const inner = multipartAckInner(p);
        if (!ctx.tables.wasSeen(inner)) {
          ctx.tables.markSeen(inner);
          ctx.call(rx, () => h.onAckRecv?.(rx, decodeAckCode(inner.payload)));
        }
      } else {
        ctx.drop('payload-layout', rx);
      }
      return undefined; // multipart ACKs are not sent by flood, so not routed
    }
    default:
      // Unknown types (and CONTROL other than zero-hop discovery) are never flood-routed.
      ctx.drop('unknown-type', rx);
      return undefined;
  }
}

function recvTrace(ctx: RecvContext, rx: ReceivedPacket): Retransmit | undefined {
  const p = rx.packet;
  // Mesh.cpp compares the raw path_len (an SNR count, 1-byte entries) with MAX_PATH_SIZE.
  if (p.path.length >= MAX_PATH_SIZE || p.payload.length < 9) {
    ctx.drop('payload-layout', rx);
    return undefined;
  }
  const tag = u32le(p.payload, 0);
  const authCode = u32le(p.payload, 4);
  const flags = p.payload[8];
  const pathSz = flags & 0x03; // v1.11+: log2 of the hash size of the listed hops
  const hashes = p.payload.subarray(9);
  const offset = p.path.length << pathSz;
  if (offset >= hashes.length) {
    const snrs = new Int8Array(p.path.buffer.slice(p.path.byteOffset, p.path.byteOffset + p.path.length));
    ctx.call(rx, () => ctx.handler.onTraceRecv?.(rx, { tag, authCode, flags, snrs, hashes: hashes.slice() }));
    return undefined;
  }
  if (!hashMatches(ctx.identity, hashes, offset, 1 << pathSz) || !ctx.call(rx, () => ctx.handler.allowPacketForward?.(p) ?? false)) {
    ctx.drop('trace-not-for-us', rx);
    return undefined;
  }
  if (ctx.tables.wasSeen(p)) return undefined;
  ctx.tables.markSeen(p);
  // Append our SNR × 4 (not a hash) for the hop just heard.
  const path = new Uint8Array(p.path.length + 1);
  path.set(p.path);
  path[p.path.length] = Math.max(-128, Math.min(127, Math.trunc(rx.snrDb * 4))) & 0xff;
  const out: McPacket = { ...p, pathHashSize: 1, path };
  return { packet: out, priority: 5, delayMs: ctx.directDelayMs(out) };
}
