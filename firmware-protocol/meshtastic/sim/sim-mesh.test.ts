/** The simulated mesh's watch hook and bounded history: which simulated users took a transmission of our radio. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimMesh, type SimReceived, type SimNode } from './sim-mesh.js';
import { seededRandom } from './sim-random.js';

const BROADCAST = 0xffffffff;
const text = (s: string) => new TextEncoder().encode(s);

function mesh(): SimMesh {
  const m = new SimMesh(seededRandom(3));
  m.addNode({ num: 0xa1, longName: 'Alice', channels: [0] });
  m.addNode({ num: 0xc3, longName: 'Carol', channels: [0, 1] });
  m.addNode({ num: 0xe5, longName: 'Eve', channels: [1] });
  m.addNode({ num: 0xf6, longName: 'Off', online: false, channels: [0] });
  return m;
}

test('onReceived: a channel text reaches the online nodes on that channel, once; a DM only its node', () => {
  const m = mesh();
  const seen: Array<[SimReceived, SimNode]> = [];
  const off = m.onReceived((r, n) => seen.push([r, n]));
  m.transmit({ from: 0x99, to: BROADCAST, channel: 0, id: 1, portnum: 1, payload: text('hi ch0'), pki: false });
  assert.equal(seen.map(([, n]) => n.longName), ['Alice', 'Carol']);
  assert.equal(seen.map(([r]) => r.text), ['hi ch0', 'hi ch0']);
  m.transmit({ from: 0x99, to: BROADCAST, channel: 0, id: 1, portnum: 1, payload: text('hi ch0'), pki: false });
  assert.is(seen.length, 2, 'a retransmission is a duplicate (PacketHistory), not heard again');
  assert.is(m.duplicatesDropped, 2);
  m.transmit({ from: 0x99, to: 0xe5, channel: 0, id: 2, portnum: 1, payload: text('dm'), pki: true });
  assert.equal(seen.slice(2).map(([r, n]) => [n.longName, r.text]), [['Eve', 'dm']]);
  off();
  m.transmit({ from: 0x99, to: BROADCAST, channel: 1, id: 3, portnum: 1, payload: text('ch1'), pki: false });
  assert.is(seen.length, 3);
  assert.equal(m.textsReceivedBy(0xe5), ['dm', 'ch1']);
});

test('a throwing watcher does not stop delivery to the other nodes', () => {
  const m = mesh();
  m.onReceived(() => {
    throw new Error('watcher bug');
  });
  const takers = m.transmit({ from: 0x99, to: BROADCAST, channel: 0, id: 7, portnum: 1, payload: text('x'), pki: false });
  assert.equal(takers.map((n) => n.longName), ['Alice', 'Carol']);
});

test('historyLimit keeps the newest packets; the per-node duplicate memory is bounded like PacketHistory', () => {
  const m = mesh();
  m.historyLimit = 4;
  for (let id = 1; id <= 10; id++) m.transmit({ from: 0x99, to: BROADCAST, channel: 0, id, portnum: 1, payload: text(`m${id}`), pki: false });
  assert.equal(m.received.map((r) => r.text), ['m9', 'm9', 'm10', 'm10']);
  // 1024 newer ids push id 1 out of every node's history, so a late replay of it is taken again.
  for (let id = 11; id <= 1100; id++) m.transmit({ from: 0x99, to: BROADCAST, channel: 0, id, portnum: 1, payload: text('n'), pki: false });
  const before = m.duplicatesDropped;
  m.transmit({ from: 0x99, to: BROADCAST, channel: 0, id: 1, portnum: 1, payload: text('m1'), pki: false });
  assert.is(m.duplicatesDropped, before);
  m.transmit({ from: 0x99, to: BROADCAST, channel: 0, id: 1100, portnum: 1, payload: text('n'), pki: false });
  assert.is(m.duplicatesDropped, before + 2, 'a recent id is still a duplicate');
});

test.run();
