/**
 * The MeshHandler surface the mesh (and a combined native handler) calls: forwarding decisions counted by reason
 * and kept right when packet objects are reused, retransmit delays from the mesh's airtime, duty-cycle factor,
 * peers tagged as the repeater's, foreign peers left alone, node discovery answered.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PAYLOAD_TYPE, ROUTE_TYPE } from '../ota/packet.js';
import { identityFromSeed } from '../ota/identity.js';
import { packetOf, received } from './testing/fake-mesh.js';
import { bytes, loginAdmin, makeRepeater, seed, u32 } from './testing/repeater-fixture.js';

test('allowPacketForward follows the region map as it changes, counting refusals by reason', () => {
  const f = makeRepeater();
  const h = f.repeater.handler;
  const p = packetOf({ payloadType: PAYLOAD_TYPE.GRP_TXT });
  assert.is(h.allowPacketForward?.(p), true);
  f.repeater.command('region denyf *');
  assert.is(h.allowPacketForward?.(p), false, 'the same packet object, asked again after the change');
  f.repeater.setUnscopedFloods(true);
  assert.is(h.allowPacketForward?.(p), true);
  p.path = new Uint8Array(64);
  assert.is(h.allowPacketForward?.(p), false);
  f.repeater.command('set repeat off');
  assert.is(h.allowPacketForward?.(packetOf({ payloadType: PAYLOAD_TYPE.TXT_MSG, routeType: ROUTE_TYPE.DIRECT })), false);
  assert.equal(f.repeater.counters.forwardRefused, { disabled: 1, 'flood-max': 1, 'flood-max-unscoped': 0, 'flood-max-advert': 0, region: 1, loop: 0 });
});

test('retransmit delays from the airtime the mesh gives (path + payload + 2 bytes); rx delay; af and multi.acks', () => {
  let r = 0.999999;
  const f = makeRepeater({ random: () => r });
  const h = f.repeater.handler;
  const p = packetOf({ payloadType: PAYLOAD_TYPE.TXT_MSG, path: new Uint8Array(3), payload: new Uint8Array(95) });
  // 100 ms of airtime: flood factor 0.5 → t 50 → [0, 250]; direct 0.3 → t 30 → [0, 150]
  assert.is(h.retransmitDelayMs?.(p, 100), 250);
  assert.is(h.directRetransmitDelayMs?.(p, 100), 150);
  r = 0;
  assert.is(h.retransmitDelayMs?.(p, 100), 0);
  assert.is(h.rxDelayMs?.(0.2, 100), 0, 'rxdelay 0 (default): no score delay');
  f.repeater.command('set rxdelay 10');
  assert.is(h.rxDelayMs?.(0.2, 100), Math.trunc((Math.pow(10, 0.65) - 1) * 100));
  assert.is(h.airtimeBudgetFactor?.(), 1);
  f.repeater.command('set af 9');
  assert.is(h.airtimeBudgetFactor?.(), 9);
  assert.is(h.extraAckTransmitCount?.(), 0);
});

test('peers: ACL clients come tagged; a foreign PeerMatch is not the repeater\'s and is ignored', () => {
  const f = makeRepeater();
  assert.equal(f.repeater.handler.searchPeersByHash?.(f.client.publicKey[0]), []);
  loginAdmin(f);
  const m = f.repeater.handler.searchPeersByHash?.(f.client.publicKey[0]) ?? [];
  assert.is(m.length, 1);
  assert.ok(f.repeater.ownsPeer(m[0]));
  assert.equal(m[0].secret, f.secret);
  const foreign = { publicKey: f.client.publicKey, secret: f.secret, ref: { contact: 'x' } };
  assert.not.ok(f.repeater.ownsPeer(foreign));
  f.repeater.handler.onPeerDataRecv?.(received(packetOf({ payloadType: PAYLOAD_TYPE.TXT_MSG })), PAYLOAD_TYPE.TXT_MSG, foreign, bytes(u32(5000), [4], 'ver', new Uint8Array(8)));
  assert.is(f.mesh.created.length, 0);
});

test('node discovery: a DISCOVER_REQ for repeaters is answered zero-hop with our key, SNR and the tag', () => {
  const f = makeRepeater(); // random 0.5: the request tag is 0x80808080 (a tag of 0 means none pending)
  const req = packetOf({ payloadType: PAYLOAD_TYPE.CONTROL, routeType: ROUTE_TYPE.DIRECT, payload: Uint8Array.of(0x80, 1 << 2, 9, 8, 7, 6) });
  f.repeater.handler.onControlDataRecv?.(received(req, { snrDb: 4.5 }));
  const c = f.mesh.created.find((x) => x.op === 'control');
  assert.equal(c?.data, bytes([0x92, 18, 9, 8, 7, 6], f.self.publicKey));
  assert.is(f.mesh.sent.at(-1)?.kind, 'zero-hop');
  // a matching DISCOVER_RESP after our own request adds a neighbour
  f.repeater.command('discover.neighbors');
  const tag = f.mesh.created.filter((x) => x.op === 'control').at(-1)?.data?.subarray(2, 6) ?? new Uint8Array(4);
  // sendNodeDiscoverReq: 0x80 (not prefix-only) · repeaters · tag · since 0, 10 bytes
  assert.equal(f.mesh.created.filter((x) => x.op === 'control').at(-1)?.data, bytes([0x80, 1 << 2], tag, [0, 0, 0, 0]));
  const other = identityFromSeed(seed(9));
  const resp = packetOf({ payloadType: PAYLOAD_TYPE.CONTROL, routeType: ROUTE_TYPE.DIRECT, payload: bytes([0x92, 10], tag, other.publicKey) });
  f.repeater.handler.onControlDataRecv?.(received(resp, { snrDb: 2 }));
  assert.equal(f.repeater.neighbours().map((n) => n.snr), [8]);
});

test('a throwing mesh does not escape the handler: counted and logged', () => {
  const logs: string[] = [];
  const f = makeRepeater({ log: (l) => logs.push(l) });
  loginAdmin(f);
  f.mesh.createDatagram = () => {
    throw new Error('boom');
  };
  f.mesh.createPathReturn = () => {
    throw new Error('boom');
  };
  const m = f.repeater.handler.searchPeersByHash?.(f.client.publicKey[0])[0];
  assert.ok(m);
  f.repeater.handler.onPeerDataRecv?.(received(packetOf({ payloadType: PAYLOAD_TYPE.REQ })), PAYLOAD_TYPE.REQ, m, bytes(u32(9000), [1], new Uint8Array(11)));
  assert.is(f.repeater.counters.errors, 1);
  assert.ok(logs.some((l) => l.includes('boom')));
});

test.run();
