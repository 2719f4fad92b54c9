import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../lib/testing/virtual-clock.js';
import { PAYLOAD_TYPE, ROUTE_TYPE, decodePacket, type PathHashSize } from '../ota/packet.js';
import { TestNetwork, peerOf } from './testing/mesh-network.js';

const CHAIN = ['A', 'R1', 'R2', 'R3', 'R4', 'Z'];
const RELAYS = ['R1', 'R2', 'R3', 'R4'];

function chainNetwork(clock: VirtualClock): TestNetwork {
  const net = new TestNetwork(clock);
  for (const n of CHAIN) net.add(n, { forward: RELAYS.includes(n) });
  net.air.chain(CHAIN);
  return net;
}

for (const size of [1, 2] as PathHashSize[]) {
  test(`a flood across 4 relays: the path grows by one ${size}-byte hash per hop, each relay forwards it once`, async () => {
    const clock = new VirtualClock();
    const net = chainNetwork(clock);
    const ch = { hash: 0x42, secret: new Uint8Array(16).fill(7) };
    net.get('Z').handler.searchChannelsByHash = (h) => (h === ch.hash ? [ch] : []);
    const a = net.get('A');
    a.mesh.sendFlood(a.mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_TXT, ch, new TextEncoder().encode('hello chain')), { pathHashSize: size });
    await clock.sleep(120_000);

    const z = net.get('Z').handler;
    assert.is(z.group.length, 1);
    const got = z.group[0].rx.packet;
    assert.is(got.pathHashSize, size);
    const expected = RELAYS.flatMap((r) => [...net.get(r).identity.publicKey.subarray(0, size)]);
    assert.equal([...got.path], expected);
    assert.is(new TextDecoder().decode(z.group[0].data).replace(/\0+$/, ''), 'hello chain');

    // Each copy on air carries one more hash than the one before.
    const lens = net.air.transmissions.map((t) => decodePacket(t.bytes).path.length / size);
    assert.equal(lens, [0, 1, 2, 3, 4]);
    for (const r of RELAYS) {
      const node = net.get(r);
      assert.is(net.air.sentBy(r).length, 1, `${r} transmits once`);
      assert.is(node.mesh.counters.forwarded, 1);
      assert.is(node.mesh.counters.recvFlood, r === 'R4' ? 1 : 2); // the next relay's copy comes back
    }
    // The echoes are dropped by packet hash: R1..R3 hear the next relay, A hears R1 (its own send was marked seen).
    for (const r of ['R1', 'R2', 'R3', 'A']) assert.is(net.get(r).mesh.counters.floodDups, 1, `${r} drops one duplicate`);
    assert.is(net.air.sentBy('Z').length, 0);
    assert.is(net.air.sentBy('A').length, 1);
    await net.stop();
  });
}

test('a flood heard over two routes is forwarded once: the second copy is a duplicate whatever its path', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  for (const n of ['A', 'R1', 'R2', 'R3']) net.add(n, { forward: n !== 'A' });
  // A reaches R1 and R2; both reach R3, which hears the flood twice with different paths.
  net.air.link('A', 'R1').link('A', 'R2').link('R1', 'R3').link('R2', 'R3');
  const a = net.get('A');
  a.mesh.sendFlood(a.mesh.createAdvert(new Uint8Array([0x81, 0x41])));
  await clock.sleep(120_000);
  const r3 = net.get('R3');
  assert.is(r3.handler.adverts.length, 1);
  assert.is(net.air.sentBy('R3').length, 1);
  assert.is(r3.mesh.counters.floodDups, 1);
  await net.stop();
});

test('a direct packet follows its path: each hop removes itself, only the next hop forwards, the end decrypts', async () => {
  const clock = new VirtualClock();
  const net = chainNetwork(clock);
  // X overhears R1 but is not on the path: it must not forward.
  net.add('X', { forward: true });
  net.air.link('R1', 'X');
  const a = net.get('A');
  const z = net.get('Z');
  z.handler.searchPeersByHash = (h) => (h === a.identity.publicKey[0] ? [peerOf(z.identity, a.identity)] : []);
  const secret = a.identity.sharedSecret(z.identity.publicKey);
  const dm = a.mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, z.identity.publicKey, secret, new TextEncoder().encode('direct hello'));
  const path = { hashSize: 1 as const, bytes: Uint8Array.from(RELAYS.map((r) => net.get(r).identity.publicKey[0])) };
  a.mesh.sendDirect(dm, path);
  await clock.sleep(60_000);

  assert.is(z.handler.peerData.length, 1);
  assert.is(z.handler.peerData[0].type, PAYLOAD_TYPE.TXT_MSG);
  assert.is(z.handler.peerData[0].rx.packet.routeType, ROUTE_TYPE.DIRECT);
  assert.is(z.handler.peerData[0].rx.packet.path.length, 0);
  const lens = net.air.transmissions.map((t) => decodePacket(t.bytes).path.length);
  assert.equal(lens, [4, 3, 2, 1, 0]);
  for (const r of RELAYS) assert.is(net.air.sentBy(r).length, 1);
  assert.is(net.air.sentBy('X').length, 0);
  assert.ok((net.get('X').mesh.counters.dropped['not-next-hop'] ?? 0) >= 1);
  assert.ok(z.mesh.counters.recvDirect >= 1);
  await net.stop();
});

test('an ACK routed direct is delivered to every node it passes ("early ACK") and relayed as an ACK', async () => {
  const clock = new VirtualClock();
  const net = chainNetwork(clock);
  const z = net.get('Z');
  const path = { hashSize: 1 as const, bytes: Uint8Array.from(['R4', 'R3', 'R2', 'R1'].map((r) => net.get(r).identity.publicKey[0])) };
  z.mesh.sendDirect(z.mesh.createAck(0xdeadbeef), path);
  await clock.sleep(60_000);
  assert.equal(net.get('A').handler.acks, [0xdeadbeef]);
  for (const r of ['R3', 'R2', 'R1']) assert.ok(net.get(r).handler.acks.includes(0xdeadbeef), `${r} saw the ACK pass`);
  for (const r of RELAYS) assert.is(net.air.sentBy(r).length, 1);
  await net.stop();
});

test("the app's retransmit delays are used, given the airtime of 2 + path + payload bytes", async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const a = net.add('A');
  const r = net.add('R', { forward: true });
  net.add('Z');
  net.air.chain(['A', 'R', 'Z']);
  const asked: number[] = [];
  r.handler.retransmitDelayMs = (p, air) => {
    asked.push(air - r.mesh.airtimeMs(2 + p.path.length + p.payload.length));
    return 3000;
  };
  r.handler.directRetransmitDelayMs = () => 1500;
  a.mesh.sendFlood(a.mesh.createAdvert(Uint8Array.of(0x81, 0x41)));
  await clock.sleep(30_000);
  a.mesh.sendDirect(a.mesh.createRawData(Uint8Array.of(2)), { hashSize: 1, bytes: Uint8Array.of(r.identity.publicKey[0]) });
  await clock.sleep(30_000);
  assert.equal(asked, [0]);
  const [fa, da] = net.air.sentBy('A');
  const [fr, dr] = net.air.sentBy('R');
  assert.is(fr.startMs - fa.endMs, 3000);
  assert.is(dr.startMs - da.endMs, 1500);
  await net.stop();
});

test('a relayed direct ACK is preceded by the extra multi-ACKs the app asks for (multi_acks)', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const z = net.add('Z');
  const r = net.add('R', { forward: true });
  const a = net.add('A');
  net.air.chain(['Z', 'R', 'A']);
  r.handler.extraAckTransmitCount = () => 1;
  z.mesh.sendDirect(z.mesh.createAck(0x01020304), { hashSize: 1, bytes: Uint8Array.of(r.identity.publicKey[0]) });
  await clock.sleep(30_000);
  const sent = net.air.sentBy('R').map((t) => decodePacket(t.bytes));
  assert.equal(sent.map((p) => p.payloadType), [PAYLOAD_TYPE.MULTIPART, PAYLOAD_TYPE.ACK]);
  assert.equal([...sent[0].payload], [0x13, 4, 3, 2, 1]);
  assert.ok(sent.every((p) => p.routeType === ROUTE_TYPE.DIRECT && p.path.length === 0));
  // A hears the multi-ACK and the ACK: one delivery each (their hashes differ), the same CRC.
  assert.equal(a.handler.acks, [0x01020304, 0x01020304]);
  await net.stop();
});

test('a weak flood held by the rx score delay loses to a better copy heard meanwhile (Dispatcher::calcRxDelay)', async () => {
  for (const hold of [false, true]) {
    const clock = new VirtualClock();
    const net = new TestNetwork(clock);
    const a = net.add('A');
    net.add('R', { forward: true, floodDelayMs: 1000 });
    const z = net.add('Z');
    net.air.link('A', 'Z', { snrDb: -8 }).link('A', 'R', { snrDb: 10 }).link('R', 'Z', { snrDb: 10 });
    if (hold) z.handler.rxDelayMs = (score, air) => (score < 0.5 ? 3 * air : 0);
    a.mesh.sendFlood(a.mesh.createAdvert(Uint8Array.of(0x81, 0x41)));
    await clock.sleep(60_000);
    assert.is(z.handler.adverts.length, 1);
    // Held: the relayed copy (one hop, strong) is processed first and the direct weak one is the duplicate.
    assert.is(z.handler.adverts[0].rx.packet.path.length, hold ? 1 : 0);
    assert.is(z.mesh.counters.floodDups, 1);
    await net.stop();
  }
});

test.run();
