/**
 * Mesh::onRecvPacket for the payloads addressed by hash (src/Mesh.cpp): TXT_MSG / REQ / RESPONSE / PATH (dest hash,
 * then every peer whose key starts with the source hash is tried), ANON_REQ (the sender's key is in the packet),
 * GRP_TXT / GRP_DATA (every channel with the hash byte) and ADVERT (signature over pk ‖ timestamp ‖ app data).
 * Each is deduped by packet hash before anything else, delivered, then routed as a flood unless it was ours.
 */
import { macThenDecrypt } from '../ota/cipher.js';
import { verifySignature } from '../ota/identity.js';
import { CIPHER_MAC_SIZE, MAX_ADVERT_DATA_SIZE, MAX_PATH_SIZE, PAYLOAD_TYPE, PUB_KEY_SIZE, SIGNATURE_SIZE, decodePathLen, isFlood } from '../ota/packet.js';
import type { McPath, PeerMatch, ReceivedPacket } from './mesh-handler.js';
import { advertMessage } from './packet-factories.js';
import { routeRecvPacket, u32le, type RecvContext, type Retransmit } from './recv-context.js';

export function recvPeerDatagram(ctx: RecvContext, rx: ReceivedPacket): Retransmit | undefined {
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

export function recvAnonDatagram(ctx: RecvContext, rx: ReceivedPacket): Retransmit | undefined {
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

export function recvGroupDatagram(ctx: RecvContext, rx: ReceivedPacket): Retransmit | undefined {
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

export function recvAdvert(ctx: RecvContext, rx: ReceivedPacket): Retransmit | undefined {
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
