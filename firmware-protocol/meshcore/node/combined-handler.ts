/**
 * One MeshCore node that is both a repeater and a companion on ONE mesh and ONE identity: the repeater's handler
 * (examples/simple_repeater/MyMesh: forwarding policy, adverts, ACL clients, login, CLI, requests) and the companion's
 * chat handler (src/helpers/BaseChatMesh + examples/companion_radio/MyMesh: contacts, channels, DMs, ACKs) composed
 * into the one MeshHandler the mesh calls. The firmware builds either one or the other; the combination is ours, so
 * the rules below are the places where it had to choose:
 *
 * - Peers are the repeater's ACL clients and the companion's contacts. A key known to both is offered once (the
 *   shared secret is the same: one identity); what it sends goes to the side the payload is for: REQ → the repeater
 *   (requests from its clients; the companion's only when the repeater does not know the peer), RESPONSE → the
 *   companion (answers to its requests, e.g. after a login to another repeater), TXT_MSG → the repeater's CLI when
 *   the repeater takes texts from that peer (a logged-in admin: `repeaterTakesText`), else the companion's inbox.
 * - Forwarding, flood filters, retransmit and rx-score delays, the airtime factor and extra ACKs are the repeater's (a companion
 *   does not forward: Mesh::allowPacketForward is false there).
 * - ANON_REQ (login) is the repeater's; channels, GRP_TXT/GRP_DATA, traces that end here and RAW_CUSTOM are the
 *   companion's; adverts, ACKs, CONTROL, every raw frame and every malformed one are told to both (neighbours and
 *   contacts both learn from adverts; the companion logs every frame for its clients, the repeater counts them).
 */
import type { McPacket } from '../ota/packet.js';
import { PAYLOAD_TYPE } from '../ota/packet.js';
import type { GroupChannelKey, McPath, MeshHandler, PeerMatch, ReceivedPacket } from '../mesh/mesh-handler.js';

export type NodeSide = 'repeater' | 'companion';

export interface CombinedHandlerOptions {
  repeater: MeshHandler;
  companion: MeshHandler;
  /** Whether a TXT_MSG from this repeater peer is a CLI command (simple_repeater: only from a logged-in admin). */
  repeaterTakesText?(peer: PeerMatch): boolean;
}

/** What the mesh hands back in PeerMatch.ref / GroupChannelKey.ref: whose record it is. */
interface Tagged {
  side: NodeSide;
  ref: unknown;
}

const sameKey = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export function combineHandlers(o: CombinedHandlerOptions): MeshHandler {
  const { repeater, companion } = o;
  const side = (s: NodeSide) => (s === 'repeater' ? repeater : companion);
  const tag = (s: NodeSide, p: PeerMatch): PeerMatch => ({ ...p, ref: { side: s, ref: p.ref } satisfies Tagged });
  const untag = (p: PeerMatch): { side: NodeSide; peer: PeerMatch } => {
    const t = p.ref as Tagged;
    return { side: t.side, peer: { ...p, ref: t.ref } };
  };
  /** The same peer as the other side knows it (its own record), when it does. */
  const lookup = (s: NodeSide, publicKey: Uint8Array): PeerMatch | undefined =>
    side(s).searchPeersByHash?.(publicKey[0]!)?.find((p) => sameKey(p.publicKey, publicKey));
  type Policy = 'filterRecvFloodPacket' | 'allowPacketForward' | 'retransmitDelayMs' | 'directRetransmitDelayMs' | 'extraAckTransmitCount' | 'airtimeBudgetFactor' | 'rxDelayMs';
  /** The repeater's callback, else the companion's, bound to its owner. */
  function policy<K extends Policy>(name: K): MeshHandler[K] | undefined {
    const owner = repeater[name] ? repeater : companion[name] ? companion : undefined;
    const f = owner?.[name] as ((...args: unknown[]) => unknown) | undefined;
    return f ? (((...args: unknown[]) => f.apply(owner, args)) as MeshHandler[K]) : undefined;
  }
  /** An optional callback present only when one side has it (absent = the mesh's default). */
  function optional<K extends Policy>(name: K): Partial<Pick<MeshHandler, K>> {
    const f = policy(name);
    return f ? ({ [name]: f } as Partial<Pick<MeshHandler, K>>) : {};
  }
  const both = <A extends unknown[]>(call: (h: MeshHandler) => ((...args: A) => void) | undefined, ...args: A) => {
    call(repeater)?.apply(repeater, args);
    call(companion)?.apply(companion, args);
  };

  return {
    logRxRaw: (raw, snr, rssi) => both((h) => h.logRxRaw, raw, snr, rssi),
    onMalformed: (raw, reason) => both((h) => h.onMalformed, raw, reason),
    // The node's forwarding policy: the repeater's; a node without one (a companion alone, `repeater: {}`) keeps the
    // companion's own (its client-repeat pref), as companion_radio does.
    filterRecvFloodPacket: (rx) => policy('filterRecvFloodPacket')?.(rx) ?? false,
    allowPacketForward: (p) => policy('allowPacketForward')?.(p) ?? false,
    ...optional('retransmitDelayMs'),
    ...optional('directRetransmitDelayMs'),
    ...optional('extraAckTransmitCount'),
    ...optional('airtimeBudgetFactor'),
    ...optional('rxDelayMs'),
    searchPeersByHash(hash) {
      const r = repeater.searchPeersByHash?.(hash) ?? [];
      const c = companion.searchPeersByHash?.(hash) ?? [];
      return [
        ...r.map((p) => tag('repeater', p)),
        ...c.filter((p) => !r.some((q) => sameKey(q.publicKey, p.publicKey))).map((p) => tag('companion', p)),
      ];
    },
    searchChannelsByHash(hash) {
      const c = companion.searchChannelsByHash?.(hash) ?? [];
      const r = repeater.searchChannelsByHash?.(hash) ?? [];
      return [...c.map((k) => ({ ...k, ref: { side: 'companion', ref: k.ref } satisfies Tagged })), ...r.map((k) => ({ ...k, ref: { side: 'repeater', ref: k.ref } satisfies Tagged }))];
    },
    onPeerDataRecv(rx, type, tagged, data) {
      const { side: owner, peer } = untag(tagged);
      const target = dataTarget(owner, type, peer);
      const h = side(target.side);
      h.onPeerDataRecv?.(rx, type, target.peer, data);
    },
    onPeerPathRecv(rx, tagged, path, extraType, extra) {
      const { side: owner, peer } = untag(tagged);
      // Both sides keep an out_path for the peer (contacts, ACL clients); the reciprocal path is sent once. The extra
      // (an ACK or RESPONSE riding the PATH) goes to both: simple_repeater's onPeerPathRecv ignores it, the
      // companion's (BaseChatMesh::onContactPathRecv) takes the ACK of its DM from it whoever owned the peer.
      const other: NodeSide = owner === 'repeater' ? 'companion' : 'repeater';
      const otherPeer = lookup(other, peer.publicKey);
      const a = side(owner).onPeerPathRecv?.(rx, peer, path, extraType, extra) ?? false;
      const b = otherPeer ? (side(other).onPeerPathRecv?.(rx, otherPeer, path, extraType, extra) ?? false) : false;
      return a || b;
    },
    onTraceRecv: (rx, trace) => companion.onTraceRecv?.(rx, trace),
    onAdvertRecv: (rx, advert) => both((h) => h.onAdvertRecv, rx, advert),
    onAnonDataRecv(rx, secret, sender, data) {
      (repeater.onAnonDataRecv ? repeater : companion).onAnonDataRecv?.(rx, secret, sender, data);
    },
    onGroupDataRecv(rx: ReceivedPacket, type: number, channel: GroupChannelKey, data: Uint8Array) {
      const t = channel.ref as Tagged;
      side(t.side).onGroupDataRecv?.(rx, type, { ...channel, ref: t.ref }, data);
    },
    onAckRecv(rx, ack) {
      // Told to both; ours when either side was waiting for it (the mesh then does not forward it).
      const r = repeater.onAckRecv?.(rx, ack) === true;
      const c = companion.onAckRecv?.(rx, ack) === true;
      return r || c;
    },
    onControlDataRecv: (rx) => both((h) => h.onControlDataRecv, rx),
    onRawDataRecv: (rx) => companion.onRawDataRecv?.(rx),
  };

  function dataTarget(owner: NodeSide, type: number, peer: PeerMatch): { side: NodeSide; peer: PeerMatch } {
    const want: NodeSide | undefined =
      type === PAYLOAD_TYPE.REQ ? 'repeater'
        : type === PAYLOAD_TYPE.RESPONSE ? 'companion'
          : type === PAYLOAD_TYPE.TXT_MSG ? (owner === 'repeater' && (o.repeaterTakesText?.(peer) ?? true) ? 'repeater' : 'companion')
            : undefined;
    if (!want || want === owner) return { side: owner, peer };
    const theirs = lookup(want, peer.publicKey);
    return theirs ? { side: want, peer: theirs } : { side: owner, peer };
  }
}

export type { McPath };
