/**
 * Mesh::onRecvPacket (src/Mesh.cpp), the decision for each parsed packet: deliver what is ours (verify adverts,
 * decrypt DMs with every candidate peer, channels with every candidate channel), dedupe by packet hash, and say
 * whether to retransmit (flood: append our path hash; direct: we are the next hop, remove ourselves) with which
 * priority and delay. The firmware's order of checks is kept, because it decides what is delivered and forwarded:
 * direct TRACE first, then zero-hop CONTROL, then direct packets still on their way (the "early ACK"), then the
 * flood filter, then the payload types. Unknown payload types are never forwarded.
 */
import { macThenDecrypt } from '../ota/cipher.js';
import { verifySignature, type LocalIdentity } from '../ota/identity.js';
import {
  CIPHER_MAC_SIZE,
  MAX_ADVERT_DATA_SIZE,
  MAX_PATH_SIZE,
  PAYLOAD_TYPE,
  PUB_KEY_SIZE,
  ROUTE_TYPE,
  SIGNATURE_SIZE,
  decodePathLen,
  isDirect,
  isFlood,
  pathHashCount,
  type McPacket,
} from '../ota/packet.js';
import type { MeshTables } from './mesh-tables.js';
import type { McPath, MeshHandler, PeerMatch, ReceivedPacket } from './mesh-handler.js';
import { advertMessage, createAck, createMultiAck } from './packet-factories.js';

/** Why a parsed packet was not used (MeshCounters.dropped); parse failures use ../ota/errors.ts MalformedReason. */
export type DropReason =
  | 'payload-layout'
  | 'own-advert'
  | 'bad-signature'
  | 'undecryptable'
  | 'bad-key'
  | 'filtered'
  | 'unknown-type'
  | 'not-next-hop'
  | 'forward-refused'
  | 'trace-not-for-us'
  | 'control-not-zero-hop'
  | 'raw-not-direct'
  | 'handler-error'
  | 'tx-queue-full'
  | 'rx-queue-full'
  | 'tx-invalid'
  | 'tx-failed'
  | 'cad-timeout';

export interface Retransmit {
  packet: McPacket;
  priority: number;
  delayMs: number;
}

export interface RecvContext {
  identity: LocalIdentity;
  tables: MeshTables;
  handler: MeshHandler;
  drop(reason: DropReason, rx: ReceivedPacket): void;
  /** Runs a handler callback; a throw is counted ('handler-error') and does not stop the mesh. */
  call<T>(rx: ReceivedPacket, fn: () => T): T | undefined;
  /** Mesh::getRetransmitDelay / getDirectRetransmitDelay for the packet as it will go out, ms. */
  floodDelayMs(packet: McPacket): number;
  directDelayMs(packet: McPacket): number;
  /** Mesh::sendDirect of the reciprocal PATH (Mesh::onRecvPacket, PAYLOAD_TYPE_PATH). */
  sendReciprocalPath(destHash: number, secret: Uint8Array, inPath: McPath, outPath: McPath): void;
  /** Dispatcher::sendPacket (routeDirectRecvAcks). */
  sendPacket(packet: McPacket, priority: number, delayMs: number): void;
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function hashMatches(identity: LocalIdentity, bytes: Uint8Array, at: number, size: number): boolean {
  if (at + size > bytes.length) return false;
  for (let k = 0; k < size; k++) if (bytes[at + k] !== identity.publicKey[k]) return false;
  return true;
}

/** Mesh::removeSelfFromPath. */
function withoutFirstHop(p: McPacket): McPacket {
  return { ...p, path: p.path.slice(p.pathHashSize) };
}

/** Mesh::routeRecvPacket: a flood not marked do-not-retransmit, with room for our hash, that the app lets go. */
function routeRecvPacket(ctx: RecvContext, rx: ReceivedPacket, doNotRetransmit: boolean): Retransmit | undefined {
  const p = rx.packet;
  const n = pathHashCount(p);
  if (!isFlood(p) || doNotRetransmit || (n + 1) * p.pathHashSize > MAX_PATH_SIZE) return undefined;
  if (!ctx.call(rx, () => ctx.handler.allowPacketForward?.(p) ?? false)) return undefined;
  const path = new Uint8Array(p.path.length + p.pathHashSize);
  path.set(p.path);
  path.set(ctx.identity.publicKey.subarray(0, p.pathHashSize), p.path.length);
  const out: McPacket = { ...p, path };
  // "as this propagates outwards, give it lower and lower priority": the priority is the hop count.
  return { packet: out, priority: n + 1, delayMs: ctx.floodDelayMs(out) };
}

/** Mesh::routeDirectRecvAcks: an ACK we relay goes out again as DIRECT, preceded by the app's extra multi-ACKs. */
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
    if (type === PAYLOAD_TYPE.ACK && p.payload.length >= 4) ctx.call(rx, () => h.onAckRecv?.(rx, u32le(p.payload, 0)));
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
      ctx.call(rx, () => h.onAckRecv?.(rx, u32le(p.payload, 0)));
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
          ctx.call(rx, () => h.onAckRecv?.(rx, u32le(inner.payload, 0)));
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

function recvPeerDatagram(ctx: RecvContext, rx: ReceivedPacket): Retransmit | undefined {
  const p = rx.packet;
  const h = ctx.handler;
  if (2 + CIPHER_MAC_SIZE >= p.payload.length) {
    ctx.drop('payload-layout', rx);
    return undefined;
  }
  if (ctx.tables.wasSeen(p)) return undefined;
  ctx.tables.markSeen(p);
  // First packet wins: a copy over another path is a duplicate, whatever its hop count.
  const destHash = p.payload[0];
  const srcHash = p.payload[1];
  const macAndData = p.payload.subarray(2);
  let found = false;
  if (destHash === ctx.identity.publicKey[0]) {
    const peers = ctx.call(rx, () => h.searchPeersByHash?.(srcHash) ?? []) ?? [];
    let badPath = false;
    for (const peer of peers) {
      const data = macThenDecrypt(peer.secret, macAndData);
      if (!data) continue;
      if (p.payloadType === PAYLOAD_TYPE.PATH) {
        if (!recvPath(ctx, rx, peer, srcHash, data)) {
          // The firmware breaks out of the peer loop on a bad PATH encoding without marking the packet as ours:
          // it is then routed like anyone else's.
          badPath = true;
          break;
        }
      } else {
        ctx.call(rx, () => h.onPeerDataRecv?.(rx, p.payloadType, peer, data));
      }
      found = true;
      break;
    }
    if (badPath) ctx.drop('payload-layout', rx);
    else if (!found) ctx.drop('undecryptable', rx);
  }
  return routeRecvPacket(ctx, rx, found);
}

/** The PATH plaintext: path_len · path · extra_type (low 4 bits) · extra (zero padding included). */
function recvPath(ctx: RecvContext, rx: ReceivedPacket, peer: PeerMatch, srcHash: number, data: Uint8Array): boolean {
  const p = rx.packet;
  const pl = decodePathLen(data[0]);
  if (!pl || pl.count * pl.size > MAX_PATH_SIZE) return false;
  const pathEnd = 1 + pl.count * pl.size;
  if (pathEnd + 1 > data.length) return false;
  const path: McPath = { hashSize: pl.size, bytes: data.slice(1, pathEnd) };
  const extraType = data[pathEnd] & 0x0f;
  const extra = data.subarray(pathEnd + 1);
  const reciprocate = ctx.call(rx, () => ctx.handler.onPeerPathRecv?.(rx, peer, path, extraType, extra) ?? false);
  if (reciprocate && isFlood(p)) {
    // Send the sender the path this flood took to reach us, directly along the path it gave us.
    ctx.sendReciprocalPath(srcHash, peer.secret, { hashSize: p.pathHashSize, bytes: p.path.slice() }, path);
  }
  return true;
}

function recvAnonDatagram(ctx: RecvContext, rx: ReceivedPacket): Retransmit | undefined {
  const p = rx.packet;
  const i = 1 + PUB_KEY_SIZE;
  if (i + CIPHER_MAC_SIZE >= p.payload.length) {
    ctx.drop('payload-layout', rx);
    return undefined;
  }
  if (ctx.tables.wasSeen(p)) return undefined;
  ctx.tables.markSeen(p);
  let mine = false;
  if (p.payload[0] === ctx.identity.publicKey[0]) {
    const sender = p.payload.slice(1, i);
    let secret: Uint8Array | undefined;
    try {
      secret = ctx.identity.sharedSecret(sender);
    } catch {
      ctx.drop('bad-key', rx); // not a point on the curve: nobody could have sent it
    }
    const data = secret ? macThenDecrypt(secret, p.payload.subarray(i)) : null;
    if (secret && data) {
      ctx.call(rx, () => ctx.handler.onAnonDataRecv?.(rx, secret, sender, data));
      mine = true;
    } else if (secret) {
      ctx.drop('undecryptable', rx);
    }
  }
  return routeRecvPacket(ctx, rx, mine);
}

function recvGroupDatagram(ctx: RecvContext, rx: ReceivedPacket): Retransmit | undefined {
  const p = rx.packet;
  if (1 + CIPHER_MAC_SIZE >= p.payload.length) {
    ctx.drop('payload-layout', rx);
    return undefined;
  }
  if (ctx.tables.wasSeen(p)) return undefined;
  ctx.tables.markSeen(p);
  const channels = ctx.call(rx, () => ctx.handler.searchChannelsByHash?.(p.payload[0]) ?? []) ?? [];
  const macAndData = p.payload.subarray(1);
  // Mesh.cpp tries at most 4 channels sharing the hash byte.
  for (const ch of channels.slice(0, 4)) {
    const data = macThenDecrypt(ch.secret, macAndData);
    if (data) {
      ctx.call(rx, () => ctx.handler.onGroupDataRecv?.(rx, p.payloadType, ch, data));
      break;
    }
  }
  // Channel traffic is forwarded whether or not we hold the channel (everyone on it may want it).
  return routeRecvPacket(ctx, rx, false);
}

function recvAdvert(ctx: RecvContext, rx: ReceivedPacket): Retransmit | undefined {
  const p = rx.packet;
  const i = PUB_KEY_SIZE + 4 + SIGNATURE_SIZE;
  if (p.payload.length < i) {
    ctx.drop('payload-layout', rx);
    return undefined;
  }
  const publicKey = p.payload.slice(0, PUB_KEY_SIZE);
  if (equalBytes(publicKey, ctx.identity.publicKey)) {
    ctx.drop('own-advert', rx);
    return undefined;
  }
  if (ctx.tables.wasSeen(p)) return undefined;
  ctx.tables.markSeen(p);
  const timestamp = u32le(p.payload, PUB_KEY_SIZE);
  const signature = p.payload.subarray(PUB_KEY_SIZE + 4, i);
  // Only the first 32 bytes of app data are signed and delivered (MAX_ADVERT_DATA_SIZE).
  const appData = p.payload.slice(i, i + MAX_ADVERT_DATA_SIZE);
  if (!verifySignature(publicKey, advertMessage(publicKey, timestamp, appData), signature)) {
    ctx.drop('bad-signature', rx); // forged: neither delivered nor forwarded
    return undefined;
  }
  ctx.call(rx, () => ctx.handler.onAdvertRecv?.(rx, { publicKey, timestamp, appData }));
  return routeRecvPacket(ctx, rx, false);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

