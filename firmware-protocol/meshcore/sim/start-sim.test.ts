/**
 * The simulator on the one device side, driven by two @liamcottle/meshcore.js clients at once over its TCP port:
 * contacts from real adverts, channel text both ways, DMs both ways with ACK → SEND_CONFIRMED, 0x88 for every packet
 * heard (ACK and PATH included). The mesh here is the companion's test stand-in (companion/testing/fake-mesh.ts)
 * until the mesh part's createMesh and MemoryAir are merged; the simulator takes them as its world.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Constants, Packet, TCPConnection, type Connection } from '@liamcottle/meshcore.js';
import { systemClock } from '../../../lib/clock/clock.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { toHex } from '../bytes.js';
import { FakeAir, fakeCreateMesh } from '../companion/testing/fake-mesh.js';
import { PAYLOAD_TYPE } from '../ota/packet.js';
import { DEFAULT_SIM_RADIO } from './sim-device.js';
import { modulationOf } from './sim-world.js';
import { DEFAULT_SIM_NODES, startMeshCoreSim } from './start-sim.js';

function within<T>(p: Promise<T>, what: string, ms = 8000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e) => (clearTimeout(t), reject(e)));
  });
}

async function open(port: number): Promise<Connection> {
  const c = new TCPConnection('127.0.0.1', port);
  const connected = new Promise<void>((r) => c.once('connected', () => r()));
  await c.connect();
  await within(connected, 'connected');
  return c;
}

const FAST = { sf: 7, bwHz: 500000, cr: 5 };

for (const [label, world] of [
  ['the real mesh on the memory air', undefined],
  ['the fake one-hop mesh', { clock: systemClock, air: new FakeAir(), createMesh: fakeCreateMesh, modulation: modulationOf({ ...DEFAULT_SIM_RADIO, ...FAST }) }],
] as const) test(`two meshcore.js clients on the simulator (${label}): adverts, channel both ways, DM both ways with ACK, 0x88 for ACK/PATH`, async () => {
  const sim = await startMeshCoreSim({ world, tcpPort: 0, prefs: { nodeName: 'Roof', ...FAST }, nodes: DEFAULT_SIM_NODES, advertise: 'air' });
  const a = await open(sim.tcpPort!);
  const b = await open(sim.tcpPort!);
  const logged: number[] = [];
  a.on(Constants.PushCodes.LogRxData, (e: { raw: Uint8Array }) => logged.push(Packet.fromBytes(e.raw).payload_type));
  try {
    assert.is(sim.tcpHost, '127.0.0.1');
    await waitFor('contacts from adverts', () => sim.device.chat.contacts.size === 3);
    for (const c of [a, b]) {
      const contacts = await within(c.getContacts(), 'contacts');
      assert.equal(contacts.map((x: any) => x.advName).sort(), ['Alice', 'Bob', 'Hilltop Rptr']);
    }
    // Channel out: Alice (a chat node) hears "Roof: …"; the repeater keeps nothing.
    await within(a.sendChannelTextMessage(0, 'hello mesh'), 'channel OK');
    const alice = sim.mesh.node('Alice');
    await waitFor('Alice heard it', () => alice.channelHeard.length === 1);
    assert.is(alice.channelHeard[0].text, 'Roof: hello mesh');
    assert.is(sim.mesh.channelLog.at(-1)!.text, 'Roof: hello mesh');
    assert.throws(() => sim.mesh.node('Hilltop Rptr').sendChannel('Public', 'x'), (e: Error) => e.name === 'SimRoleError');
    // Channel and DM in: both clients get both, once.
    const waiting = [a, b].map((c) => new Promise((r) => c.once(Constants.PushCodes.MsgWaiting, r)));
    alice.sendChannel('Public', 'hi Roof');
    alice.sendDirect('just you');
    await within(Promise.all(waiting), 'MSG_WAITING');
    await waitFor('two queued each', () => [...sim.device.radio.sessions].every((s) => s.queue.length === 2));
    for (const c of [a, b]) {
      const msgs = await within(c.getWaitingMessages(), 'messages');
      assert.equal(msgs.map((m: any) => (m.channelMessage ?? m.contactMessage).text).sort(), ['Alice: hi Roof', 'just you']);
    }
    // DM out: SENT to a, SEND_CONFIRMED (after Alice's PATH+ACK) to both; the PATH was logged as 0x88.
    const confirmed = [a, b].map((c) => new Promise<any>((r) => c.once(Constants.PushCodes.SendConfirmed, r)));
    const sent = await within(a.sendTextMessage(alice.publicKey, 'hello Alice'), 'SENT');
    const [ca, cb] = await within(Promise.all(confirmed), 'SEND_CONFIRMED');
    assert.is(ca.ackCode, sent.expectedAckCrc);
    assert.is(cb.ackCode, sent.expectedAckCrc);
    assert.is(alice.inbox.at(-1)!.text, 'hello Alice');
    await waitFor('PATH logged', () => logged.includes(PAYLOAD_TYPE.PATH));
    // Second DM goes direct and is answered by a plain ACK, logged too.
    const again = new Promise<any>((r) => a.once(Constants.PushCodes.SendConfirmed, r));
    const sent2 = await within(a.sendTextMessage(alice.publicKey, 'again', 0), 'SENT');
    assert.is((await within(again, 'second confirm')).ackCode, sent2.expectedAckCrc);
    await waitFor('ACK logged', () => logged.includes(PAYLOAD_TYPE.ACK));
    // A lost ACK: no confirmation for that one (the app's retry is its business), the message still arrives.
    alice.loseAcks = 1;
    await within(a.sendTextMessage(alice.publicKey, 'lost ack'), 'SENT');
    await waitFor('delivered', () => alice.inbox.at(-1)?.text === 'lost ack');
    assert.is(alice.inbox.at(-1)!.acked, false);
    assert.is(toHex(sim.device.publicKey), toHex((await within(b.getSelfInfo(), 'self')).publicKey));
    // Bob is behind the repeater (on the real air): the DM floods through it, the PATH comes back with one hop.
    const bob = sim.mesh.node('Bob');
    const toBob = new Promise<any>((r) => b.once(Constants.PushCodes.SendConfirmed, r));
    const sentBob = await within(b.sendTextMessage(bob.publicKey, 'via the hill'), 'SENT');
    assert.is((await within(toBob, 'Bob confirmed')).ackCode, sentBob.expectedAckCrc);
    assert.is(bob.inbox.at(-1)!.text, 'via the hill');
    const bobContact = sim.device.chat.contacts.lookup(bob.publicKey)!;
    assert.is(bobContact.outPathLen & 63, world ? 0 : 1, 'hops on the way to Bob');
  } finally {
    await a.close();
    await b.close();
    await sim.stop();
  }
});

test.run();
