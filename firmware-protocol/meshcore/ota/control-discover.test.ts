/** CONTROL DISCOVER_REQ / DISCOVER_RESP (simple_repeater onControlDataRecv) against the decoder's vectors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MeshCoreDecoder } from '@michaelhart/meshcore-decoder';
import { decodeDiscoverRequest, decodeDiscoverResponse, encodeDiscoverRequest, encodeDiscoverResponse } from './control-discover.js';
import { decodePacket, encodePacket, PAYLOAD_TYPE, ROUTE_TYPE } from './packet.js';
import { ADV_TYPE } from './advert-data.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const layout = (e: Error) => e.name === 'MeshCoreMalformedPacketError';

test('decoder vectors: requests with and without since, prefix_only', () => {
  assert.equal(decodeDiscoverRequest(decodePacket(bytes('2E0080040102030400000000')).payload), { prefixOnly: false, typeFilter: 4, tag: 0x04030201, since: 0 });
  assert.equal(decodeDiscoverRequest(decodePacket(bytes('2E00810401020304')).payload), { prefixOnly: true, typeFilter: 4, tag: 0x04030201 });
  assert.is(decodeDiscoverRequest(decodePacket(bytes('2E00800401020304DCBA9876')).payload).since, 0x7698badc);
});

test('decoder vectors: responses, signed SNR, 8 and 32-byte keys', () => {
  const r = decodeDiscoverResponse(decodePacket(bytes('2E0092DC35333E5B4FBB374D26E77A3AF0A0E3D34A7174131BBEBF2341EE948B6F4B13CF800C928F')).payload);
  assert.is(r.nodeType, ADV_TYPE.REPEATER);
  assert.is(r.snrX4, -36);
  assert.is(r.tag, 0x5b3e3335);
  assert.is(hex(r.publicKey), '4fbb374d26e77a3af0a0e3d34a7174131bbebf2341ee948b6f4b13cf800c928f');
  assert.is(decodeDiscoverResponse(decodePacket(bytes('2E00928035333E5B0102030405060708')).payload).snrX4, -128);
  assert.is(decodeDiscoverResponse(decodePacket(bytes('2E00927F35333E5B0102030405060708')).payload).snrX4, 127);
  assert.is(decodeDiscoverResponse(decodePacket(bytes('2E009308AABBCCDD0102030405060708')).payload).publicKey.length, 8);
});

test('what we build is byte-equal to the firmware layout and decodes in the oracle', () => {
  const req = encodeDiscoverRequest({ prefixOnly: false, typeFilter: 1 << ADV_TYPE.REPEATER, tag: 0xa1b2c3d4, since: 0 });
  assert.is(hex(req), '8004d4c3b2a100000000');
  const pk = new Uint8Array(32).map((_, i) => i + 1);
  const resp = encodeDiscoverResponse({ nodeType: ADV_TYPE.REPEATER, snrX4: -9 * 4, tag: 0xa1b2c3d4, publicKey: pk });
  const raw = encodePacket({ routeType: ROUTE_TYPE.DIRECT, payloadType: PAYLOAD_TYPE.CONTROL, version: 0, transportCodes: [0, 0], pathHashSize: 1, path: new Uint8Array(0), payload: resp });
  const o = MeshCoreDecoder.decode(hex(raw)).payload.decoded as unknown as { subType: number; snr: number; tag: number; publicKey: string; nodeType: number };
  assert.is(o.snr, -9);
  assert.is(o.tag, 0xa1b2c3d4);
  assert.is(o.nodeType, ADV_TYPE.REPEATER);
  assert.is(o.publicKey.toLowerCase(), hex(pk));
  const o2 = MeshCoreDecoder.decode(hex(encodePacket({ routeType: ROUTE_TYPE.DIRECT, payloadType: PAYLOAD_TYPE.CONTROL, version: 0, transportCodes: [0, 0], pathHashSize: 1, path: new Uint8Array(0), payload: req }))).payload.decoded as unknown as { tag: number; typeFilter: number; since: number };
  assert.equal([o2.tag, o2.typeFilter, o2.since], [0xa1b2c3d4, 4, 0]);
});

test('short or wrong-type payloads are layout errors', () => {
  assert.throws(() => decodeDiscoverRequest(bytes('8004010203')), layout);
  assert.throws(() => decodeDiscoverRequest(bytes('900401020304')), layout);
  assert.throws(() => decodeDiscoverResponse(bytes('80040102030405')), layout);
  assert.throws(() => encodeDiscoverResponse({ nodeType: 2, snrX4: 0, tag: 0, publicKey: new Uint8Array(9) }), RangeError);
});

test.run();
