/**
 * NodeInfoModule::handleReceivedProtobuf: "if user has changed while packet was not for us, inform phone" — a NodeInfo
 * overheard between two other nodes (a reply to someone else's request) reaches the clients when it changed the
 * node DB; broadcasts and NodeInfos to us reach them through the normal delivery, once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { ManualClock } from '../../../../lib/testing/manual-clock.js';
import { NODENUM_BROADCAST } from '../hops.js';
import { MemoryAir } from '../testing/memory-air.js';
import { encodeTestFrame } from '../testing/test-frame-codec.js';
import { LONG_FAST, dataOf, testNode, type TestNode } from '../testing/test-node.js';

const B = 0x0b0b0b02, X = 0x0e0e0e05, Y = 0x0f0f0f06;
let nextId = 0x5000;

function hearNodeInfo(air: MemoryAir, b: TestNode, from: number, to: number, longName: string): number {
  const user = create(Mesh.UserSchema, { id: 'spoofed', longName, shortName: longName.slice(0, 4) });
  const p = create(Mesh.MeshPacketSchema, {
    from, to, id: ++nextId, hopStart: 3, hopLimit: 3,
    payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.NODEINFO_APP, payload: toBinary(Mesh.UserSchema, user), requestId: 0x77 }) },
  });
  const enc = b.cipher.encrypt(p);
  if (!enc.ok) throw new Error(enc.reason);
  air.inject('B', encodeTestFrame(enc.packet));
  return p.id;
}

test('a changed User overheard between two other nodes goes to the clients, with user.id from the node number; unchanged it does not', async () => {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const b = testNode(air, clock, 'B', B, 'ROUTER');
  b.router.start();
  const nodeInfosToPhone = () => b.toPhone.filter((p) => dataOf(p).portnum === Portnums.PortNum.NODEINFO_APP);

  const first = hearNodeInfo(air, b, X, Y, 'Xavier');
  await clock.advance(5_000);
  assert.equal(nodeInfosToPhone().map((p) => p.id), [first], 'new User for X: a copy to the clients');
  const copy = nodeInfosToPhone()[0]!;
  assert.is(copy.from, X);
  assert.is(copy.to, Y);
  assert.is(fromBinary(Mesh.UserSchema, dataOf(copy).payload).id, '!0e0e0e05', 'user.id coerced from the node number');
  assert.is(b.directory.get(X)?.user?.longName, 'Xavier');

  hearNodeInfo(air, b, X, Y, 'Xavier');
  await clock.advance(5_000);
  assert.is(nodeInfosToPhone().length, 1, 'same User again: nothing new for the clients');

  const renamed = hearNodeInfo(air, b, X, Y, 'Xavier 2');
  await clock.advance(5_000);
  assert.equal(nodeInfosToPhone().map((p) => p.id), [first, renamed], 'renamed: the clients hear of it');
});

test('a NodeInfo broadcast or to us reaches the clients once (the normal delivery), not twice', async () => {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const b = testNode(air, clock, 'B', B, 'ROUTER');
  b.router.start();
  const bcast = hearNodeInfo(air, b, X, NODENUM_BROADCAST, 'Xavier');
  const toUs = hearNodeInfo(air, b, Y, B, 'Yvonne');
  await clock.advance(5_000);
  const ids = b.toPhone.filter((p) => dataOf(p).portnum === Portnums.PortNum.NODEINFO_APP).map((p) => p.id);
  assert.equal(ids, [bcast, toUs]);
});

test.run();
