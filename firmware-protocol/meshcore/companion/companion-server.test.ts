/**
 * The TCP companion server with several clients at once, driven by the independent client @liamcottle/meshcore.js
 * (TCPConnection, legacy frames: it asks for version 1) and by raw sockets for the framing rules.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Socket } from 'node:net';
import { Constants, TCPConnection, type Connection } from '@liamcottle/meshcore.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { toHex } from '../bytes.js';
import { CMD, RESP } from '../codes.js';
import { CompanionServer } from './companion-server.js';
import { newContactInfo } from './contacts-table.js';
import { companionRig, remoteNode } from './testing/companion-rig.js';

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
  await within(connected, 'meshcore.js connected');
  return c;
}

function rawClient(port: number): Promise<{ sock: Socket; got: Buffer[]; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    const sock = connect(port, '127.0.0.1', () => resolve({ sock, got, closed }));
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.on('data', (d) => got.push(d));
    sock.on('error', () => undefined);
  });
}

async function setup() {
  const rig = companionRig({ prefs: { nodeName: 'Roof' } });
  const bob = remoteNode(rig.air, 7, 'Bob');
  bob.chat.contacts.push(newContactInfo(rig.chat.selfKey, { type: 1, name: 'Roof' }));
  bob.advert();
  await waitFor('Bob in contacts', () => rig.chat.contacts.size === 1);
  const server = new CompanionServer({ device: rig.dev, port: 0 });
  await server.start();
  return { ...rig, bob, server };
}

test('two meshcore.js clients at once: each sees every message once, DM confirmed on both, contacts from adverts', async () => {
  const { server, bob, dev, chat } = await setup();
  assert.is(server.host, '127.0.0.1');
  const a = await open(server.port);
  const b = await open(server.port);
  try {
    await waitFor('two sessions', () => dev.clients() === 2);
    for (const c of [a, b]) {
      const self = await within(c.getSelfInfo(), 'SELF_INFO');
      assert.is(self.name, 'Roof');
      assert.is(toHex(self.publicKey), toHex(chat.selfKey));
      const contacts = await within(c.getContacts(), 'contacts');
      assert.equal(contacts.map((x: any) => x.advName), ['Bob']);
    }
    const waitingA = new Promise((r) => a.once(Constants.PushCodes.MsgWaiting, r));
    const waitingB = new Promise((r) => b.once(Constants.PushCodes.MsgWaiting, r));
    bob.chat.sendGroupMessage(1800000000, bob.chat.channels.get(0)!, 'Bob', new TextEncoder().encode('hi everyone'));
    bob.chat.sendMessage(bob.chat.contacts.all()[0], 1800000001, 0, new TextEncoder().encode('hi Roof'));
    await within(Promise.all([waitingA, waitingB]), 'MSG_WAITING on both');
    await waitFor('both messages queued', () => [...dev.sessions].every((s) => s.queue.length === 2));
    for (const c of [a, b]) {
      const msgs = await within(c.getWaitingMessages(), 'messages');
      assert.equal(msgs.map((m: any) => (m.channelMessage ?? m.contactMessage).text), ['Bob: hi everyone', 'hi Roof']);
      assert.equal(await within(c.getWaitingMessages(), 'no more'), []);
    }
    // DM out from client a: SENT to a only; SEND_CONFIRMED pushed to both with the expected ACK.
    const confA = new Promise<any>((r) => a.once(Constants.PushCodes.SendConfirmed, r));
    const confB = new Promise<any>((r) => b.once(Constants.PushCodes.SendConfirmed, r));
    const sent = await within(a.sendTextMessage(bob.id.publicKey, 'hello Bob'), 'SENT');
    const [ca, cb] = await within(Promise.all([confA, confB]), 'SEND_CONFIRMED on both');
    assert.is(ca.ackCode, sent.expectedAckCrc);
    assert.is(cb.ackCode, sent.expectedAckCrc);
  } finally {
    await a.close();
    await b.close();
    await server.stop();
  }
});

test('framing as SerialWifiInterface: wrong type and over-long frames are skipped; garbage costs only that client', async () => {
  const { server, dev } = await setup();
  const good = await open(server.port);
  const raw = await rawClient(server.port);
  try {
    // A frame of type 'X' (skipped whole), a 177-byte frame (skipped), then a good GET_DEVICE_TIME.
    const skipped = Buffer.from([0x58, 2, 0, CMD.GET_DEVICE_TIME, 0]);
    const long = Buffer.concat([Buffer.from([0x3c, 177, 0]), Buffer.alloc(177, CMD.GET_DEVICE_TIME)]);
    raw.sock.write(Buffer.concat([skipped, long, Buffer.from([0x3c, 1, 0, CMD.GET_DEVICE_TIME])]));
    await waitFor('one answer', () => Buffer.concat(raw.got).length >= 8);
    const all = Buffer.concat(raw.got);
    assert.equal([...all.subarray(0, 4)], [0x3e, 5, 0, RESP.CURR_TIME]);
    assert.is(all.length, 8, 'the skipped frames got no answer');
    // Garbage (an HTTP request): that client is dropped, the other goes on.
    raw.sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(raw.closed, 'garbage client closed');
    const t = await within(good.getDeviceTime(), 'time on the good client');
    assert.ok(t.epochSecs > 0);
    await waitFor('one session left', () => dev.clients() === 1);
  } finally {
    await good.close();
    raw.sock.destroy();
    await server.stop();
  }
});

test('in-memory attach (the node\'s own gateway): same framing, its own session', async () => {
  const { server, dev } = await setup();
  const link = server.attachMemory();
  const got: Uint8Array[] = [];
  link.onData((c) => got.push(c));
  await link.write(Uint8Array.of(0x3c, 2, 0, CMD.DEVICE_QUERY, 3));
  await waitFor('DEVICE_INFO', () => got.length > 0 && got[0][3] === RESP.DEVICE_INFO);
  assert.is(dev.clients(), 1);
  assert.is([...dev.sessions][0].appTargetVer, 3);
  await link.close();
  assert.is(dev.clients(), 0);
  await server.stop();
});

test('the node\'s own client (our MeshCoreSession, as the runtime gateway uses it) over attachMemory, beside a TCP app', async () => {
  const { MeshCoreSession } = await import('../client-session.js');
  const { server, dev, bob } = await setup();
  const app = await open(server.port);
  const session = new MeshCoreSession(server.attachMemory(), { commandTimeoutMs: 5000 });
  try {
    await session.start({ signal: AbortSignal.timeout(10_000) });
    assert.is(dev.clients(), 2);
    assert.ok(session.findContact(bob.id.publicKey), 'contacts synced over the memory link');
    const got = new Promise<string>((resolve) => {
      const off = session.on('message', (m) => (off(), resolve(m.text)));
    });
    const appWaiting = new Promise((r) => app.once(Constants.PushCodes.MsgWaiting, r));
    bob.chat.sendMessage(bob.chat.contacts.all()[0], 1800000100, 0, new TextEncoder().encode('to both'));
    assert.is(await within(got, 'message on the gateway session'), 'to both');
    await within(appWaiting, 'MSG_WAITING on the app');
    const msgs = await within(app.getWaitingMessages(), 'app messages');
    assert.equal(msgs.map((m: any) => m.contactMessage.text), ['to both']);
    const sent = await session.sendDirectMessage(bob.id.publicKey, 'from the node');
    assert.ok(await session.waitForConfirmation(sent.expectedAck, { timeoutMs: 5000 }));
  } finally {
    await session.close();
    await app.close();
    await server.stop();
  }
});

test('listen errors are named', async () => {
  const { server, dev } = await setup();
  const clash = new CompanionServer({ device: dev, port: server.port });
  try {
    await clash.start();
    assert.unreachable('should not listen twice on one port');
  } catch (err) {
    assert.is((err as Error).name, 'CompanionListenError');
  }
  await server.stop();
});

test.run();
