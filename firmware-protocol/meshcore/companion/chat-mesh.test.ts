import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { identityFromSeed } from '../ota/identity.js';
import { ADV_TYPE } from '../ota/advert-data.js';
import { PAYLOAD_TYPE } from '../ota/packet.js';
import { OUT_PATH_UNKNOWN } from '../codes.js';
import { ChatMesh, type ChatApp } from './chat-mesh.js';
import { FakeAir, FakeMesh } from './testing/fake-mesh.js';
import type { ContactInfo } from './contacts-table.js';

function node(air: FakeAir, seedByte: number, app: ChatApp = {}, maxContacts = 100) {
  const id = identityFromSeed(new Uint8Array(32).fill(seedByte));
  const mesh = new FakeMesh(id, air);
  const chat = new ChatMesh({ mesh, app, maxContacts });
  mesh.setHandler(chat);
  mesh.start();
  return { id, mesh, chat };
}

test('adverts add contacts; a replayed advert changes nothing; no name → ignored', async () => {
  const air = new FakeAir();
  const discovered: Array<{ c: ContactInfo; isNew: boolean }> = [];
  const a = node(air, 1);
  const b = node(air, 2, { onDiscoveredContact: (c, isNew) => discovered.push({ c, isNew }) });
  const advert = a.chat.createSelfAdvert({ type: ADV_TYPE.CHAT, name: 'Alice', lat: 1.5, lon: -2.25 });
  a.mesh.sendFlood(advert);
  await waitFor('condition', () => b.chat.contacts.size === 1);
  const c = b.chat.contacts.all()[0];
  assert.is(c.name, 'Alice');
  assert.is(c.lat, 1500000);
  assert.is(c.lon, -2250000);
  assert.is(c.outPathLen, OUT_PATH_UNKNOWN);
  assert.is(discovered.length, 1);
  assert.is(discovered[0].isNew, false, 'v1.17.1 reports added contacts as known (PUSH_CODE_ADVERT)');
  assert.ok(b.chat.exportContact(c), 'raw advert kept for export');
  // The same advert again (a new packet hash via another route would still carry the same timestamp): replay.
  b.chat.onAdvertRecv({ packet: advert, raw: new Uint8Array(1), snrDb: 0, rssiDbm: 0, receivedAt: 0 },
    { publicKey: a.id.publicKey, timestamp: c.lastAdvert, appData: advert.payload.slice(100) });
  assert.is(discovered.length, 1);
  a.mesh.sendFlood(a.chat.createSelfAdvert({ type: ADV_TYPE.CHAT }));
  await new Promise((r) => setImmediate(r));
  assert.is(b.chat.contacts.size, 1);
});

test('DM: expected ACK computed as the firmware; the receiver answers PATH+ACK; the sender learns the path', async () => {
  const air = new FakeAir();
  const acks: number[] = [];
  const got: string[] = [];
  const paths: string[] = [];
  const a = node(air, 1, { processAck: (ack) => (acks.push(ack), undefined), onContactPathUpdated: (c) => paths.push(c.name) });
  const b = node(air, 2, { onMessageRecv: (_c, _rx, ts, text) => got.push(`${ts}:${new TextDecoder().decode(text)}`) });
  a.mesh.sendFlood(a.chat.createSelfAdvert({ type: ADV_TYPE.CHAT, name: 'A' }));
  b.mesh.sendFlood(b.chat.createSelfAdvert({ type: ADV_TYPE.CHAT, name: 'B' }));
  await waitFor('condition', () => a.chat.contacts.size === 1 && b.chat.contacts.size === 1);
  const toB = a.chat.contacts.all()[0];
  const r = a.chat.sendMessage(toB, 1700000000, 0, new TextEncoder().encode('hello'))!;
  assert.ok(r.flood);
  assert.is(r.estTimeoutMs, Math.trunc(500 + 16 * a.mesh.airtimeMs(2 + a.mesh.sent.at(-1)!.packet.payload.length)));
  await waitFor('condition', () => acks.length === 1);
  assert.equal(got, ['1700000000:hello']);
  assert.is(acks[0], r.code, 'the ACK in the PATH return is the expected ACK');
  assert.equal(paths, ['B']);
  assert.is(toB.outPathLen, 0, 'zero hops on the fake air');
  const pathSend = b.mesh.sent.find((s) => s.packet.payloadType === PAYLOAD_TYPE.PATH);
  assert.ok(pathSend && pathSend.kind === 'flood', 'a flood DM is answered by a flooded PATH carrying the ACK');
  // Now direct: the reply is a plain ACK sent direct.
  const r2 = a.chat.sendMessage(toB, 1700000001, 1, new TextEncoder().encode('again'))!;
  assert.not.ok(r2.flood);
  assert.is(r2.estTimeoutMs, Math.trunc(500 + (Math.floor(a.mesh.airtimeMs(2 + a.mesh.sent.at(-1)!.packet.payload.length)) * 6 + 250) * 1));
});

test('over-long DM text fails (MSG_SEND_FAILED); attempt > 3 leaves 2 bytes less', () => {
  const air = new FakeAir();
  const a = node(air, 1);
  const c = { publicKey: new Uint8Array(32).fill(9), type: 1, flags: 0, outPathLen: 0xff, outPath: new Uint8Array(64), name: 'x', lastAdvert: 0, lat: 0, lon: 0, lastMod: 0, syncSince: 0 };
  assert.ok(a.chat.sendMessage(c, 1, 0, new Uint8Array(160).fill(0x41)));
  assert.is(a.chat.sendMessage(c, 1, 0, new Uint8Array(161).fill(0x41)), undefined);
  assert.is(a.chat.sendMessage(c, 1, 4, new Uint8Array(159).fill(0x41)), undefined);
});

test('channel text: "<name>: text" within 160 bytes, received on the matching slot only', async () => {
  const air = new FakeAir();
  const heard: string[] = [];
  const a = node(air, 1);
  const b = node(air, 2, { onChannelMessageRecv: (ch, _rx, _ts, text) => heard.push(`${ch.index}/${ch.name}:${new TextDecoder().decode(text)}`) });
  a.chat.sendGroupMessage(5, a.chat.channels.get(0)!, 'Alice', new TextEncoder().encode('hi all'));
  await waitFor('condition', () => heard.length === 1);
  assert.equal(heard, ['0/Public:Alice: hi all']);
  a.chat.sendGroupMessage(6, a.chat.channels.get(0)!, 'Alice', new Uint8Array(200).fill(0x42));
  await waitFor('condition', () => heard.length === 2);
  assert.is(new TextEncoder().encode(heard[1].slice('0/Public:'.length)).length, 160);
});

test('contacts full: overwrite-oldest evicts the oldest non-favourite, else CONTACTS_FULL and discovered only', async () => {
  const air = new FakeAir();
  const events: string[] = [];
  let overwrite = false;
  const b = node(air, 2, {
    shouldOverwriteWhenFull: () => overwrite,
    onContactsFull: () => events.push('full'),
    onContactOverwrite: () => events.push('overwrite'),
    onDiscoveredContact: (c, isNew) => events.push(`${c.name}:${isNew ? 'new' : 'known'}`),
  }, 1);
  const a1 = node(air, 3);
  const a2 = node(air, 4);
  a1.mesh.sendFlood(a1.chat.createSelfAdvert({ type: ADV_TYPE.CHAT, name: 'one' }));
  await waitFor('condition', () => b.chat.contacts.size === 1);
  a2.mesh.sendFlood(a2.chat.createSelfAdvert({ type: ADV_TYPE.CHAT, name: 'two' }));
  await waitFor('condition', () => events.includes('full'));
  assert.equal(events, ['one:known', 'two:new', 'full']);
  overwrite = true;
  a2.mesh.rtc = () => Math.floor(Date.now() / 1000) + 5;
  a2.mesh.sendFlood(a2.chat.createSelfAdvert({ type: ADV_TYPE.CHAT, name: 'two' }));
  await waitFor('condition', () => events.includes('overwrite'));
  assert.is(b.chat.contacts.all()[0].name, 'two');
});

test('auto-add off for a type → discovered (new), not added; max hops', async () => {
  const air = new FakeAir();
  const events: string[] = [];
  const b = node(air, 2, { shouldAutoAddContactType: (t) => t !== ADV_TYPE.REPEATER, onDiscoveredContact: (c, n) => events.push(`${c.name}:${n}`) });
  const r = node(air, 5);
  r.mesh.sendFlood(r.chat.createSelfAdvert({ type: ADV_TYPE.REPEATER, name: 'rpt' }));
  await waitFor('condition', () => events.length === 1);
  assert.equal(events, ['rpt:true']);
  assert.is(b.chat.contacts.size, 0);
});

test('import: a signed advert is added; a forged one is accepted and dropped', async () => {
  const air = new FakeAir();
  const a = node(air, 1);
  const b = node(air, 2);
  const { encodePacket } = await import('../ota/packet.js');
  const raw = encodePacket(a.chat.createSelfAdvert({ type: ADV_TYPE.CHAT, name: 'Imported' }));
  const forged = raw.slice();
  forged[forged.length - 1] ^= 1;
  assert.ok(b.chat.importContact(forged));
  assert.is(b.chat.contacts.size, 0);
  assert.ok(b.chat.importContact(raw));
  assert.is(b.chat.contacts.all()[0].name, 'Imported');
  assert.not.ok(b.chat.importContact(Uint8Array.of(0x11, 0)));
});

test.run();
