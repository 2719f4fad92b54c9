/**
 * Fidelity: the independent client @liamcottle/meshcore.js (what many MeshCore tools use) drives the simulator over
 * TCP and over a real PTY. If the simulator drifted from the firmware's wire format, this client would misparse it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Advert, Constants, NodeJSSerialConnection, Packet, TCPConnection, type Connection } from '@liamcottle/meshcore.js';
import { startMeshCoreSim, type MeshCoreSim } from './start-sim.js';
import { toHex } from '../bytes.js';

const NODES = [{ name: 'Alice', hops: 2 }, { name: 'Bob', hops: 1 }];
const RADIO = { bwHz: 500000, sf: 7, cr: 5 };

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

function event<T = any>(conn: Connection, name: string | number): Promise<T> {
  return new Promise((resolve) => conn.once(name, (x: T) => resolve(x)));
}

async function exercise(conn: Connection, sim: MeshCoreSim): Promise<void> {
  const T = 8000;
  // meshcore.js sends DEVICE_QUERY(1) on open, so the radio keeps the legacy (pre-V3) message frames.
  assert.is(sim.device.ram.appTargetVer, 1);
  const self = await withTimeout(conn.getSelfInfo(), T, 'SELF_INFO');
  assert.is(self.name, 'Roof');
  assert.is(toHex(self.publicKey), toHex(sim.device.publicKey));
  assert.is(self.radioSf, 7);
  assert.is(self.radioBw, 500000);

  // Contacts: the two advertised nodes, then add/update and remove through the independent encoder.
  const contacts = await withTimeout(conn.getContacts(), T, 'contacts');
  assert.equal(contacts.map((c: any) => c.advName).sort(), ['Alice', 'Bob']);
  const alice = sim.mesh.node('Alice');
  assert.is(toHex(contacts.find((c: any) => c.advName === 'Alice').publicKey), alice.hex);
  const carol = sim.mesh.addNode({ name: 'Carol' });
  await withTimeout(conn.addOrUpdateContact(carol.publicKey, 1, 0, -1, new Uint8Array(64), 'Carol', 1700000000, 0, 0), T, 'add contact');
  assert.equal((await withTimeout(conn.getContacts(), T, 'contacts')).map((c: any) => c.advName).sort(), ['Alice', 'Bob', 'Carol']);
  await withTimeout(conn.removeContact(carol.publicKey), T, 'remove contact');
  assert.is((await withTimeout(conn.getContacts(), T, 'contacts')).length, 2);

  // Channel message in: MSG_WAITING push, then SYNC_NEXT_MESSAGE returns the legacy 0x08 frame.
  const waiting = event(conn, Constants.PushCodes.MsgWaiting);
  assert.ok(alice.sendChannel('Public', 'hello from the mesh'));
  await withTimeout(waiting, T, 'MSG_WAITING');
  const msgs = await withTimeout(conn.getWaitingMessages(), T, 'waiting messages');
  assert.is(msgs.length, 1);
  assert.is(msgs[0].channelMessage.channelIdx, 0);
  assert.is(msgs[0].channelMessage.text, 'Alice: hello from the mesh');

  // Channel message out: the radio prefixes its own name.
  await withTimeout(conn.sendChannelTextMessage(0, 'hello mesh'), T, 'channel send OK');
  assert.is(sim.mesh.channelLog.at(-1)!.text, 'Roof: hello mesh');

  // DM out: SENT carries the expected ACK; the node ACKs; SEND_CONFIRMED repeats that code.
  const confirmed = event<{ ackCode: number; roundTrip: number }>(conn, Constants.PushCodes.SendConfirmed);
  const sent = await withTimeout(conn.sendTextMessage(alice.publicKey, 'hi alice'), T, 'SENT');
  assert.is(sent.result, 1, 'no path yet: flood');
  const c = await withTimeout(confirmed, T, 'SEND_CONFIRMED');
  assert.is(c.ackCode, sent.expectedAckCrc);
  assert.is(alice.inbox.at(-1)!.text, 'hi alice');

  // DM in.
  const waiting2 = event(conn, Constants.PushCodes.MsgWaiting);
  assert.ok(sim.mesh.node('Bob').sendDirect('psst'));
  await withTimeout(waiting2, T, 'MSG_WAITING');
  const dm = await withTimeout(conn.syncNextMessage(), T, 'DM');
  assert.is(dm.contactMessage.text, 'psst');
  assert.is(toHex(dm.contactMessage.pubKeyPrefix), sim.mesh.node('Bob').hex.slice(0, 12));
  assert.is(await withTimeout(conn.syncNextMessage(), T, 'NO_MORE_MESSAGES'), null);

  // Settings, export/import and stats, through meshcore.js's own encoders and parsers.
  await withTimeout(conn.setAdvertLatLong(52370216, 4895168), T, 'set lat/lon');
  assert.is((await withTimeout(conn.getSelfInfo(), T, 'SELF_INFO')).advLat, 52370216);
  await withTimeout(conn.setAdvertLatLong(91000000, 0), T, 'bad lat').then(() => assert.unreachable('accepted lat 91°'), () => undefined);
  const selfExport = await withTimeout(conn.exportContact(), T, 'export self');
  const selfAdvert = Advert.fromBytes(Packet.fromBytes(selfExport.advertPacketBytes).payload);
  assert.ok(await selfAdvert.isVerified());
  assert.is(selfAdvert.parsed.name, 'Roof');
  const exported = await withTimeout(conn.exportContact(alice.publicKey), T, 'export Alice');
  await withTimeout(conn.removeContact(alice.publicKey), T, 'remove Alice');
  await withTimeout(conn.exportContact(alice.publicKey), T, 'export removed').then(() => assert.unreachable('exported a removed contact'), () => undefined);
  await withTimeout(conn.importContact(exported.advertPacketBytes), T, 'import Alice');
  assert.ok((await withTimeout(conn.getContacts(), T, 'contacts')).some((c: any) => c.advName === 'Alice'));
  const packets = await withTimeout(conn.getStats(2), T, 'packet stats');
  // Heard over the air: the channel text, the PATH carrying the ACK, the DM (the start adverts were handed over).
  assert.ok(packets.data.recv >= 3);
  assert.ok(packets.data.sent >= 2);
}

async function connected(conn: Connection): Promise<void> {
  const ready = event(conn, 'connected');
  await conn.connect();
  await withTimeout(ready, 10000, 'meshcore.js connected');
}

function closed(conn: Connection): Promise<void> {
  return event(conn, 'disconnected');
}

test('meshcore.js over TCP', async () => {
  const sim = await startMeshCoreSim({ tcpPort: 0, nodes: NODES, radio: RADIO, nodeName: 'Roof' });
  const conn = new TCPConnection('127.0.0.1', sim.tcpPort!);
  try {
    await connected(conn);
    await exercise(conn, sim);
  } finally {
    const gone = closed(conn);
    await conn.close();
    await withTimeout(gone, 5000, 'disconnect');
    await sim.stop();
  }
});

test('meshcore.js over TCP: a second client replaces the first (single-client firmware, tcpSingleClient)', async () => {
  const sim = await startMeshCoreSim({ tcpPort: 0, nodes: NODES, radio: RADIO, nodeName: 'Roof', tcpSingleClient: true });
  const first = new TCPConnection('127.0.0.1', sim.tcpPort!);
  const second = new TCPConnection('127.0.0.1', sim.tcpPort!);
  try {
    await connected(first);
    const firstGone = closed(first);
    await connected(second);
    await withTimeout(firstGone, 5000, 'first client dropped');
    const self = await withTimeout(second.getSelfInfo(), 5000, 'SELF_INFO on the second client');
    assert.is(self.name, 'Roof');
  } finally {
    await second.close();
    await sim.stop();
  }
});

test('meshcore.js over a PTY (NodeJSSerialConnection)', async () => {
  const sim = await startMeshCoreSim({ pty: true, nodes: NODES, radio: RADIO, nodeName: 'Roof' });
  const conn = new NodeJSSerialConnection(sim.ptyPath!);
  try {
    await connected(conn);
    await exercise(conn, sim);
  } finally {
    const gone = closed(conn);
    await conn.close();
    await withTimeout(gone, 5000, 'serial close');
    await sim.stop();
  }
});

test.run();
