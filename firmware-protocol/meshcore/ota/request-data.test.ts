/** REQ plaintexts and the list answers (BaseChatMesh::sendRequest, simple_repeater MyMesh::handleRequest). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decodeAccessList,
  decodeNeighboursRequest,
  decodeNeighboursResponse,
  decodeRequest,
  encodeAccessList,
  encodeKeepAlive,
  encodeNeighboursRequest,
  encodeNeighboursResponse,
  encodeSimpleRequest,
  encodeTelemetryRequest,
  telemetryPermissionMask,
} from './request-data.js';
import { REQ_TYPE, TELEM_PERM } from './request-codes.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));

test('firmware request numbers', () => {
  assert.equal(REQ_TYPE, { GET_STATUS: 1, KEEP_ALIVE: 2, GET_TELEMETRY_DATA: 3, GET_AVG_MIN_MAX: 4, GET_ACCESS_LIST: 5, GET_NEIGHBOURS: 6, GET_OWNER_INFO: 7 });
});

test('simple request: tag · type · 4 reserved zeros · 4 random (13 bytes)', () => {
  const r = encodeSimpleRequest(0x01020304, REQ_TYPE.GET_STATUS, bytes('a1a2a3a4'));
  assert.is(hex(r), '04030201' + '01' + '00000000' + 'a1a2a3a4');
  const d = decodeRequest(r);
  assert.equal([d.tag, d.reqType, hex(d.params)], [0x01020304, 1, '00000000a1a2a3a4']);
  assert.throws(() => decodeRequest(bytes('01020304')), (e: Error) => e.name === 'MeshCoreMalformedPacketError');
});

test('telemetry request carries the inverse permission mask in reserved byte 0', () => {
  const r = encodeTelemetryRequest(5, TELEM_PERM.BASE | TELEM_PERM.LOCATION, bytes('00000000'));
  assert.is(r[5], 0xfc);
  assert.is(telemetryPermissionMask(decodeRequest(r).params), 0x03);
  assert.is(telemetryPermissionMask(decodeRequest(encodeSimpleRequest(5, 3, bytes('00000000'))).params), 0xff, 'plain request: everything');
});

test('keep-alive: tag · 0x02 · sync_since', () => {
  assert.is(hex(encodeKeepAlive(1, 0x0a0b0c0d)), '01000000020d0c0b0a');
});

test('neighbours request v0 and response entries', () => {
  const q = encodeNeighboursRequest(9, { count: 10, offset: 0x0102, orderBy: 2, prefixLength: 6, random: bytes('deadbeef') });
  assert.is(hex(q), '09000000' + '06' + '00' + '0a' + '0201' + '02' + '06' + 'deadbeef');
  const dq = decodeNeighboursRequest(decodeRequest(q).params);
  assert.equal([dq.count, dq.offset, dq.orderBy, dq.prefixLength], [10, 0x0102, 2, 6]);
  assert.is(decodeNeighboursRequest(bytes('00 01 0000 00 ff 00000000')).prefixLength, 32, 'clamped to PUB_KEY_SIZE');
  assert.throws(() => decodeNeighboursRequest(bytes('01 01 0000 00 06')), (e: Error) => e.name === 'MeshCoreMalformedPacketError');
  const entries = [
    { keyPrefix: bytes('aabbccddeeff'), heardSecsAgo: 30, snrX4: -20 },
    { keyPrefix: bytes('112233445566'), heardSecsAgo: 3600, snrX4: 40 },
  ];
  const resp = encodeNeighboursResponse(5, entries);
  assert.is(hex(resp), '0500' + '0200' + 'aabbccddeeff' + '1e000000' + 'ec' + '112233445566' + '100e0000' + '28');
  const d = decodeNeighboursResponse(resp, 6);
  assert.is(d.total, 5);
  assert.equal(d.entries.map((e) => [hex(e.keyPrefix), e.heardSecsAgo, e.snrX4]), [['aabbccddeeff', 30, -20], ['112233445566', 3600, 40]]);
  assert.throws(() => decodeNeighboursResponse(resp.subarray(0, resp.length - 1), 6), (e: Error) => e.name === 'MeshCoreMalformedPacketError');
});

test('access list: 6-byte prefix · permissions per entry; padding dropped', () => {
  const acl = encodeAccessList([{ keyPrefix: bytes('010203040506'), permissions: 3 }, { keyPrefix: bytes('0a0b0c0d0e0f'), permissions: 1 }]);
  assert.is(hex(acl), '01020304050603' + '0a0b0c0d0e0f01');
  const padded = new Uint8Array(32);
  padded.set(acl);
  assert.equal(decodeAccessList(padded).map((e) => [hex(e.keyPrefix), e.permissions]), [['010203040506', 3], ['0a0b0c0d0e0f', 1]]);
});

test.run();
