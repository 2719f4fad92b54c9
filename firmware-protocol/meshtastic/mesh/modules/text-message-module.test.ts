/**
 * The TextMessageModule's part in routing (FloodingRouter::shouldFilterReceived → textMessageModule->recentlySeen):
 * a broadcast text the packet history has already forgotten is still a dupe — not delivered again, not relayed again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { ManualClock } from '../../../../lib/testing/manual-clock.js';
import { NODENUM_BROADCAST } from '../hops.js';
import { MemoryAir } from '../testing/memory-air.js';
import { decodeTestFrame, encodeTestFrame } from '../testing/test-frame-codec.js';
import { LONG_FAST, testNode, textPacket, type TestNode } from '../testing/test-node.js';
import { TEXT_PACKET_LIST_SIZE, TextMessageModule } from './text-message-module.js';

const A = 0x0a0a0a01, B = 0x0b0b0b02;

function hear(air: MemoryAir, b: TestNode, p: Mesh.MeshPacket, hopLimit: number): void {
  const enc = b.cipher.encrypt(p);
  if (!enc.ok) throw new Error(enc.reason);
  Object.assign(enc.packet, { hopStart: 3, hopLimit, relayNode: 0x01 });
  air.inject('B', encodeTestFrame(enc.packet));
}

test('a late copy of a text the history forgot is a dupe by the text id list: one delivery, one relay', async () => {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const b = testNode(air, clock, 'B', B, 'CLIENT', { historyCapacity: 4 });
  b.router.start();
  const text = textPacket(NODENUM_BROADCAST, 'once', { from: A, id: 0x1234 });
  hear(air, b, text, 3);
  await clock.advance(20_000);
  for (let i = 0; i < 6; i++) {
    // other traffic pushes the text out of the 4-record history
    const pos = create(Mesh.MeshPacketSchema, { from: 0x0c000000 + i, to: NODENUM_BROADCAST, id: 0x9000 + i, payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.POSITION_APP, payload: new Uint8Array(0) }) } });
    hear(air, b, pos, 0);
  }
  assert.is(b.router.history.wasSeenRecently({ from: A, id: 0x1234, hopLimit: 0, nextHop: 0, relayNode: 0 }, false).seen, false, 'history forgot it');
  hear(air, b, text, 2);
  await clock.advance(20_000);
  assert.is(b.toPhone.filter((p) => p.id === 0x1234).length, 1, 'delivered once');
  assert.is(air.sentBy('B').filter((t) => decodeTestFrame(t.bytes).id === 0x1234).length, 1, 'relayed once');
  assert.ok(b.metrics.drop('duplicate') >= 1);
});

test('TextMessageModule keeps the last 50 text ids (TEXT_PACKET_LIST_SIZE), any sender', () => {
  const m = new TextMessageModule();
  const p = (id: number) => textPacket(NODENUM_BROADCAST, 'x', { from: A, id });
  for (let id = 1; id <= TEXT_PACKET_LIST_SIZE + 1; id++) m.handle(p(id));
  assert.is(m.recentlySeen(1), false, 'the oldest is overwritten');
  assert.is(m.recentlySeen(2), true);
  assert.is(m.recentlySeen(TEXT_PACKET_LIST_SIZE + 1), true);
  assert.is(m.wantPacket(p(5)), true);
  assert.is(m.wantPacket(create(Mesh.MeshPacketSchema, { payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.ALERT_APP }) } })), true);
  assert.is(m.wantPacket(create(Mesh.MeshPacketSchema, { payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.POSITION_APP }) } })), false);
});

test.run();
