import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { decodeOtaFrame, encodeOtaFrame } from './ota-frame.js';

const h = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function thrown(fn: () => unknown): { name: string; reason: string } {
  try {
    fn();
  } catch (err) {
    return err as { name: string; reason: string };
  }
  throw new Error('did not throw');
}

// to 0x44332211, from 0x88776655, id 0xccbbaa99, flags 0b011_1_1_010 (hop_start 3, via_mqtt, want_ack, hop_limit 2),
// channel 0x08, next_hop 0x55, relay 0x66, payload 01 02 03
const FRAME = h('11223344 55667788 99aabbcc 7a 08 55 66 010203');

test('header fields are little-endian and the flags split as in RadioLibInterface::handleReceiveInterrupt', () => {
  const p = decodeOtaFrame(FRAME, { snr: 6.25, rssi: -97.6, rxTime: 1_700_000_000 });
  assert.is(p.to, 0x44332211);
  assert.is(p.from, 0x88776655);
  assert.is(p.id, 0xccbbaa99);
  assert.is(p.hopLimit, 2);
  assert.is(p.wantAck, true);
  assert.is(p.viaMqtt, true);
  assert.is(p.hopStart, 3);
  assert.is(p.channel, 0x08);
  assert.is(p.nextHop, 0x55);
  assert.is(p.relayNode, 0x66);
  assert.is(p.rxSnr, 6.25);
  assert.is(p.rxRssi, -98); // lround
  assert.is(p.rxTime, 1_700_000_000);
  assert.is(p.transportMechanism, Mesh.MeshPacket_TransportMechanism.TRANSPORT_LORA);
  assert.is(p.payloadVariant.case, 'encrypted');
  assert.is(hex(p.payloadVariant.value as Uint8Array), '010203');
});

test('the payload is a copy: reusing the receive buffer does not change the packet', () => {
  const buf = FRAME.slice();
  const p = decodeOtaFrame(buf);
  buf.fill(0);
  assert.is(hex(p.payloadVariant.value as Uint8Array), '010203');
});

test('hop_start 0 (firmware < 2.3) makes next_hop and relay_node invalid (0)', () => {
  const p = decodeOtaFrame(h('ffffffff 01000000 02000000 03 08 55 66 00'));
  assert.is(p.hopStart, 0);
  assert.is(p.hopLimit, 3);
  assert.is(p.nextHop, 0);
  assert.is(p.relayNode, 0);
});

test('hop_limit > hop_start is accepted: 2.7.x has no pre-hop drop (2.8 NodeDB.h shouldDropPacketForPreHop)', () => {
  const p = decodeOtaFrame(h('ffffffff 01000000 02000000 27 08 00 01 00')); // hop_start 1, hop_limit 7
  assert.is(p.hopStart, 1);
  assert.is(p.hopLimit, 7);
});

test('a bare 16-byte header is a packet with an empty payload (payloadLen < 0 is the only "too short")', () => {
  const p = decodeOtaFrame(h('ffffffff 01000000 02000000 63 08 00 01'));
  assert.is((p.payloadVariant.value as Uint8Array).length, 0);
});

test('malformed frames are MeshtasticOtaFrameError with a reason', () => {
  for (const [bytes, reason] of [
    [new Uint8Array(0), 'too-short'],
    [FRAME.subarray(0, 15), 'too-short'],
    [new Uint8Array(256).fill(1), 'too-long'],
    [h('ffffffff 00000000 02000000 63 08 00 01 00'), 'no-sender'],
  ] as const) {
    const err = thrown(() => decodeOtaFrame(bytes));
    assert.is(err.name, 'MeshtasticOtaFrameError');
    assert.is(err.reason, reason);
  }
});

test('a 255-byte frame is the largest accepted', () => {
  const bytes = new Uint8Array(255).fill(1);
  assert.is((decodeOtaFrame(bytes).payloadVariant.value as Uint8Array).length, 239);
});

test('encodeOtaFrame writes back exactly what decodeOtaFrame read (hop_start != 0)', () => {
  assert.is(hex(encodeOtaFrame(decodeOtaFrame(FRAME))), hex(FRAME));
});

test('encodeOtaFrame clamps hop_limit > 7 to HOP_RELIABLE 3 and masks hop_start (RadioInterface::beginSending)', () => {
  const p = create(Mesh.MeshPacketSchema, { from: 1, to: 2, id: 3, hopLimit: 9, hopStart: 9, payloadVariant: { case: 'encrypted', value: new Uint8Array(0) } });
  // hop_start 9 = 0b1001: (9 << 5) & 0xe0 = 0x20
  assert.is(encodeOtaFrame(p)[12], 0x23);
});

test('encodeOtaFrame refuses what beginSending asserts on', () => {
  const base = { from: 1, to: 2, id: 3, payloadVariant: { case: 'encrypted' as const, value: new Uint8Array(239) } };
  assert.is(encodeOtaFrame(create(Mesh.MeshPacketSchema, base)).length, 255);
  for (const [init, reason] of [
    [{ ...base, payloadVariant: { case: 'encrypted' as const, value: new Uint8Array(240) } }, 'too-long'],
    [{ ...base, from: 0 }, 'no-sender'],
    [{ ...base, payloadVariant: { case: 'decoded' as const, value: { portnum: 1 } } }, 'not-encrypted'],
  ] as const) {
    const err = thrown(() => encodeOtaFrame(create(Mesh.MeshPacketSchema, init)));
    assert.is(err.name, 'MeshtasticOtaEncodeError');
    assert.is(err.reason, reason);
  }
});

test.run();
