import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { CMD, ERR_CODE, PUSH, RESP } from '../codes.js';
import { FrameWriter } from '../bytes.js';
import { writeContactRecord } from '../contact-record.js';
import { decodeMessageFrame } from '../message-frames.js';
import { decodeSent, decodeSendConfirmed } from '../device-frames.js';
import { decodePacket, encodePacket, PAYLOAD_TYPE } from '../ota/packet.js';
import { newContactInfo } from './contacts-table.js';
import { companionRig, recordingClient, remoteNode } from './testing/companion-rig.js';
import { MemoryCompanionStore } from './companion-store.js';
import { transportCode } from '../ota/transport-code.js';
import { decodeLpp } from '../ota/cayenne-lpp.js';

const enc = (s: string) => new TextEncoder().encode(s);
const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];

async function rigWithBob() {
  let reboots = 0;
  const rig = companionRig({ onReboot: () => void reboots++ });
  const bob = remoteNode(rig.air, 7, 'Bob');
  bob.advert();
  await waitFor('Bob in contacts', () => rig.chat.contacts.size === 1);
  return { ...rig, bob, reboots: () => reboots };
}

test('every command code of v1.17.1 is answered as the firmware answers it (none UNSUPPORTED unless the firmware is)', async () => {
  const { dev, bob, chat, reboots } = await rigWithBob();
  const cl = recordingClient(dev);
  const pk = [...bob.id.publicKey];
  const carol = newContactInfo(new Uint8Array(32).fill(0x33), { type: 1, name: 'Carol' });
  const carolFrame = [...writeContactRecord(new FrameWriter().u8(CMD.ADD_UPDATE_CONTACT), carol).done()];
  const bobAdvert = [...chat.exportContact(chat.contacts.all()[0])!];
  const rawPacket = [...encodePacket(chat.createSelfAdvert({ type: 1, name: 'x' }))];
  const now = Math.floor(Date.now() / 1000) + 100;
  const ERR = (code: number) => [RESP.ERR, code];
  const table: Array<[string, number[], number[]]> = [
    ['APP_START', [1, 0, 0, 0, 0, 0, 0, 0, ...enc('t')], [RESP.SELF_INFO]],
    ['SEND_TXT_MSG', [2, 0, 0, ...u32(now), ...pk.slice(0, 6), ...enc('hi')], [RESP.SENT]],
    ['SEND_CHANNEL_TXT_MSG', [3, 0, 0, ...u32(now), ...enc('hi')], [RESP.OK]],
    ['GET_CONTACTS', [4], [RESP.CONTACTS_START]],
    ['GET_DEVICE_TIME', [5], [RESP.CURR_TIME]],
    ['SET_DEVICE_TIME', [6, ...u32(now + 1000)], [RESP.OK]],
    ['SEND_SELF_ADVERT', [7, 1], [RESP.OK]],
    ['SET_ADVERT_NAME', [8, ...enc('Node')], [RESP.OK]],
    ['ADD_UPDATE_CONTACT', carolFrame, [RESP.OK]],
    ['SYNC_NEXT_MESSAGE', [10], [RESP.NO_MORE_MESSAGES]],
    ['SET_RADIO_PARAMS', [11, ...u32(869618), ...u32(62500), 8, 5], [RESP.OK]],
    ['SET_RADIO_TX_POWER', [12, 10], [RESP.OK]],
    ['RESET_PATH', [13, ...pk], [RESP.OK]],
    ['SET_ADVERT_LATLON', [14, ...u32(52000000), ...u32(13000000)], [RESP.OK]],
    ['REMOVE_CONTACT', [15, ...carol.publicKey], [RESP.OK]],
    ['SHARE_CONTACT', [16, ...pk], [RESP.OK]],
    ['EXPORT_CONTACT', [17], [RESP.EXPORT_CONTACT]],
    ['IMPORT_CONTACT', [18, ...bobAdvert], [RESP.OK]],
    ['GET_BATT_AND_STORAGE', [20], [RESP.BATT_AND_STORAGE]],
    ['SET_TUNING_PARAMS', [21, ...u32(0), ...u32(1000)], [RESP.OK]],
    ['DEVICE_QUERY', [22, 3], [RESP.DEVICE_INFO]],
    ['EXPORT_PRIVATE_KEY', [23], [RESP.DISABLED]],
    ['IMPORT_PRIVATE_KEY', [24, ...new Array(64).fill(1)], [RESP.DISABLED]],
    ['SEND_RAW_DATA', [25, 0, 1, 2, 3, 4], [RESP.OK]],
    ['SEND_LOGIN', [26, ...pk, ...enc('pw')], [RESP.SENT]],
    ['SEND_STATUS_REQ', [27, ...pk], [RESP.SENT]],
    ['HAS_CONNECTION', [28, ...pk], ERR(ERR_CODE.NOT_FOUND)],
    ['LOGOUT', [29, ...pk], [RESP.OK]],
    ['GET_CONTACT_BY_KEY', [30, ...pk], [RESP.CONTACT]],
    ['GET_CHANNEL', [31, 0], [RESP.CHANNEL_INFO]],
    ['SET_CHANNEL', [32, 1, ...enc('#test'), ...new Array(27).fill(0), ...new Array(16).fill(7)], [RESP.OK]],
    ['SIGN_START', [33], [RESP.SIGN_START]],
    ['SIGN_DATA', [34, 1, 2, 3], [RESP.OK]],
    ['SIGN_FINISH', [35], [RESP.SIGNATURE]],
    ['SEND_TRACE_PATH', [36, ...u32(9), ...u32(0), 0, pk[0]], [RESP.SENT]],
    ['SET_DEVICE_PIN', [37, ...u32(123456)], [RESP.OK]],
    ['SET_OTHER_PARAMS', [38, 0, 0, 0, 0], [RESP.OK]],
    ['SEND_TELEMETRY_REQ (self)', [39, 0, 0, 0], [PUSH.TELEMETRY_RESPONSE]],
    ['SEND_TELEMETRY_REQ', [39, 0, 0, 0, ...pk], [RESP.SENT]],
    ['GET_CUSTOM_VARS', [40], [RESP.CUSTOM_VARS]],
    ['SET_CUSTOM_VAR', [41, ...enc('a:b')], ERR(ERR_CODE.ILLEGAL_ARG)],
    ['GET_ADVERT_PATH', [42, 0, ...pk], [RESP.ADVERT_PATH]],
    ['GET_TUNING_PARAMS', [43], [RESP.TUNING_PARAMS]],
    ...[44, 45, 46, 47, 48, 49, 53, 66, 0, 0xff].map((c): [string, number[], number[]] => [`code ${c} (unknown to the firmware)`, [c, 0, 0], ERR(ERR_CODE.UNSUPPORTED_CMD)]),
    ['SEND_BINARY_REQ', [50, ...pk, 1, 2], [RESP.SENT]],
    ['SEND_PATH_DISCOVERY_REQ', [52, 0, ...pk], [RESP.SENT]],
    ['SET_FLOOD_SCOPE_KEY', [54, 0], [RESP.OK]],
    ['SEND_CONTROL_DATA', [55, 0x80, 1, 2], [RESP.OK]],
    ['GET_STATS', [56, 2], [RESP.STATS]],
    ['SEND_ANON_REQ', [57, ...pk, 1, 2, 3], [RESP.SENT]],
    ['SET_AUTOADD_CONFIG', [58, 0, 0], [RESP.OK]],
    ['GET_AUTOADD_CONFIG', [59], [RESP.AUTOADD_CONFIG]],
    ['GET_ALLOWED_REPEAT_FREQ', [60], [RESP.ALLOWED_REPEAT_FREQ]],
    ['SET_PATH_HASH_MODE', [61, 0, 1], [RESP.OK]],
    ['SEND_CHANNEL_DATA', [62, 0, 0xff, 0x34, 0x12, 9, 9, 9], [RESP.OK]],
    ['SET_DEFAULT_FLOOD_SCOPE', [63], [RESP.OK]],
    ['GET_DEFAULT_FLOOD_SCOPE', [64], [RESP.DEFAULT_FLOOD_SCOPE]],
    ['SEND_RAW_PACKET', [65, 0, ...rawPacket], [RESP.OK]],
  ];
  const answered = new Set<number>();
  for (const [name, frame, want] of table) {
    const got = cl.ask(frame);
    assert.ok(got.length > 0, `${name}: no answer`);
    assert.equal([...got[0].subarray(0, want.length)], want, `${name}: answered ${[...got[0].subarray(0, 4)]}`);
    answered.add(frame[0]);
  }
  // REBOOT: no answer, the device reboots (the owner decides what that means).
  assert.equal(cl.ask([19, ...enc('reboot')]), []);
  assert.is(reboots(), 1);
  // FACTORY_RESET answers OK once the store is formatted, then reboots.
  cl.ask([51, ...enc('reset')]);
  await waitFor('factory reset answered', () => cl.frames.at(-1)?.[0] === RESP.OK && reboots() === 2);
  assert.is(chat.contacts.size, 0);
  answered.add(19).add(51);
  const firmwareCodes = Object.values(CMD) as number[];
  assert.equal(firmwareCodes.filter((c) => !answered.has(c)), [], 'every CMD_* code is in the table');
});

test('guards as the firmware: short frames fall through to ERR_CODE_UNSUPPORTED_CMD, bad arguments are refused', async () => {
  const { dev } = await rigWithBob();
  const cl = recordingClient(dev);
  const unsupported = [RESP.ERR, ERR_CODE.UNSUPPORTED_CMD];
  for (const f of [[CMD.DEVICE_QUERY], [CMD.APP_START, 0, 0], [CMD.SEND_TXT_MSG, 0, 0], [CMD.SEND_LOGIN, 1], [CMD.GET_STATS], [CMD.REBOOT, 1, 2], [CMD.SET_PATH_HASH_MODE, 1, 0]]) {
    assert.equal([...cl.ask(f)[0]], unsupported, `frame ${f}`);
  }
  assert.equal([...cl.ask([CMD.SEND_TXT_MSG, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 0x41])[0]], [RESP.ERR, ERR_CODE.NOT_FOUND]);
  assert.equal([...cl.ask([CMD.SEND_CHANNEL_TXT_MSG, 1, 0, 0, 0, 0, 0])[0]], unsupported, 'txt_type 1 on a channel');
  assert.equal([...cl.ask([CMD.SEND_CHANNEL_TXT_MSG, 0, 200, 0, 0, 0, 0, 0x41])[0]], [RESP.ERR, ERR_CODE.NOT_FOUND]);
  assert.equal([...cl.ask([CMD.SET_RADIO_TX_POWER, 30])[0]], [RESP.ERR, ERR_CODE.ILLEGAL_ARG]);
  assert.equal([...cl.ask([CMD.SET_DEVICE_TIME, 1, 0, 0, 0])[0]], [RESP.ERR, ERR_CODE.ILLEGAL_ARG], 'time backwards');
  assert.equal([...cl.ask([CMD.SIGN_FINISH])[0]], [RESP.ERR, ERR_CODE.BAD_STATE]);
  assert.equal([...cl.ask([CMD.SET_CHANNEL, 1, ...new Array(64).fill(1)])[0]], unsupported, '256-bit channel keys');
  assert.equal([...cl.ask([CMD.GET_STATS, 9])[0]], [RESP.ERR, ERR_CODE.ILLEGAL_ARG]);
  assert.equal([...cl.ask([CMD.SEND_RAW_PACKET, 0, 0xff, 0xff, 0xff])[0]], [RESP.ERR, ERR_CODE.ILLEGAL_ARG]);
});

test('DM with ACK: SENT carries the expected ACK, SEND_CONFIRMED follows the PATH+ACK, and 0x88 logs it to every client', async () => {
  const { dev, bob, air, chat } = await rigWithBob();
  bob.chat.contacts.push(newContactInfo(chat.selfKey, { type: 1, name: 'dev' }));
  const a = recordingClient(dev);
  const b = recordingClient(dev);
  const got: string[] = [];
  bob.chat.app = { onMessageRecv: (_c, _rx, ts, t) => got.push(`${ts}:${new TextDecoder().decode(t)}`) };
  const ts = 1_800_000_000;
  const reply = a.ask([CMD.SEND_TXT_MSG, 0, 0, ...u32(ts), ...bob.id.publicKey.subarray(0, 6), ...enc('hello bob')]);
  assert.is(reply.length, 1);
  assert.is(b.frames.length, 0, 'the reply goes to the asking client only');
  const s = decodeSent(reply[0]);
  assert.ok(s.flood);
  await waitFor('SEND_CONFIRMED on both clients', () => [a, b].every((c) => c.frames.some((f) => f[0] === PUSH.SEND_CONFIRMED)));
  assert.equal(got, [`${ts}:hello bob`]);
  for (const c of [a, b]) {
    const conf = decodeSendConfirmed(c.frames.find((f) => f[0] === PUSH.SEND_CONFIRMED)!);
    assert.is(conf.ackCode, s.expectedAck);
    const logged = c.frames.filter((f) => f[0] === PUSH.LOG_RX_DATA).map((f) => decodePacket(f.subarray(3)).payloadType);
    assert.ok(logged.includes(PAYLOAD_TYPE.PATH), 'the PATH carrying the ACK is logged as 0x88');
    assert.ok(c.frames.some((f) => f[0] === PUSH.PATH_UPDATED));
  }
  // Now direct: Bob answers with a plain ACK packet, logged too.
  const r2 = decodeSent(a.ask([CMD.SEND_TXT_MSG, 0, 1, ...u32(ts + 1), ...bob.id.publicKey.subarray(0, 6), ...enc('again')])[0]);
  assert.not.ok(r2.flood);
  await waitFor('second confirm', () => a.frames.filter((f) => f[0] === PUSH.SEND_CONFIRMED).length === 2);
  assert.ok(a.frames.some((f) => f[0] === PUSH.LOG_RX_DATA && decodePacket(f.subarray(3)).payloadType === PAYLOAD_TYPE.ACK), 'ACK logged as 0x88');
  assert.ok(air.frames.length > 0);
});

test('several clients: each gets every message exactly once, in the frames of the version it asked for', async () => {
  const { dev, bob, chat } = await rigWithBob();
  const legacy = recordingClient(dev);
  const v3 = recordingClient(dev);
  legacy.ask([CMD.DEVICE_QUERY, 1]);
  v3.ask([CMD.DEVICE_QUERY, 3]);
  bob.chat.contacts.push(newContactInfo(chat.selfKey, { type: 1, name: 'dev' }));
  bob.chat.sendMessage(bob.chat.contacts.all()[0], 1234, 0, enc('to you'));
  bob.chat.sendGroupMessage(1235, bob.chat.channels.get(0)!, 'Bob', enc('to all'));
  await waitFor('two MSG_WAITING each', () => [legacy, v3].every((c) => c.frames.filter((f) => f[0] === PUSH.MSG_WAITING).length === 2));
  const drain = (c: typeof legacy) => {
    const out: Uint8Array[] = [];
    for (;;) {
      const f = c.ask([CMD.SYNC_NEXT_MESSAGE])[0];
      if (f[0] === RESP.NO_MORE_MESSAGES) return out;
      out.push(f);
    }
  };
  const l = drain(legacy);
  const n = drain(v3);
  assert.equal(l.map((f) => f[0]), [RESP.CONTACT_MSG_RECV, RESP.CHANNEL_MSG_RECV]);
  assert.equal(n.map((f) => f[0]), [RESP.CONTACT_MSG_RECV_V3, RESP.CHANNEL_MSG_RECV_V3]);
  assert.equal(l.map((f) => decodeMessageFrame(f).text), ['to you', 'Bob: to all']);
  assert.equal(n.map((f) => decodeMessageFrame(f).text), ['to you', 'Bob: to all']);
  assert.is(decodeMessageFrame(n[0]).snr, 6.25);
  assert.equal(drain(legacy), []);
});

test('messages that arrive with no client attached wait for the next client; a full queue evicts channel frames first', async () => {
  const { dev, bob, chat } = companionRigWithSmallQueue();
  bob.advert();
  await waitFor('contact', () => chat.contacts.size === 1);
  bob.chat.contacts.push(newContactInfo(chat.selfKey, { type: 1, name: 'dev' }));
  bob.chat.sendGroupMessage(1, bob.chat.channels.get(0)!, 'Bob', enc('c1'));
  bob.chat.sendMessage(bob.chat.contacts.all()[0], 2, 0, enc('d1'));
  bob.chat.sendGroupMessage(3, bob.chat.channels.get(0)!, 'Bob', enc('c2'));
  await waitFor('backlog of 2', () => dev.backlog.length === 2 && bob.mesh.sent.length >= 4);
  await new Promise((r) => setTimeout(r, 20));
  const cl = recordingClient(dev);
  const texts: string[] = [];
  for (;;) {
    const f = cl.ask([CMD.SYNC_NEXT_MESSAGE])[0];
    if (f[0] === RESP.NO_MORE_MESSAGES) break;
    texts.push(decodeMessageFrame(f).text);
  }
  assert.equal(texts, ['d1', 'Bob: c2']);
});

function companionRigWithSmallQueue() {
  const rig = companionRig({ build: { offlineQueueSize: 2 } });
  const bob = remoteNode(rig.air, 7, 'Bob');
  return { ...rig, bob };
}

test('contacts persist through the store and come back on start', async () => {
  const store = new MemoryCompanionStore();
  const rig = companionRig({ store });
  const bob = remoteNode(rig.air, 7, 'Bob');
  bob.advert();
  await waitFor('contact', () => rig.chat.contacts.size === 1);
  await rig.dev.saveNow();
  const again = companionRig({ store });
  await again.dev.start();
  assert.is(again.chat.contacts.all()[0].name, 'Bob');
  assert.ok(again.chat.exportContact(again.chat.contacts.all()[0]));
  assert.is(again.chat.channels.get(0)!.name, 'Public');
});

test('a handler that throws costs one ERR answer, not the client', async () => {
  const { dev } = await rigWithBob();
  const cl = recordingClient(dev);
  dev.prefs.defaultScopeKey = undefined as unknown as Uint8Array; // a corrupt pref: GET_DEFAULT_FLOOD_SCOPE throws
  dev.prefs.defaultScopeName = 'x';
  assert.equal([...cl.ask([CMD.GET_DEFAULT_FLOOD_SCOPE])[0]], [RESP.ERR, ERR_CODE.ILLEGAL_ARG]);
  assert.is(cl.closed, undefined);
  assert.is(cl.ask([CMD.GET_DEVICE_TIME])[0][0], RESP.CURR_TIME);
});

test('flood scope: the default scope puts transport codes on our floods, a client override or "unscoped" wins for its sends', async () => {
  const { dev, mesh } = await rigWithBob();
  const cl = recordingClient(dev);
  const other = recordingClient(dev);
  const key = new Uint8Array(16).fill(0x5a);
  cl.ask([CMD.SET_DEFAULT_FLOOD_SCOPE, ...enc('#de'), ...new Array(31 - 3).fill(0), ...key]);
  assert.equal([...cl.ask([CMD.GET_DEFAULT_FLOOD_SCOPE])[0].subarray(32, 48)], [...key]);
  cl.ask([CMD.SEND_CHANNEL_TXT_MSG, 0, 0, ...u32(1), ...enc('scoped')]);
  const scoped = mesh.sent.at(-1)!;
  assert.is(scoped.packet.routeType, 0, 'TRANSPORT_FLOOD');
  assert.is(scoped.packet.transportCodes[0], transportCode(key, scoped.packet.payloadType, scoped.packet.payload));
  other.ask([CMD.SET_FLOOD_SCOPE_KEY, 1]);
  other.ask([CMD.SEND_CHANNEL_TXT_MSG, 0, 0, ...u32(2), ...enc('unscoped')]);
  assert.is(mesh.sent.at(-1)!.packet.routeType, 1, 'the other client asked for unscoped floods');
  cl.ask([CMD.SEND_CHANNEL_TXT_MSG, 0, 0, ...u32(3), ...enc('scoped again')]);
  assert.is(mesh.sent.at(-1)!.packet.routeType, 0, "one client's override is its own");
});

test('self telemetry is the battery from the injected callback as CayenneLPP; anon requests to strangers use a hidden slot', async () => {
  const { dev, chat } = await rigWithBob();
  const cl = recordingClient(dev);
  const f = cl.ask([CMD.SEND_TELEMETRY_REQ, 0, 0, 0])[0];
  assert.is(f[0], PUSH.TELEMETRY_RESPONSE);
  assert.equal(decodeLpp(f.subarray(8)).map((x) => [x.channel, x.type, x.value]), [[1, 116, 3.98]]);
  const stranger = new Uint8Array(32).fill(0x77);
  assert.is(cl.ask([CMD.SEND_ANON_REQ, ...stranger, 1, 2, 3])[0][0], RESP.SENT);
  assert.ok(chat.contacts.lookup(stranger), 'reachable for the reply');
  const listed = cl.ask([CMD.GET_CONTACTS]).filter((x) => x[0] === RESP.CONTACT);
  assert.is(listed.length, 1, 'the anon slot is not a contact');
});

test('channel data in: CHANNEL_DATA_RECV (0x1B) queued for every client with type, length and bytes', async () => {
  const { dev, bob } = await rigWithBob();
  const cl = recordingClient(dev);
  bob.chat.sendGroupData(bob.chat.channels.get(0)!, undefined, 0x1234, Uint8Array.of(9, 8, 7));
  await waitFor('MSG_WAITING', () => cl.frames.some((f) => f[0] === PUSH.MSG_WAITING));
  const f = cl.ask([CMD.SYNC_NEXT_MESSAGE])[0];
  assert.equal([...f], [RESP.CHANNEL_DATA_RECV, 25, 0, 0, 0, 0, 0x34, 0x12, 3, 9, 8, 7]);
});

test.run();
