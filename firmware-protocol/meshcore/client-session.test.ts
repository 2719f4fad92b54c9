import { test } from 'uvu';
import fc from 'fast-check';
import * as assert from 'uvu/assert';
import { MeshCoreSession } from './client-session.js';
import { SimDevice } from './sim/sim-device.js';
import { SimMesh } from './sim/sim-mesh.js';
import { connectMemoryLink } from './sim/memory-link.js';
import { toHex } from './bytes.js';
import { hashtagChannelSecret } from './channel-secret.js';
import { encodeMeshCoreFrame } from '../framing/meshcore-frame.js';
import { decodeMessageFrame, type ReceivedMessage } from './message-frames.js';
import { waitFor } from '../../lib/testing/wait-for.js';

const FAST = { freqKhz: 869618, bwHz: 500000, sf: 7, cr: 5 };

function setup(opts: { appTargetVer?: number; offlineQueueSize?: number; commandTimeoutMs?: number } = {}) {
  const device = new SimDevice({ offlineQueueSize: opts.offlineQueueSize ?? 16 });
  Object.assign(device.persistent.prefs, FAST, { nodeName: 'Roof' });
  const mesh = new SimMesh(device);
  const alice = mesh.addNode({ name: 'Alice', hops: 2 });
  const bob = mesh.addNode({ name: 'Bob' });
  alice.advert();
  bob.advert();
  const link = connectMemoryLink(device);
  const session = new MeshCoreSession(link, { appTargetVer: opts.appTargetVer, commandTimeoutMs: opts.commandTimeoutMs ?? 3000 });
  return { device, mesh, alice, bob, link, session };
}

function nextMessage(session: MeshCoreSession): Promise<ReceivedMessage> {
  return new Promise((resolve) => {
    const off = session.on('message', (m) => { off(); resolve(m); });
  });
}

test('handshake: device info, self info, time, contacts, channels', async () => {
  const { session, device, mesh } = setup();
  await session.start({ signal: AbortSignal.timeout(10000) });
  assert.is(session.deviceInfo!.firmwareVerCode, 13);
  assert.is(session.deviceInfo!.firmwareVersion, 'v1.17.1');
  assert.is(session.deviceInfo!.maxChannels, 40);
  assert.is(session.selfInfo!.name, 'Roof');
  assert.is(toHex(session.selfInfo!.publicKey), toHex(device.publicKey));
  assert.equal(session.selfInfo!.radio, FAST);
  assert.is(device.ram.appTargetVer, 3);
  assert.is(session.contacts.size, 2);
  assert.is(session.findContact(mesh.node('Alice').publicKey.subarray(0, 6))!.name, 'Alice');
  assert.is(session.channels.length, 40);
  assert.equal(session.usableChannels().map((c) => c.name), ['Public']);
  const t = await session.getDeviceTime();
  assert.ok(Math.abs(t - Date.now() / 1000) < 5, 'radio clock was set from ours');
  await session.close();
  mesh.stop();
});

test('channel messages both ways, V3 frames carry SNR', async () => {
  const { session, mesh, alice } = setup();
  await session.start();
  await session.setHashtagChannel(1, 'test');
  assert.is(toHex(session.channels[1].secret), '9cd8fcf22a47333b591d96a2b848b73f');
  const got = nextMessage(session);
  assert.ok(alice.sendChannel('#test', 'hello roof', { snr: 6.25 }));
  const m = await got;
  assert.is(m.kind, 'channel');
  if (m.kind !== 'channel') return;
  assert.is(m.channelIdx, 1);
  assert.is(m.text, 'Alice: hello roof');
  assert.is(m.snr, 6.25);
  await session.sendChannelMessage(1, 'hi all');
  assert.is(mesh.channelLog.at(-1)!.text, 'Roof: hi all');
  assert.is(mesh.channelLog.at(-1)!.channelName, '#test');
  await session.close();
  mesh.stop();
});

test('legacy frames for app_target_ver 1 (no SNR)', async () => {
  const { session, mesh, bob, device } = setup({ appTargetVer: 1 });
  await session.start();
  const got = nextMessage(session);
  bob.sendDirect('psst');
  const m = await got;
  assert.is(device.ram.offlineQueue.length, 0);
  assert.is(m.kind, 'contact');
  assert.is(m.snr, undefined);
  assert.is(m.text, 'psst');
  await session.close();
  mesh.stop();
});

test('DM: SENT then SEND_CONFIRMED with the firmware ACK code; flood ACK updates the path', async () => {
  const { session, mesh, alice, device } = setup();
  await session.start();
  const sent = await session.sendDirectMessage(alice.publicKey, 'hello alice', { senderTimestamp: 1700000000 });
  assert.ok(sent.flood);
  assert.ok(sent.expectedAck !== 0);
  const conf = await session.waitForConfirmation(sent.expectedAck, { timeoutMs: 3000 });
  assert.ok(conf);
  assert.is(conf!.ackCode, sent.expectedAck);
  assert.is(alice.inbox[0].text, 'hello alice');
  assert.ok(alice.inbox[0].acked);
  // PATH return: Alice is 2 radio hops away (one relay between), so out_path_len is 1 hash, and the cache was
  // refreshed through PUSH_CODE_PATH_UPDATED.
  assert.is(device.persistent.contacts.find((c) => toHex(c.publicKey) === alice.hex)!.outPathLen, 1);
  await waitFor('the learned path of 1 relay', () => session.findContact(alice.publicKey)!.outPathLen === 1);
  const sent2 = await session.sendDirectMessage(alice.publicKey, 'again');
  assert.not.ok(sent2.flood);
  await session.close();
  mesh.stop();
});

test('DM: lost ACK → waitForConfirmation resolves null; unknown contact is a typed error', async () => {
  const { session, mesh, alice } = setup();
  await session.start();
  alice.loseAcks = 1;
  const sent = await session.sendDirectMessage(alice.publicKey, 'lost');
  assert.is(await session.waitForConfirmation(sent.expectedAck, { timeoutMs: 300 }), null);
  try {
    await session.sendDirectMessage(new Uint8Array(32).fill(7), 'nobody');
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'MeshCoreContactUnknownError');
  }
  await session.close();
  mesh.stop();
});

test('contacts: add/update, reset path, remove; firmware errors are typed', async () => {
  const { session, mesh } = setup();
  await session.start();
  const carol = mesh.addNode({ name: 'Carol' });
  await session.addUpdateContact(carol.asContact());
  const all = await session.refreshContacts();
  assert.is(all.length, 3);
  await session.resetPath(carol.publicKey);
  await session.removeContact(carol.publicKey);
  assert.is((await session.refreshContacts()).length, 2);
  try {
    await session.removeContact(carol.publicKey);
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'MeshCoreCommandRejectedError');
    assert.is((err as { errCode: number }).errCode, 2);
  }
  await session.close();
  mesh.stop();
});

test('offline queue: queued while nobody listens, drained at start; full queue evicts oldest channel frame', async () => {
  const { session, mesh, alice, bob, device } = setup({ offlineQueueSize: 3 });
  // One at a time: two senders' packets on the air arrive in an order the air decides, and the eviction checked
  // below depends on the order of arrival.
  const queued = (text: string) => waitFor(`${text} queued (over the air)`, () => device.ram.offlineQueue.some((f) => decodeMessageFrame(f).text === text));
  alice.sendChannel('Public', 'c1');
  await queued('Alice: c1');
  bob.sendDirect('d1');
  await queued('d1');
  alice.sendChannel('Public', 'c2');
  await queued('Alice: c2');
  alice.sendChannel('Public', 'c3'); // queue full: c1 evicted
  await queued('Alice: c3');
  assert.is(device.ram.offlineQueue.length, 3);
  const got: string[] = [];
  session.on('message', (m) => got.push(m.text));
  await session.start();
  assert.equal(got, ['d1', 'Alice: c2', 'Alice: c3']);
  await session.close();
  mesh.stop();
});

test('garbage and split frames on the line are survived and counted', async () => {
  const { session, mesh, alice, link } = setup();
  await session.start();
  link.fromDevice(Uint8Array.of(0x00, 0x3e, 0xff, 0xff, 0x13, 0x3e, 0x00, 0x00));
  link.iface.splitWrites = true;
  const got = nextMessage(session);
  alice.sendChannel('Public', 'after garbage');
  assert.is((await got).text, 'Alice: after garbage');
  assert.ok(session.stats.decodeErrors >= 2);
  assert.ok(session.stats.discardedBytes >= 4);
  await session.close();
  mesh.stop();
});

test('link drop fails the command in flight with a typed error', async () => {
  const { session, mesh, link, device } = setup();
  await session.start();
  device.powerOff(); // radio stops answering
  const p = session.getDeviceTime();
  setTimeout(() => link.drop(), 20);
  try {
    await p;
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'MeshCoreLinkClosedError');
  }
  assert.not.ok(session.isReady);
  mesh.stop();
});

test('adverts: manual mode → NEW_ADVERT only; full table → CONTACTS_FULL, or overwrite-oldest → CONTACT_DELETED', async () => {
  const device = new SimDevice({ maxContacts: 2 });
  const mesh = new SimMesh(device);
  const a = mesh.addNode({ name: 'A' });
  const b = mesh.addNode({ name: 'B' });
  a.advert();
  b.advert();
  const session = new MeshCoreSession(connectMemoryLink(device));
  await session.start();
  const events: string[] = [];
  session.on('newAdvert', (c) => events.push(`new:${c.name}`));
  session.on('contactsFull', () => events.push('full'));
  session.on('contactRemoved', (k) => events.push(`removed:${toHex(k) === a.hex ? 'A' : '?'}`));
  session.on('contact', (c) => events.push(`contact:${c.name}`));
  const c = mesh.addNode({ name: 'C' });
  c.advert();
  await waitFor('2 events', () => events.length >= 2);
  assert.equal(events, ['new:C', 'full']);
  device.persistent.prefs.autoaddConfig = 0x01; // AUTO_ADD_OVERWRITE_OLDEST
  device.persistent.contacts[0].lastMod = 1; // A is the oldest
  c.advert();
  await waitFor('4 events', () => events.length >= 4);
  assert.equal(events.slice(2), ['removed:A', 'contact:C']);
  assert.equal([...session.contacts.values()].map((x) => x.name).sort(), ['B', 'C']);
  device.persistent.prefs.manualAddContacts = 1;
  device.persistent.prefs.autoaddConfig = 0;
  mesh.addNode({ name: 'D' }).advert();
  await waitFor('5 events', () => events.length >= 5);
  assert.equal(events.slice(4), ['new:D']);
  await session.close();
  mesh.stop();
});

test('a radio still booting when the port opens (ESP32 DTR reset) answers a repeated DEVICE_QUERY', async () => {
  // The lost query is noticed by its timeout (min(commandTimeoutMs, 2.5 s)): 1 s here, the radio back after 0.3 s,
  // instead of waiting out 2.5 s. The in-memory radio answers the rest of the handshake within milliseconds.
  const { session, mesh, device } = setup({ commandTimeoutMs: 1000 });
  device.powerOff();
  setTimeout(() => device.powerOn(), 300);
  await session.start({ signal: AbortSignal.timeout(20000) });
  assert.ok(session.isReady);
  assert.is(device.handled.get(0x16), 1, 'the query sent while it was off was lost');
  await session.close();
  mesh.stop();
});

test('fuzz: random radio frames (any code, any length) never break the session', async () => {
  const { session, mesh, link } = setup();
  await session.start();
  const errors: string[] = [];
  session.on('decodeError', (e) => errors.push(e.name));
  const frames = fc.sample(
    fc.tuple(fc.constantFrom(0x00, 0x01, 0x03, 0x05, 0x06, 0x07, 0x08, 0x0a, 0x10, 0x11, 0x80, 0x81, 0x82, 0x83, 0x88, 0x8a, 0x8f, 0x90, 0xff), fc.uint8Array({ maxLength: 175 })),
    300,
  );
  for (const [code, body] of frames) {
    const payload = new Uint8Array(1 + body.length);
    payload[0] = code;
    payload.set(body, 1);
    link.fromDevice(encodeMeshCoreFrame(payload, 0x3e));
    link.fromDevice(body.subarray(0, 7)); // and some loose bytes
  }
  // The injections are delivered by setImmediate in order: one more turn and they have all arrived.
  await new Promise((r) => setImmediate(r));
  // Still answering; every decode failure was reported by name, none escaped.
  const t = await session.getDeviceTime({ signal: AbortSignal.timeout(10000) });
  assert.ok(t > 0);
  assert.ok(errors.every((n) => n === 'MeshCoreReplyFormatError' || n === 'MeshCoreCommandRejectedError' || n === 'MeshCoreTimeoutError'), errors.join(','));
  await session.close();
  mesh.stop();
});

test('unknown command answers ERR_CODE_UNSUPPORTED_CMD (firmware default branch)', async () => {
  const { session, mesh, link } = setup();
  await session.start();
  const reply = new Promise<Uint8Array>((resolve) => {
    const off = session.on('frame', (f) => { off(); resolve(f); });
  });
  await link.write(encodeMeshCoreFrame(Uint8Array.of(0x7f)));
  assert.is(toHex(await reply), '0101');
  assert.is(session.stats.unsolicited, 1);
  await session.close();
  mesh.stop();
});

test.run();
