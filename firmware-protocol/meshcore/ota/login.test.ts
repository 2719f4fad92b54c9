/** Login ANON_REQ / RESPONSE plaintexts against BaseChatMesh::sendLogin, MyMesh::handleLoginReq / onAnonDataRecv. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decodeLoginResponse,
  decodeRepeaterAnonRequest,
  decodeRoomLoginRequest,
  encodeLoginRequest,
  encodeLoginResponse,
} from './login.js';
import { encryptThenMac, macThenDecrypt } from './cipher.js';
import { FIRMWARE_VER_LEVEL_REPEATER, PERM_ACL } from './request-codes.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const layout = (e: Error) => e.name === 'MeshCoreMalformedPacketError' && (e as unknown as { reason: string }).reason === 'payload-layout';

test('repeater login request: ts u32 LE · password (no NUL), room: ts · sync_since · password', () => {
  assert.is(hex(encodeLoginRequest({ timestamp: 0x665f1a2b, password: 'hunter2' })), '2b1a5f66' + hex(new TextEncoder().encode('hunter2')));
  assert.is(hex(encodeLoginRequest({ timestamp: 1, syncSince: 0x01020304, password: 'pw' })), '01000000' + '04030201' + '7077');
  assert.is(encodeLoginRequest({ timestamp: 1, password: '' }).length, 4);
});

test('passwords are cut at 15 bytes as sendLogin does (strlen, max 15)', () => {
  const r = encodeLoginRequest({ timestamp: 7, password: 'abcdefghijklmnopqrstuvwxyz' });
  assert.is(new TextDecoder().decode(r.subarray(4)), 'abcdefghijklmno');
});

test('decode after the cipher: zero padding ends the password (data[len] = 0; strcmp)', () => {
  const secret = new Uint8Array(32).fill(5);
  const plain = macThenDecrypt(secret, encryptThenMac(secret, encodeLoginRequest({ timestamp: 0x11223344, password: 'change-me' })))!;
  assert.is(plain.length, 16);
  const r = decodeRepeaterAnonRequest(plain);
  assert.equal(r.kind, 'login');
  assert.is(r.timestamp, 0x11223344);
  assert.is(r.kind === 'login' && r.password, 'change-me');
  const room = decodeRoomLoginRequest(macThenDecrypt(secret, encryptThenMac(secret, encodeLoginRequest({ timestamp: 9, syncSince: 1700000000, password: 'room' })))!);
  assert.is(room.syncSince, 1700000000);
  assert.is(room.password, 'room');
});

test('a blank password (byte 4 = 0) is a login: "already in the ACL"', () => {
  const r = decodeRepeaterAnonRequest(bytes('0a000000 00 000000000000000000000000'));
  assert.is(r.kind, 'login');
  assert.is(r.kind === 'login' && r.passwordBytes.length, 0);
});

test('byte 4 in 1..3 is a sub-request with a reply path (1/2/3-byte hashes); others below " " refused', () => {
  const regions = decodeRepeaterAnonRequest(bytes('01000000 01 02 aabb 0000000000000000'));
  assert.equal({ ...regions, replyPath: hex((regions as { replyPath: Uint8Array }).replyPath) }, { kind: 'regions', timestamp: 1, replyPathLen: 2, replyPath: 'aabb' });
  const owner = decodeRepeaterAnonRequest(bytes('02000000 02 42 a1a2a3a4 00000000000000'));
  assert.is(owner.kind, 'owner');
  assert.is(hex((owner as { replyPath: Uint8Array }).replyPath), 'a1a2a3a4');
  assert.is(decodeRepeaterAnonRequest(bytes('03000000 03 00 000000000000000000')).kind, 'basic');
  assert.throws(() => decodeRepeaterAnonRequest(bytes('03000000 04 00 000000000000000000')), layout);
  assert.throws(() => decodeRepeaterAnonRequest(bytes('03000000 1f 00 000000000000000000')), layout);
  assert.throws(() => decodeRepeaterAnonRequest(bytes('03000000 01 c1 aa')), layout, 'size code 3');
  assert.throws(() => decodeRepeaterAnonRequest(bytes('03000000 01 05 aabb')), layout, 'path past the data');
  assert.throws(() => decodeRepeaterAnonRequest(bytes('030000')), layout);
});

test('login response: 13 bytes exactly as handleLoginReq writes them', () => {
  const r = encodeLoginResponse({ serverTime: 0x65000000, adminFlag: 1, permissions: PERM_ACL.ADMIN, random: bytes('deadbeef'), firmwareVerLevel: FIRMWARE_VER_LEVEL_REPEATER });
  assert.is(hex(r), '00000065' + '00' + '00' + '01' + '03' + 'deadbeef' + '02');
  const d = decodeLoginResponse(r);
  assert.is(d.kind, 'ok');
  if (d.kind === 'ok') {
    assert.is(d.serverTime, 0x65000000);
    assert.is(d.adminFlag, 1);
    assert.is(d.permissions, 3);
    assert.is(d.firmwareVerLevel, 2);
    assert.is(hex(d.random), 'deadbeef');
  }
});

test('companion side: legacy "OK", non-zero code = fail, short = layout error', () => {
  assert.equal(decodeLoginResponse(bytes('01000000 4f4b 00000000000000000000')), { kind: 'legacy-ok', serverTime: 1 });
  assert.equal(decodeLoginResponse(bytes('02000000 05 00000000000000000000000')), { kind: 'fail', serverTime: 2 });
  assert.throws(() => decodeLoginResponse(bytes('02000000')), layout);
  assert.throws(() => decodeLoginResponse(bytes('0200000000')), layout);
  assert.throws(() => encodeLoginResponse({ serverTime: 0, adminFlag: 0, permissions: 0, random: new Uint8Array(3), firmwareVerLevel: 2 }), RangeError);
});

test.run();
