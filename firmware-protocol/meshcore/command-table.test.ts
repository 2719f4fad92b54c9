import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as C from './command-table.js';
import { MeshCoreFrameDecoder, encodeMeshCoreFrame } from '../framing/meshcore-frame.js';
import { decodeMessageFrame, encodeMessageFrame, splitChannelText } from './message-frames.js';
import {
  decodeBattAndStorage, decodeChannelInfo, decodeDeviceInfo, decodeSelfInfo, decodeSendConfirmed, decodeSent,
  encodeDeviceInfo,
} from './device-frames.js';
import { CONTACT_RECORD_SIZE } from './contact-record.js';
import { hashtagChannelSecret, channelHash, PUBLIC_CHANNEL_SECRET } from './channel-secret.js';
import { truncateUtf8, toHex } from './bytes.js';
import { CMD } from './codes.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const PK = hex('a1b2c3d4e5f6'.padEnd(64, '0'));

// Command encodings, checked against MyMesh.cpp handleCmdFrame field order.
const COMMANDS: Array<{ name: string; bytes: Uint8Array; wire: string }> = [
  { name: 'DEVICE_QUERY v3', bytes: C.deviceQuery.encode({ appTargetVer: 3 }), wire: '16 03' },
  { name: 'APP_START', bytes: C.appStart.encode({ appName: 'mccli', appVer: 3 }), wire: '01 03 000000000000 6d63636c69' },
  { name: 'GET_CONTACTS', bytes: C.getContacts.encode({}), wire: '04' },
  { name: 'GET_CONTACTS since', bytes: C.getContacts.encode({ since: 0x01020304 }), wire: '04 04030201' },
  { name: 'SET_DEVICE_TIME', bytes: C.setDeviceTime.encode({ epochSecs: 1700000000 }), wire: '06 00f15365' },
  { name: 'SEND_TXT_MSG', bytes: C.sendTxtMsg.encode({ publicKey: PK, text: 'hi', attempt: 1, senderTimestamp: 1700000000 }), wire: '02 00 01 00f15365 a1b2c3d4e5f6 6869' },
  { name: 'SEND_CHANNEL_TXT_MSG', bytes: C.sendChannelTxtMsg.encode({ channelIdx: 0, text: 'hi', senderTimestamp: 1700000000 }), wire: '03 00 00 00f15365 6869' },
  { name: 'SYNC_NEXT_MESSAGE', bytes: C.syncNextMessage.encode(), wire: '0a' },
  { name: 'GET_CHANNEL 1', bytes: C.getChannel.encode({ index: 1 }), wire: '1f 01' },
  { name: 'SEND_SELF_ADVERT flood', bytes: C.sendSelfAdvert.encode({ flood: true }), wire: '07 01' },
  { name: 'RESET_PATH', bytes: C.resetPath.encode({ publicKey: PK }), wire: '0d' + toHex(PK) },
  { name: 'SET_RADIO_PARAMS', bytes: C.setRadioParams.encode({ freqKhz: 869618, bwHz: 62500, sf: 8, cr: 5 }), wire: '0b f2440d00 24f40000 08 05' },
  { name: 'REBOOT', bytes: C.REBOOT_FRAME, wire: '13 7265626f6f74' },
];

for (const c of COMMANDS) {
  test(`encode ${c.name}`, () => assert.is(toHex(c.bytes), c.wire.replace(/\s+/g, '')));
}

test('wire example: DEVICE_QUERY framed', () => {
  assert.is(toHex(encodeMeshCoreFrame(C.deviceQuery.encode({ appTargetVer: 3 }))), '3c02001603');
});

test('SET_CHANNEL is 50 bytes: idx · name[32] · secret[16]', () => {
  const b = C.setChannel.encode({ index: 2, name: '#test', secret: hashtagChannelSecret('#test') });
  assert.is(b.length, 50);
  assert.is(b[0], CMD.SET_CHANNEL);
  assert.is(toHex(b.subarray(34)), '9cd8fcf22a47333b591d96a2b848b73f');
});

test('ADD_UPDATE_CONTACT carries the 147-byte record (a 148-byte CONTACT frame; lastmod optional)', () => {
  assert.is(CONTACT_RECORD_SIZE, 147);
  const c = { publicKey: PK, type: 1, flags: 0, outPathLen: 0xff, outPath: new Uint8Array(64), name: 'Alice', lastAdvert: 5, lat: -1, lon: 2, lastMod: 0 };
  assert.is(C.addUpdateContact.encode(c).length, 1 + 143);
  assert.is(C.addUpdateContact.encode({ ...c, lastMod: 9 }).length, 1 + 147);
});

test('argument limits are enforced before anything is written', () => {
  const long = 'x'.repeat(161);
  assert.throws(() => C.sendTxtMsg.encode({ publicKey: PK, text: long, attempt: 0, senderTimestamp: 0 }), (e: Error) => e.name === 'MeshCoreArgumentError');
  assert.throws(() => C.sendTxtMsg.encode({ publicKey: PK, text: 'x'.repeat(159), attempt: 4, senderTimestamp: 0 }), (e: Error) => e.name === 'MeshCoreArgumentError');
  assert.throws(() => C.setChannel.encode({ index: 0, name: 'x', secret: new Uint8Array(32) }), (e: Error) => e.name === 'MeshCoreArgumentError');
  assert.throws(() => C.resetPath.encode({ publicKey: new Uint8Array(6) }), (e: Error) => e.name === 'MeshCoreArgumentError');
});

// Reply vectors: each pushed through the host decoder whole, in two chunks and byte by byte.
function viaDecoder(payload: Uint8Array, split: 'whole' | 'halves' | 'bytes'): Uint8Array {
  const wire = encodeMeshCoreFrame(payload, 0x3e);
  const d = new MeshCoreFrameDecoder();
  const out: Uint8Array[] = [];
  if (split === 'whole') out.push(...d.push(wire));
  else if (split === 'halves') out.push(...d.push(wire.subarray(0, 5)), ...d.push(wire.subarray(5)));
  else for (const b of wire) out.push(...d.push(Uint8Array.of(b)));
  assert.is(out.length, 1);
  return out[0];
}

const REPLIES: Array<{ name: string; payload: string; check: (f: Uint8Array) => void }> = [
  { name: 'SENT', payload: '06 01 78563412 e8030000', check: (f) => assert.equal(decodeSent(f), { flood: true, expectedAck: 0x12345678, estTimeoutMs: 1000 }) },
  { name: 'SEND_CONFIRMED (ack u32 + rtt u32, not a 6-byte code)', payload: '82 78563412 2c010000', check: (f) => assert.equal(decodeSendConfirmed(f), { ackCode: 0x12345678, roundTripMs: 300 }) },
  {
    name: 'CHANNEL_MSG_RECV_V3', payload: '11 19 00 00 03 02 00 00f15365 ' + toHex(Buffer.from('Alice: hi')),
    check: (f) => assert.equal(decodeMessageFrame(f), { kind: 'channel', channelIdx: 3, pathLen: 2, txtType: 0, senderTimestamp: 1700000000, text: 'Alice: hi', snr: 6.25 }),
  },
  {
    name: 'CHANNEL_MSG_RECV (legacy)', payload: '08 00 ff 00 00f15365 6869',
    check: (f) => assert.equal(decodeMessageFrame(f), { kind: 'channel', channelIdx: 0, pathLen: 0xff, txtType: 0, senderTimestamp: 1700000000, text: 'hi', snr: undefined }),
  },
  {
    name: 'CONTACT_MSG_RECV_V3 negative SNR', payload: '10 f6 00 00 a1b2c3d4e5f6 01 00 00f15365 6869',
    check: (f) => {
      const m = decodeMessageFrame(f);
      assert.is(m.snr, -2.5);
      assert.is(m.kind, 'contact');
      if (m.kind === 'contact') assert.is(toHex(m.pubKeyPrefix), 'a1b2c3d4e5f6');
    },
  },
  {
    name: 'CONTACT_MSG_RECV signed (room server post: author prefix)', payload: '07 a1b2c3d4e5f6 00 02 00f15365 01020304 6869',
    check: (f) => {
      const m = decodeMessageFrame(f);
      assert.is(m.text, 'hi');
      if (m.kind === 'contact') assert.is(toHex(m.authorPrefix!), '01020304');
    },
  },
  {
    name: 'CHANNEL_INFO', payload: '12 00 ' + toHex(Buffer.from('Public')).padEnd(64, '0') + '8b3387e9c5cdea6ac9e5edbaa115cd72',
    check: (f) => {
      const c = decodeChannelInfo(f);
      assert.is(c.name, 'Public');
      assert.is(toHex(c.secret), toHex(PUBLIC_CHANNEL_SECRET));
    },
  },
  { name: 'BATT_AND_STORAGE', payload: '0c 1810 0c000000 00040000', check: (f) => assert.equal(decodeBattAndStorage(f), { batteryMilliVolts: 4120, storageUsedKb: 12, storageTotalKb: 1024 }) },
  { name: 'BATT (old firmware, voltage only)', payload: '0c 1810', check: (f) => assert.equal(decodeBattAndStorage(f), { batteryMilliVolts: 4120 }) },
  { name: 'DEVICE_INFO (old firmware: code + version only)', payload: '0d 02', check: (f) => assert.equal(decodeDeviceInfo(f), { firmwareVerCode: 2 }) },
];

for (const r of REPLIES) {
  for (const split of ['whole', 'halves', 'bytes'] as const) {
    test(`decode ${r.name} (${split})`, () => r.check(viaDecoder(hex(r.payload), split)));
  }
}

test('DEVICE_INFO of a v1.17 build is 82 bytes and round-trips', () => {
  const info = { firmwareVerCode: 13, maxContacts: 350, maxChannels: 40, blePin: 123456, buildDate: '14 Aug 2026', manufacturer: 'Heltec V3', firmwareVersion: 'v1.17.1', repeat: false, pathHashMode: 0 };
  const f = encodeDeviceInfo(info);
  assert.is(f.length, 82);
  assert.equal(decodeDeviceInfo(f), info);
});

test('message frames round-trip in both versions; the firmware byte-cuts long text at 176', () => {
  const m = { kind: 'channel' as const, channelIdx: 1, pathLen: 0, txtType: 0, senderTimestamp: 7, text: 'Bob: é'.repeat(40), snr: 3 };
  const v3 = encodeMessageFrame(m, true);
  assert.is(v3.length, 176);
  const back = decodeMessageFrame(v3);
  assert.ok(m.text.startsWith(back.text.replace(/\uFFFD$/, '')));
  const v1 = decodeMessageFrame(encodeMessageFrame({ ...m, text: 'Bob: x' }, false));
  assert.equal(v1, { ...m, text: 'Bob: x', snr: undefined });
});

test('hashtag channel secret and channel hash (MeshCore:docs/companion_protocol.md, BaseChatMesh::setChannel)', () => {
  assert.is(toHex(hashtagChannelSecret('#test')), '9cd8fcf22a47333b591d96a2b848b73f');
  assert.is(toHex(hashtagChannelSecret('test')), '9cd8fcf22a47333b591d96a2b848b73f');
  assert.is(channelHash(PUBLIC_CHANNEL_SECRET), 0x11);
});

test('splitChannelText and truncateUtf8', () => {
  assert.equal(splitChannelText('Alice: hi: there'), { senderName: 'Alice', body: 'hi: there' });
  assert.equal(splitChannelText('no name'), { body: 'no name' });
  const t = truncateUtf8('aé€😀', 5);
  assert.is(Buffer.from(t.bytes).toString(), 'aé');
  assert.ok(t.truncated);
});

test('SELF_INFO decodes the v1.17 layout', () => {
  const f = hex('05 01 14 16' + toHex(PK) + '00000000 00000000 00 00 00 00 f2440d00 24f40000 08 05' + toHex(Buffer.from('Roof')));
  const s = decodeSelfInfo(f);
  assert.is(s.name, 'Roof');
  assert.equal(s.radio, { freqKhz: 869618, bwHz: 62500, sf: 8, cr: 5 });
  assert.is(s.txPower, 20);
});

test('hostile input: every reply decoder either decodes or throws MeshCoreReplyFormatError', () => {
  const decoders = [decodeSent, decodeSendConfirmed, decodeMessageFrame, decodeChannelInfo, decodeBattAndStorage, decodeDeviceInfo, decodeSelfInfo,
    (f: Uint8Array) => C.getContacts.decode([f]), (f: Uint8Array) => C.syncNextMessage.decode([f])];
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 176 }), (f) => {
      for (const d of decoders) {
        try {
          d(f);
        } catch (err) {
          if ((err as Error).name !== 'MeshCoreReplyFormatError') return false;
        }
      }
      return true;
    }),
    { numRuns: 1000 },
  );
});

test('command table: one entry per code, each with reply codes', () => {
  assert.ok(C.COMMAND_TABLE.size >= 18);
  for (const [code, spec] of C.COMMAND_TABLE) {
    assert.is(spec.code, code);
    assert.ok(spec.replies.length > 0, spec.name);
    assert.ok(spec.waitsFor.length > 0);
  }
});

test.run();
