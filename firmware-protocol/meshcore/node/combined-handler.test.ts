/** The repeater and the companion on one mesh: who hears what (combined-handler.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MeshHandler, PeerMatch, ReceivedPacket } from '../mesh/mesh-handler.js';
import { PAYLOAD_TYPE } from '../ota/packet.js';
import { combineHandlers } from './combined-handler.js';

const key = (first: number, fill: number) => { const k = new Uint8Array(32).fill(fill); k[0] = first; return k; };
const ADMIN = key(0x11, 1);
const BOTH = key(0x11, 2); // same hash byte as ADMIN, a different key
const CONTACT = key(0x22, 3);
const SECRET = new Uint8Array(32).fill(9);
const rx = { packet: {}, raw: new Uint8Array(1), snrDb: 0, rssiDbm: 0, receivedAt: 0 } as unknown as ReceivedPacket;

function recorder(name: string, peers: Uint8Array[], extra: Partial<MeshHandler> = {}): { h: MeshHandler; calls: string[] } {
  const calls: string[] = [];
  const h: MeshHandler = {
    searchPeersByHash: (hash) => peers.filter((k) => k[0] === hash).map((k) => ({ publicKey: k, secret: SECRET, ref: `${name}:${k[1]}` })),
    onPeerDataRecv: (_rx, type, peer) => calls.push(`data ${type} ${String(peer.ref)}`),
    onPeerPathRecv: (_rx, peer, _path, extraType) => { calls.push(`path ${String(peer.ref)} extra ${extraType}`); return name === 'companion'; },
    onAdvertRecv: () => calls.push('advert'),
    onAckRecv: (_rx, ack) => { calls.push(`ack ${ack}`); return name === 'companion' && ack === 7; },
    logRxRaw: () => calls.push('raw'),
    onAnonDataRecv: () => calls.push('anon'),
    onTraceRecv: () => calls.push('trace'),
    onGroupDataRecv: (_rx, _t, ch) => calls.push(`group ${String(ch.ref)}`),
    searchChannelsByHash: (hash) => (name === 'companion' ? [{ hash, secret: new Uint8Array(16), ref: 'public' }] : []),
    ...extra,
  };
  return { h, calls };
}

test('a key both know is offered once; TXT_MSG from an admin is CLI, from anyone else the inbox; REQ repeater, RESPONSE companion', () => {
  const rep = recorder('repeater', [ADMIN, BOTH], { allowPacketForward: () => true, rxDelayMs: (score, air) => (score < 0.5 ? 3 * air : 0) });
  const comp = recorder('companion', [BOTH, CONTACT]);
  const h = combineHandlers({ repeater: rep.h, companion: comp.h, repeaterTakesText: (p) => p.ref === 'repeater:1' });
  const offered = h.searchPeersByHash!(0x11);
  assert.is(offered.length, 2, 'ADMIN and BOTH once each');
  const byKey = (k: Uint8Array) => offered.find((p) => p.publicKey === k)! as PeerMatch;
  h.onPeerDataRecv!(rx, PAYLOAD_TYPE.TXT_MSG, byKey(ADMIN), new Uint8Array(0));
  h.onPeerDataRecv!(rx, PAYLOAD_TYPE.TXT_MSG, byKey(BOTH), new Uint8Array(0));
  h.onPeerDataRecv!(rx, PAYLOAD_TYPE.REQ, byKey(BOTH), new Uint8Array(0));
  h.onPeerDataRecv!(rx, PAYLOAD_TYPE.RESPONSE, byKey(BOTH), new Uint8Array(0));
  const contact = h.searchPeersByHash!(0x22)[0]!;
  h.onPeerDataRecv!(rx, PAYLOAD_TYPE.TXT_MSG, contact, new Uint8Array(0));
  h.onPeerDataRecv!(rx, PAYLOAD_TYPE.REQ, contact, new Uint8Array(0));
  assert.equal(rep.calls, [`data ${PAYLOAD_TYPE.TXT_MSG} repeater:1`, `data ${PAYLOAD_TYPE.REQ} repeater:2`]);
  assert.equal(comp.calls, [`data ${PAYLOAD_TYPE.TXT_MSG} companion:2`, `data ${PAYLOAD_TYPE.RESPONSE} companion:2`, `data ${PAYLOAD_TYPE.TXT_MSG} companion:3`, `data ${PAYLOAD_TYPE.REQ} companion:3`]);
  assert.is(h.allowPacketForward!({} as never), true);
  // The repeater's rx delay (rxdelay: hold weak floods; Dispatcher::calcRxDelay) is the node's.
  assert.is(h.rxDelayMs?.(0.2, 100), 300);
});

test('a PATH updates both sides with its extra (the ACK of a DM reaches the companion), one reciprocal answer', () => {
  const rep = recorder('repeater', [BOTH]);
  const comp = recorder('companion', [BOTH]);
  const h = combineHandlers({ repeater: rep.h, companion: comp.h });
  const peer = h.searchPeersByHash!(0x11)[0]!;
  const reply = h.onPeerPathRecv!(rx, peer, { hashSize: 1, bytes: new Uint8Array(0) }, PAYLOAD_TYPE.ACK, new Uint8Array(4));
  assert.is(reply, true);
  assert.equal(rep.calls, [`path repeater:2 extra ${PAYLOAD_TYPE.ACK}`]);
  assert.equal(comp.calls, [`path companion:2 extra ${PAYLOAD_TYPE.ACK}`]);
});

test('adverts, ACKs and raw frames to both; login to the repeater; channels and traces to the companion; no forwarding without a repeater policy', () => {
  const rep = recorder('repeater', []);
  const comp = recorder('companion', []);
  const h = combineHandlers({ repeater: rep.h, companion: comp.h });
  h.logRxRaw!(new Uint8Array(1), 0, 0);
  h.onAdvertRecv!(rx, { publicKey: CONTACT, timestamp: 1, appData: new Uint8Array(0) });
  // An ACK the companion was waiting for is ours: the mesh must not forward it (BaseChatMesh markDoNotRetransmit).
  assert.is(h.onAckRecv!(rx, 7), true);
  assert.is(h.onAckRecv!(rx, 8), false);
  h.onAnonDataRecv!(rx, SECRET, CONTACT, new Uint8Array(0));
  h.onTraceRecv!(rx, { tag: 1, authCode: 0, flags: 0, snrs: new Int8Array(0), hashes: new Uint8Array(0) });
  const ch = h.searchChannelsByHash!(0x33);
  assert.is(ch.length, 1);
  h.onGroupDataRecv!(rx, PAYLOAD_TYPE.GRP_TXT, ch[0]!, new Uint8Array(0));
  assert.equal(rep.calls, ['raw', 'advert', 'ack 7', 'ack 8', 'anon']);
  assert.equal(comp.calls, ['raw', 'advert', 'ack 7', 'ack 8', 'trace', 'group public']);
  assert.is(h.allowPacketForward!({} as never), false);
});

test('a companion alone (no repeater) keeps its own policy and every callback, bound to it (a class instance)', () => {
  class Chat {
    calls: string[] = [];
    seen = 0;
    allowPacketForward(): boolean { return this.seen > 0; }
    onGroupDataRecv(): void { this.seen++; this.calls.push('group'); }
    searchChannelsByHash(hash: number) { return [{ hash, secret: new Uint8Array(16), ref: this }]; }
    extraAckTransmitCount(): number { return 2; }
  }
  const chat = new Chat();
  const h = combineHandlers({ repeater: {}, companion: chat as unknown as MeshHandler });
  assert.is(h.allowPacketForward!({} as never), false);
  const [ch] = h.searchChannelsByHash!(7);
  h.onGroupDataRecv!(rx, PAYLOAD_TYPE.GRP_TXT, ch!, new Uint8Array(0));
  assert.equal(chat.calls, ['group']);
  assert.is(h.allowPacketForward!({} as never), true, 'the companion\'s client-repeat pref, with its own `this`');
  assert.is(h.extraAckTransmitCount!(), 2);
  assert.is(h.retransmitDelayMs, undefined, 'absent on both sides: the mesh default');
});

test.run();
