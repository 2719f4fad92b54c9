/**
 * Next hops live in the NodeDB as on the firmware (NodeInfoLite.next_hop), so a restart keeps them when the
 * NodeDirectory stores them; without that the router's in-memory table is the fallback and the first DM after a
 * restart floods.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { MemoryAir } from './testing/memory-air.js';
import { MemoryNodeDirectory } from './testing/memory-node-directory.js';
import { decodeTestFrame } from './testing/test-frame-codec.js';
import { LONG_FAST, testNode, textPacket, type TestNode } from './testing/test-node.js';

const A = 0x0a0a0a01, B = 0x0b0b0b02, C = 0x0c0c0c03;

/** A–B–C; A may bring its own directory (the persisted NodeDB of a previous run). */
function chain(clock: ManualClock, aDirectory?: MemoryNodeDirectory) {
  const air = new MemoryAir(clock, LONG_FAST);
  const nodes = [
    testNode(air, clock, 'A', A, 'CLIENT', aDirectory ? { directory: aDirectory } : {}),
    testNode(air, clock, 'B', B),
    testNode(air, clock, 'C', C),
  ] as [TestNode, TestNode, TestNode];
  const dirA = aDirectory ?? nodes[0].directory;
  for (const n of nodes) for (const m of nodes) if (n !== m) (n === nodes[0] ? dirA : n.directory).know(m.num);
  air.link('A', 'B', 6);
  air.link('B', 'C', 5);
  for (const n of nodes) n.router.start();
  return { air, nodes, dirA };
}

const firstFrame = (air: MemoryAir, id: number) => air.sentBy('A').map((t) => decodeTestFrame(t.bytes)).find((h) => h.id === id);

/** Learns A's next hop to C from C's ACK, then "restarts" A on a fresh air with A's directory. */
async function learnThenRestart(dir: MemoryNodeDirectory) {
  const clock = new ManualClock();
  const first = chain(clock, dir);
  const id1 = first.nodes[0].router.sendFromPhone(textPacket(C, 'learn', { wantAck: true, hopLimit: 3 }));
  await clock.advance(25_000);
  assert.is(firstFrame(first.air, id1)!.nextHop, 0, 'nothing learned yet: the first DM floods');
  assert.is(first.nodes[0].router.nextHops.get(C), 0x02, 'learned from C’s ACK: next hop B');
  for (const n of first.nodes) n.router.stop();

  const clock2 = new ManualClock();
  const second = chain(clock2, dir);
  const id2 = second.nodes[0].router.sendFromPhone(textPacket(C, 'after restart', { wantAck: true, hopLimit: 3 }));
  await clock2.advance(25_000);
  return { frame: firstFrame(second.air, id2)!, router: second.nodes[0].router, delivered: second.nodes[2].toPhone.some((p) => p.id === id2) };
}

test('a directory that stores next hops keeps them across a restart: the first DM after it goes next-hop', async () => {
  const dir = new MemoryNodeDirectory();
  const r = await learnThenRestart(dir);
  assert.is(dir.nextHopOf(C), 0x02, 'written through to the node DB');
  assert.is(r.frame.nextHop, 0x02, 'addressed to B straight away');
  assert.ok(r.delivered);
});

test('a directory without next hops: the in-memory table is the fallback, and after a restart the first DM floods', async () => {
  const dir = new MemoryNodeDirectory();
  Object.assign(dir, { setNextHop: undefined, nextHopOf: undefined });
  const r = await learnThenRestart(dir);
  assert.is(r.frame.nextHop, 0, 'flooded');
  assert.ok(r.delivered);
  assert.is(r.router.nextHops.get(C), 0x02, 'and learned again from the ACK');
});

test('the last retransmission resets the stored next hop (NextHopRouter::doRetransmissions "also reset it in the nodeDB")', async () => {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const a = testNode(air, clock, 'A', A);
  a.directory.know(C);
  a.router.nextHops.set(C, 0x02); // a stale next hop: B is gone, C never answers
  a.router.start();
  const id = a.router.sendFromPhone(textPacket(C, 'anyone?', { wantAck: true, hopLimit: 3 }));
  await clock.advance(120_000);
  const sends = air.sentBy('A').map((t) => decodeTestFrame(t.bytes)).filter((h) => h.id === id);
  assert.equal(sends.map((h) => h.nextHop), [0x02, 0x02, 0], 'two next-hop tries, then the last one floods');
  assert.is(a.directory.nextHopOf(C), 0, 'reset in the node DB');
  assert.is(a.router.nextHops.get(C), undefined);
});

test.run();
