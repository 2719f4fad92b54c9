/** GRP_TXT / GRP_DATA plaintexts (BaseChatMesh::sendGroupMessage / sendGroupData / onGroupDataRecv). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeGroupData, decodeGroupText, encodeGroupData, encodeGroupText, MAX_GROUP_DATA_LENGTH } from './group-payload.js';
import { encryptThenMac, macThenDecrypt } from './cipher.js';
import { PUBLIC_CHANNEL_SECRET } from '../channel-secret.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const layout = (e: Error) => e.name === 'MeshCoreMalformedPacketError';

test('group text: ts · 0 · "sender: text", round trip through the channel cipher', () => {
  const b = encodeGroupText(0x01020304, 'Al', 'hi');
  assert.is(hex(b), '04030201' + '00' + hex(new TextEncoder().encode('Al: hi')));
  const d = decodeGroupText(macThenDecrypt(PUBLIC_CHANNEL_SECRET, encryptThenMac(PUBLIC_CHANNEL_SECRET, b))!);
  assert.equal(d, { timestamp: 0x01020304, text: 'Al: hi', sender: 'Al', message: 'hi' });
  assert.equal(decodeGroupText(Uint8Array.of(1, 0, 0, 0, 0, 0x78)), { timestamp: 1, text: 'x', message: 'x' });
});

test('prefix + text cut to MAX_TEXT_LEN (160) bytes; txt_type ≠ 0 and short data refused', () => {
  const b = encodeGroupText(1, 'Bob', 'y'.repeat(300));
  assert.is(b.length, 5 + 160);
  assert.throws(() => decodeGroupText(Uint8Array.of(1, 0, 0, 0, 4, 0x41)), layout);
  assert.throws(() => decodeGroupText(Uint8Array.of(1, 0, 0, 0)), layout);
});

test('group data: type u16 LE · len · data; len past the data refused; 165-byte limit', () => {
  const b = encodeGroupData(0xff01, Uint8Array.of(7, 8, 9));
  assert.is(hex(b), '01ff' + '03' + '070809');
  const padded = new Uint8Array(16);
  padded.set(b);
  assert.equal(decodeGroupData(padded), { dataType: 0xff01, data: Uint8Array.of(7, 8, 9) });
  assert.throws(() => decodeGroupData(Uint8Array.of(1, 0, 5, 1, 2)), layout);
  assert.is(MAX_GROUP_DATA_LENGTH, 165);
  assert.throws(() => encodeGroupData(1, new Uint8Array(166)), RangeError);
  assert.is(encodeGroupData(1, new Uint8Array(165)).length, 168);
});

test.run();
