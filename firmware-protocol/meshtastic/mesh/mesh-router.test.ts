import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { NODENUM_BROADCAST } from './hops.js';
import { MemoryAir } from './testing/memory-air.js';
import { decodeTestFrame, encodeTestFrame } from './testing/test-frame-codec.js';
import { LONG_FAST, dataOf, routingErrorOf, testNode, textPacket, type TestNode } from './testing/test-node.js';
import type { MeshRoleName } from './role.js';

const A = 0x0a0a0a01, B = 0x0b0b0b02, C = 0x0c0c0c03, D = 0x0d0d0d04;

function chain(clock: ManualClock, roles: MeshRoleName[], nums = [A, B, C, D]) {
  const air = new MemoryAir(clock, LONG_FAST);
  const names = ['A', 'B', 'C', 'D'].slice(0, roles.length);
  const nodes = names.map((n, i) => testNode(air, clock, n, nums[i]!, roles[i]!));
  for (let i = 0; i + 1 < nodes.length; i++) air.link(names[i]!, names[i + 1]!, 6 - i);
  for (const n of nodes) n.router.start();
  return { air, nodes };
}

const headersOf = (air: MemoryAir, name: string) => air.sentBy(name).map((t) => decodeTestFrame(t.bytes));

test('managed flooding across a chain of 4: hop fields as the firmware fills them, each node relays once', async () => {
  const clock = new ManualClock();
  const { air, nodes } = chain(clock, ['CLIENT', 'CLIENT', 'ROUTER', 'CLIENT']);
  const [a, , , d] = nodes as [TestNode, TestNode, TestNode, TestNode];
  const id = a.router.sendFromPhone(textPacket(NODENUM_BROADCAST, 'hello mesh', { hopLimit: 3 }));
  await clock.advance(20_000); // well before the 30 s NodeInfo broadcasts
  const seen = (name: string) => headersOf(air, name).filter((h) => h.id === id);
  const [ha] = seen('A'), [hb] = seen('B'), [hc] = seen('C'), [hd] = seen('D');
  assert.is(seen('A').length, 1);
  assert.is(seen('B').length, 1, 'B relays once');
  assert.is(seen('C').length, 1, 'C relays once');
  assert.is(seen('D').length, 1, 'D relays once (hop_limit 1 → 0)');
  for (const h of [ha!, hb!, hc!, hd!]) {
    assert.is(h.from, A);
    assert.is(h.hopStart, 3, 'hop_start kept by relays');
  }
  assert.equal([ha!.hopLimit, hb!.hopLimit, hc!.hopLimit, hd!.hopLimit], [3, 2, 1, 0]);
  assert.equal([ha!.relayNode, hb!.relayNode, hc!.relayNode, hd!.relayNode], [0x01, 0x02, 0x03, 0x04]);
  const got = d.toPhone.filter((p) => p.id === id);
  assert.is(got.length, 1, 'delivered once');
  assert.is(new TextDecoder().decode(dataOf(got[0]!).payload), 'hello mesh');
  assert.is(got[0]!.hopStart - got[0]!.hopLimit, 2, 'D heard it 2 hops away (from C)');
  assert.ok(nodes[1]!.metrics.drop('duplicate') >= 1, 'B heard C relay it back: a duplicate, not relayed again');
  assert.is(a.toPhone.filter((p) => p.id === id).length, 0, 'not echoed to the sender');
});

test('rebroadcast decision by role (NextHopRouter::perhapsRebroadcast)', async () => {
  type Case = { name: string; to: number; hopLimit: number; nextHop: number; from: number; id?: number };
  const cases: Case[] = [
    { name: 'broadcast', to: NODENUM_BROADCAST, hopLimit: 3, nextHop: 0, from: A },
    { name: 'hop limit 0', to: NODENUM_BROADCAST, hopLimit: 0, nextHop: 0, from: A },
    { name: 'DM to us', to: B, hopLimit: 3, nextHop: 0, from: A },
    { name: 'DM to another, no next hop', to: C, hopLimit: 3, nextHop: 0, from: A },
    { name: 'DM, next hop us', to: C, hopLimit: 3, nextHop: 0x02, from: A },
    { name: 'DM, next hop other', to: C, hopLimit: 3, nextHop: 0x07, from: A },
    { name: 'id 0', to: NODENUM_BROADCAST, hopLimit: 3, nextHop: 0, from: A, id: 0 },
  ];
  const expected: Record<MeshRoleName, boolean[]> = {
    CLIENT: [true, false, false, true, true, false, false],
    REPEATER: [true, false, false, true, true, false, false],
    ROUTER: [true, false, false, true, true, false, false],
    ROUTER_LATE: [true, false, false, true, true, false, false],
    CLIENT_MUTE: [false, false, false, false, false, false, false],
  };
  for (const role of Object.keys(expected) as MeshRoleName[]) {
    for (const [i, c] of cases.entries()) {
      const clock = new ManualClock();
      const air = new MemoryAir(clock, LONG_FAST);
      const sender = testNode(air, clock, 'A', A);
      const b = testNode(air, clock, 'B', B, role);
      air.link('A', 'B');
      sender.router.start();
      b.router.start();
      // the sender emits a crafted header: use its cipher for the payload, frame it by hand
      const enc = sender.cipher.encrypt(textPacket(c.to, `case ${i}`, { from: c.from, id: c.id ?? 1000 + i }));
      assert.ok(enc.ok);
      if (!enc.ok) return;
      const p = enc.packet;
      Object.assign(p, { hopLimit: c.hopLimit, hopStart: 3, nextHop: c.nextHop, relayNode: 0x01 });
      air.inject('B', encodeTestFrame(p));
      await clock.advance(20_000);
      const relayed = headersOf(air, 'B').some((h) => h.id === p.id && h.from === c.from);
      assert.is(relayed, expected[role][i], `${role}: ${c.name}`);
    }
  }
});

test('cancel on dupe: a CLIENT drops its queued rebroadcast when another node relays first; a ROUTER does not', async () => {
  for (const [role, cancels] of [['CLIENT', true], ['ROUTER', false], ['ROUTER_LATE', false]] as const) {
    const clock = new ManualClock();
    const air = new MemoryAir(clock, LONG_FAST);
    const a = testNode(air, clock, 'A', A);
    const b = testNode(air, clock, 'B', B, role);
    const r = testNode(air, clock, 'R', C, 'ROUTER');
    // A reaches B and R; R reaches B. R (a router, early window) relays first; B hears it while its own copy waits.
    air.link('A', 'B', 8);
    air.link('A', 'R', 8);
    air.link('R', 'B', 8);
    for (const n of [a, b, r]) n.router.start();
    const id = a.router.sendFromPhone(textPacket(NODENUM_BROADCAST, 'x', { hopLimit: 3 }));
    await clock.advance(20_000);
    const bSent = headersOf(air, 'B').filter((h) => h.id === id).length;
    const rSent = headersOf(air, 'R').filter((h) => h.id === id).length;
    assert.is(rSent, 1, `${role}: the router relays`);
    if (role === 'ROUTER') {
      assert.is(bSent, 1, 'ROUTER never cancels');
    } else {
      assert.is(bSent, cancels ? 0 : 1, `${role}`);
      assert.is(b.metrics.count('rebroadcast-cancelled'), cancels ? 1 : 0);
    }
  }
});

test('want_ack broadcast: 3 sends without an implicit ACK, then MAX_RETRANSMIT to the client', async () => {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const a = testNode(air, clock, 'A', A);
  a.router.start();
  const id = a.router.sendFromPhone(textPacket(NODENUM_BROADCAST, 'anyone?', { wantAck: true }));
  await clock.advance(120_000);
  const sends = headersOf(air, 'A').filter((h) => h.id === id);
  assert.is(sends.length, 3, 'NUM_RELIABLE_RETX');
  for (const h of sends) {
    assert.is(h.wantAck, false, 'want_ack never set on a broadcast on air');
    assert.is(h.hopLimit, 3, 'a client want_ack without hop limit gets the default');
    assert.is(h.hopStart, 3);
  }
  const gap = air.sentBy('A')[1]!.startAt - air.sentBy('A')[0]!.startAt;
  assert.ok(gap >= 4500, `retransmission interval ≥ PROCESSING_TIME_MSEC, got ${gap}`);
  const nak = a.toPhone.find((p) => dataOf(p).requestId === id);
  assert.ok(nak, 'a ROUTING_APP packet for the request');
  assert.is(routingErrorOf(nak!), Mesh.Routing_Error.MAX_RETRANSMIT);
  assert.is(nak!.from, A);
});

test('implicit ACK from MQTT: our packet back on our own gateway id stops the retransmissions and ACKs the client', async () => {
  // MQTT.cpp onReceiveProto: "Generate an implicit ACK towards ourselves ... Then we'll stop our retransmissions."
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const a = testNode(air, clock, 'A', A);
  a.router.start();
  const id = a.router.sendFromPhone(textPacket(0x0b0b0b0b, 'nobody on air hears this', { wantAck: true, hopLimit: 3 }));
  await clock.advance(1_000);
  assert.is(a.router.pendingRetransmissions, 1, 'waiting for an ACK');
  a.router.implicitAck(id, 0);
  await clock.advance(1_000);
  assert.is(a.router.pendingRetransmissions, 0, 'the ACK to ourselves stopped the retransmissions');
  const ack = a.toPhone.find((p) => dataOf(p).requestId === id);
  assert.ok(ack, 'the client sees the ACK');
  assert.is(routingErrorOf(ack!), Mesh.Routing_Error.NONE);
  await clock.advance(120_000);
  assert.is(headersOf(air, 'A').filter((h) => h.id === id).length, 1, 'never sent again');
});

test('implicit ACK: hearing our broadcast rebroadcast stops the retransmissions and ACKs the client', async () => {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const a = testNode(air, clock, 'A', A);
  const b = testNode(air, clock, 'B', B);
  air.link('A', 'B');
  a.router.start();
  b.router.start();
  const id = a.router.sendFromPhone(textPacket(NODENUM_BROADCAST, 'ack me', { wantAck: true, hopLimit: 3 }));
  await clock.advance(120_000);
  assert.is(headersOf(air, 'A').filter((h) => h.id === id).length, 1, 'sent once');
  assert.is(a.metrics.count('implicit-ack'), 1);
  const ack = a.toPhone.find((p) => dataOf(p).requestId === id);
  assert.ok(ack);
  assert.is(routingErrorOf(ack!), Mesh.Routing_Error.NONE);
  assert.is(a.router.pendingRetransmissions, 0);
});

test('DM with want_ack: the destination ACKs; relays and sender learn next hops from it; the next DM goes next-hop', async () => {
  const clock = new ManualClock();
  const { air, nodes } = chain(clock, ['CLIENT', 'CLIENT', 'CLIENT']);
  const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
  for (const n of nodes) for (const m of nodes) if (n !== m) n.directory.know(m.num);
  const id1 = a.router.sendFromPhone(textPacket(C, 'first', { wantAck: true, hopLimit: 3 }));
  await clock.advance(30_000);
  const first = headersOf(air, 'A').filter((h) => h.id === id1);
  assert.is(first.length, 1, 'ACKed before any retransmission');
  assert.is(first[0]!.nextHop, 0, 'no next hop known yet: flood');
  const acks = a.toPhone.filter((p) => dataOf(p).requestId === id1);
  // ReliableRouter: hearing B relay our DM is an implicit ACK from ourselves first, then C's real ACK arrives
  assert.equal(acks.map((p) => [p.from, routingErrorOf(p)]), [[A, Mesh.Routing_Error.NONE], [C, Mesh.Routing_Error.NONE]]);
  assert.is(c.toPhone.filter((p) => p.id === id1).length, 1, 'C delivered the DM once');
  assert.is(a.router.nextHops.get(C), 0x02, 'A: next hop to C is B');
  assert.is(b.router.nextHops.get(C), 0x03, 'B: next hop to C is C itself');
  const id2 = a.router.sendFromPhone(textPacket(C, 'second', { wantAck: true, hopLimit: 3 }));
  await clock.advance(30_000);
  const second = headersOf(air, 'A').find((h) => h.id === id2);
  assert.is(second!.nextHop, 0x02, 'second DM addressed to next hop B');
  const bRelay = headersOf(air, 'B').find((h) => h.id === id2);
  assert.is(bRelay!.nextHop, 0x03, 'B relays it to next hop C');
  assert.ok(a.toPhone.some((p) => dataOf(p).requestId === id2 && p.from === C), 'second ACK from C');
});

test('traceroute: relays append their number and SNR, the target answers, the reply carries both ways', async () => {
  const clock = new ManualClock();
  const { nodes } = chain(clock, ['CLIENT', 'CLIENT', 'CLIENT']); // SNR A–B 6 dB, B–C 5 dB
  const [a] = nodes as [TestNode, TestNode, TestNode];
  for (const n of nodes) for (const m of nodes) if (n !== m) n.directory.know(m.num);
  const { create, toBinary } = await import('@bufbuild/protobuf');
  const req = create(Mesh.MeshPacketSchema, {
    to: C,
    hopLimit: 3,
    wantAck: true,
    payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.TRACEROUTE_APP, wantResponse: true, payload: toBinary(Mesh.RouteDiscoverySchema, create(Mesh.RouteDiscoverySchema)) }) },
  });
  const id = a.router.sendFromPhone(req);
  await clock.advance(30_000);
  const reply = a.toPhone.find((p) => dataOf(p).portnum === Portnums.PortNum.TRACEROUTE_APP && dataOf(p).requestId === id);
  assert.ok(reply, 'traceroute reply delivered to A');
  assert.is(reply!.from, C);
  const r = fromBinary(Mesh.RouteDiscoverySchema, dataOf(reply!).payload);
  assert.equal(r.route, [B]);
  assert.equal(r.snrTowards, [24, 20], 'quarter-dB: A→B 6 dB, B→C 5 dB');
  assert.equal(r.routeBack, [B]);
  assert.equal(r.snrBack, [20, 24]);
});

test('NodeInfo: broadcast 30 s after start, then every 3 h; a request gets a reply, a second one within 12 h does not', async () => {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const a = testNode(air, clock, 'A', A);
  const b = testNode(air, clock, 'B', B, 'ROUTER'); // routers do not greet new nodes: only the request is answered
  air.link('A', 'B');
  const t0 = clock.now();
  a.router.start();
  const nodeInfos = (name: string) =>
    air.sentBy(name).filter((t) => {
      const h = decodeTestFrame(t.bytes);
      const d = a.cipher.decrypt(h);
      return d.ok && d.packet.payloadVariant.case === 'decoded' && d.packet.payloadVariant.value.portnum === Portnums.PortNum.NODEINFO_APP && h.from === (name === 'A' ? A : B);
    });
  await clock.advance(29_999);
  assert.is(nodeInfos('A').length, 0);
  await clock.advance(10_000);
  const first = nodeInfos('A');
  assert.is(first.length, 1);
  assert.ok(first[0]!.startAt - t0 >= 30_000 && first[0]!.startAt - t0 < 60_000, 'within 60 s of start');
  assert.is(decodeTestFrame(first[0]!.bytes).to, NODENUM_BROADCAST);
  await clock.advance(3 * 3600_000);
  assert.is(nodeInfos('A').length, 2, 'second broadcast 3 h later');

  b.router.start();
  await clock.advance(11 * 60_000); // A's own limit: no NodeInfo of its own within 10 min of the last (allocReply)
  const ask = () => b.router.nodeInfo.sendOurNodeInfo(A, true);
  assert.ok(ask(), 'B sends a NodeInfo request to A');
  await clock.advance(20_000);
  const replies = () => b.toPhone.filter((p) => p.from === A && dataOf(p).portnum === Portnums.PortNum.NODEINFO_APP && dataOf(p).requestId !== 0);
  assert.is(replies().length, 1, 'A answered with its NodeInfo');
  const user = fromBinary(Mesh.UserSchema, dataOf(replies()[0]!).payload);
  assert.is(user.id, '!0a0a0a01');
  assert.is(user.longName, 'Node A');
  assert.is(b.directory.get(A)?.user?.longName, 'Node A', 'B learned A');
  await clock.advance(11 * 60_000); // past B's own 10-min NodeInfo limit
  assert.ok(ask(), 'B asks again');
  await clock.advance(20_000);
  assert.is(replies().length, 1, 'A stays silent: it heard B ask less than 12 h ago');
  assert.is(b.toPhone.filter((p) => p.from === A && routingErrorOf(p) === Mesh.Routing_Error.NO_RESPONSE).length, 0, 'and sends no NAK');
});

test('bad input is dropped and counted; the duty cycle refuses with a DUTY_CYCLE_LIMIT NAK to the client', async () => {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  let allowed = true;
  const a = testNode(air, clock, 'A', A, 'CLIENT', { mayTransmit: () => allowed });
  a.router.start();
  air.inject('A', new Uint8Array(7)); // shorter than the header
  air.inject('A', encodeTestFrame(Object.assign(textPacket(NODENUM_BROADCAST, 'x'), { from: 0, id: 5, payloadVariant: { case: 'encrypted', value: new Uint8Array(3) } })));
  air.inject('A', encodeTestFrame(Object.assign(textPacket(NODENUM_BROADCAST, 'x'), { from: B, id: 6, channel: 0x77, hopLimit: 0, payloadVariant: { case: 'encrypted', value: new Uint8Array(9) } })));
  assert.is(a.metrics.drop('bad-frame'), 1);
  assert.is(a.metrics.drop('no-sender'), 1);
  assert.is(a.metrics.drop('decode-no-channel'), 1);
  assert.is(a.metrics.count('heard'), 3);
  allowed = false;
  const id = a.router.sendFromPhone(textPacket(NODENUM_BROADCAST, 'over budget', { hopLimit: 3 }));
  await clock.advance(20_000);
  assert.is(headersOf(air, 'A').filter((h) => h.id === id).length, 0, 'nothing on air');
  assert.is(a.metrics.drop('duty-cycle'), 1);
  const nak = a.toPhone.find((p) => dataOf(p).requestId === id);
  assert.is(routingErrorOf(nak!), Mesh.Routing_Error.DUTY_CYCLE_LIMIT);
});

test.run();
