/**
 * The router's two MQTT hooks (gateway-tap.ts) as firmware 2.7 places them: a packet handled as received is tapped
 * once with the encrypted copy kept before perhapsDecode (Router::handleReceived), a packet we originate once on its
 * way to the radio (Router::send), our rebroadcasts and our own packets heard back never; a packet injected from a
 * broker is handled as received with via_mqtt set and rebroadcast only while hops are left.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create } from '@bufbuild/protobuf';
import { Channel, Mesh } from '@meshtastic/protobufs';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { createPacketCipher } from '../ota/create-packet-cipher.js';
import { decodeOtaFrame, encodeOtaFrame } from '../ota/ota-frame.js';
import type { PacketCipher } from '../ota/packet-cipher.js';
import type { TappedPacket } from './gateway-tap.js';
import { NODENUM_BROADCAST } from './hops.js';
import { MemoryAir } from './testing/memory-air.js';
import { LONG_FAST, testNode, textPacket, type TestNode } from './testing/test-node.js';

const A = 0x0a0a0a01, B = 0x0b0b0b02, C = 0x0c0c0c03, X = 0x11223344;
const LONGFAST = create(Channel.ChannelSchema, { index: 0, role: Channel.Channel_Role.PRIMARY, settings: { name: '', psk: Uint8Array.of(1) } });

function chain(clock: ManualClock) {
  const air = new MemoryAir(clock, LONG_FAST);
  const nodes: TestNode[] = [];
  const taps = new Map<number, TappedPacket[]>();
  for (const [name, num] of [['A', A], ['B', B], ['C', C]] as const) {
    let cipher: PacketCipher | undefined;
    const n = testNode(air, clock, name, num, 'CLIENT', {
      cipher: { decrypt: (p) => cipher!.decrypt(p), encrypt: (p) => cipher!.encrypt(p) },
      decodeFrame: (bytes) => decodeOtaFrame(bytes),
      encodeFrame: encodeOtaFrame,
    });
    cipher = createPacketCipher({ channels: [LONGFAST], ownNodeNum: num, publicKeyOf: () => undefined });
    const seen: TappedPacket[] = [];
    taps.set(num, seen);
    n.router.onTapped((t) => seen.push(t));
    nodes.push(n);
  }
  air.link('A', 'B', 6);
  air.link('B', 'C', 5);
  for (const n of nodes) n.router.start();
  return { air, nodes: nodes as [TestNode, TestNode, TestNode], taps };
}

test('tapped: received once with the encrypted copy as heard, originated once, never our rebroadcast or our packet heard back', async () => {
  const clock = new ManualClock();
  const { air, nodes, taps } = chain(clock);
  const id = nodes[0].router.sendFromPhone(textPacket(NODENUM_BROADCAST, 'to all', { hopLimit: 3 }));
  await clock.advance(20_000);
  assert.ok(air.sentBy('B').some((t) => decodeOtaFrame(t.bytes).id === id), 'B relayed it');
  const a = taps.get(A)!.filter((t) => t.encrypted.id === id);
  assert.equal(a.map((t) => t.source), ['originated'], 'A: its own packet once, not again when heard back from B');
  assert.is(a[0]!.encrypted.payloadVariant.case, 'encrypted');
  assert.is(a[0]!.decoded.payloadVariant.case, 'decoded');
  const b = taps.get(B)!.filter((t) => t.encrypted.id === id);
  assert.equal(b.map((t) => t.source), ['received'], 'B: heard once; its rebroadcast is not tapped');
  assert.ok(b[0]!.ok);
  assert.is(b[0]!.encrypted.channel, 0x08, 'the channel hash as heard');
  assert.is(b[0]!.encrypted.payloadVariant.case, 'encrypted');
  assert.equal([b[0]!.encrypted.hopLimit, b[0]!.encrypted.hopStart], [3, 3], 'hop fields as received');
  assert.is(b[0]!.decoded.channel, 0, 'decoded: the channel index');
});

function fromBroker(id: number, hopLimit: number): Mesh.MeshPacket {
  const cipher = createPacketCipher({ channels: [LONGFAST], ownNodeNum: X, publicKeyOf: () => undefined });
  const plain = textPacket(NODENUM_BROADCAST, 'via mqtt', { id, hopLimit });
  plain.from = X;
  plain.hopStart = 3;
  plain.channel = 0;
  const data = plain.payloadVariant.value as Mesh.Data;
  data.bitfield = 1;
  const r = cipher.encrypt(plain);
  if (!r.ok) throw new Error(r.reason);
  return create(Mesh.MeshPacketSchema, { ...r.packet, hopLimit, hopStart: 3 });
}

test('injected: handled as received with via_mqtt, rebroadcast with via_mqtt in the header while hops are left', async () => {
  const clock = new ManualClock();
  const { air, nodes, taps } = chain(clock);
  nodes[1].router.injectReceived(fromBroker(0x4242, 1));
  await clock.advance(20_000);
  const relayed = air.sentBy('B').map((t) => decodeOtaFrame(t.bytes)).find((p) => p.id === 0x4242);
  assert.ok(relayed, 'B transmitted it');
  assert.ok(relayed!.viaMqtt, 'via_mqtt in the header');
  assert.equal([relayed!.hopLimit, relayed!.hopStart, relayed!.from], [0, 3, X]);
  assert.ok(nodes[1].toPhone.some((p) => p.id === 0x4242 && p.viaMqtt), 'B delivered it, marked');
  assert.ok(nodes[2].toPhone.some((p) => p.id === 0x4242), 'C heard it');
  const t = taps.get(B)!.filter((x) => x.encrypted.id === 0x4242);
  assert.is(t.length, 1);
  assert.ok(t[0]!.encrypted.viaMqtt, 'tapped with via_mqtt: the gateway does not uplink it again');
  assert.is(t[0]!.decoded.transportMechanism, Mesh.MeshPacket_TransportMechanism.TRANSPORT_MQTT);
});

test('injected with no hop left: delivered, not rebroadcast; a duplicate is dropped', async () => {
  const clock = new ManualClock();
  const { air, nodes } = chain(clock);
  nodes[1].router.injectReceived(fromBroker(0x4343, 0));
  nodes[1].router.injectReceived(fromBroker(0x4343, 0));
  await clock.advance(20_000);
  assert.ok(nodes[1].toPhone.some((p) => p.id === 0x4343));
  assert.is(nodes[1].toPhone.filter((p) => p.id === 0x4343).length, 1, 'once');
  assert.not.ok(air.sentBy('B').some((x) => decodeOtaFrame(x.bytes).id === 0x4343), 'no rebroadcast at hop limit 0');
  assert.ok(nodes[1].metrics.drop('hop-limit') >= 1);
  assert.ok(nodes[1].metrics.drop('duplicate') >= 1);
});

test.run();
