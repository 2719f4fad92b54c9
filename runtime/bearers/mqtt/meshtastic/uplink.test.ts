/**
 * The uplink and downlink rules one by one (firmware src/mqtt/MQTT.cpp onSend / onReceiveProto, src/mesh/Router.cpp
 * handleReceived, 2.7), each case a row; envelopes are read back with the official protobufs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Mqtt, Portnums } from '@meshtastic/protobufs';
import type { TappedPacket } from '../../../../firmware-protocol/meshtastic/mesh/gateway-tap.js';
import { downlinkOf, type DownlinkContext } from './downlink.js';
import { blurCoordinate, mapReportMessage } from './map-report.js';
import { isPrivateBroker, uplinkOf, type UplinkContext } from './uplink.js';

const US = 0x0a0b0c0d;
const BOB = 0x11223344;
const channels = [{ index: 0, name: 'LongFast' }, { index: 1, name: 'hike' }];

function ctx(o: Partial<UplinkContext> = {}): UplinkContext {
  return { nodeNum: US, gatewayId: '!0a0b0c0d', root: 'msh/EU_868', channels, uplinkFor: () => true, decryptedUplink: false, privateBroker: false, defaultServer: true, ...o };
}

function tapped(o: { from?: number; to?: number; channelIndex?: number; bitfield?: number; portnum?: number; viaMqtt?: boolean; ok?: boolean; source?: 'received' | 'originated'; hash?: number } = {}): TappedPacket {
  const common = { from: o.from ?? BOB, to: o.to ?? 0xffffffff, id: 0x1234, hopLimit: 2, hopStart: 3, viaMqtt: o.viaMqtt ?? false };
  const encrypted = create(Mesh.MeshPacketSchema, { ...common, channel: o.hash ?? 0x08, payloadVariant: { case: 'encrypted', value: Uint8Array.of(1, 2, 3) } });
  const ok = o.ok ?? true;
  const decoded = ok
    ? create(Mesh.MeshPacketSchema, { ...common, channel: o.channelIndex ?? 0, payloadVariant: { case: 'decoded', value: { portnum: o.portnum ?? Portnums.PortNum.TEXT_MESSAGE_APP, payload: Uint8Array.of(0x68, 0x69), ...(o.bitfield !== undefined ? { bitfield: o.bitfield } : {}) } } })
    : encrypted;
  return { encrypted, decoded, ok, source: o.source ?? 'received' };
}

test('uplink: what is published, and what is refused for which reason', () => {
  const rows: Array<[string, TappedPacket, Partial<UplinkContext>, string]> = [
    ['OK-to-MQTT packet of another node', tapped({ bitfield: 1 }), {}, 'msh/EU_868/2/e/LongFast/!0a0b0c0d'],
    ['no OK-to-MQTT, public broker', tapped({ bitfield: 0 }), {}, 'not-ok-to-mqtt'],
    ['no bitfield (older firmware), public broker', tapped({}), {}, 'not-ok-to-mqtt'],
    ['no OK-to-MQTT, private broker', tapped({ bitfield: 0 }), { privateBroker: true }, 'msh/EU_868/2/e/LongFast/!0a0b0c0d'],
    ['came from MQTT', tapped({ bitfield: 1, viaMqtt: true }), {}, 'via-mqtt'],
    ['from us, heard back', tapped({ from: US, bitfield: 1 }), {}, 'from-us'],
    ['ours as originated (no bitfield needed)', tapped({ from: US, source: 'originated' }), {}, 'msh/EU_868/2/e/LongFast/!0a0b0c0d'],
    ['secondary channel', tapped({ bitfield: 1, channelIndex: 1 }), {}, 'msh/EU_868/2/e/hike/!0a0b0c0d'],
    ['channel uplink off', tapped({ bitfield: 1, channelIndex: 1 }), { uplinkFor: (c) => c !== 'hike' }, 'channel-off'],
    ['no channel has uplink', tapped({ bitfield: 1 }), { uplinkFor: () => false }, 'channel-off'],
    ['range test to the default server', tapped({ bitfield: 1, portnum: Portnums.PortNum.RANGE_TEST_APP }), {}, 'port-filtered'],
    ['range test to another server', tapped({ bitfield: 1, portnum: Portnums.PortNum.RANGE_TEST_APP }), { defaultServer: false }, 'msh/EU_868/2/e/LongFast/!0a0b0c0d'],
    ['undecodable broadcast', tapped({ ok: false }), {}, 'undecodable'],
    ['undecodable DM between two others: PKI', tapped({ ok: false, to: 0x55555555, hash: 0 }), {}, 'msh/EU_868/2/e/PKI/!0a0b0c0d'],
    ['undecodable DM, decrypted uplink asked for', tapped({ ok: false, to: 0x55555555, hash: 0 }), { decryptedUplink: true }, 'undecodable'],
  ];
  for (const [what, t, c, want] of rows) {
    const r = uplinkOf(t, ctx(c));
    assert.is('drop' in r ? r.drop : r.topic, want, what);
  }
});

test('uplink: the envelope holds the encrypted packet as heard, or the decoded one with decryptedUplink', () => {
  const r = uplinkOf(tapped({ bitfield: 1 }), ctx());
  if ('drop' in r) throw new Error(r.drop);
  const e = fromBinary(Mqtt.ServiceEnvelopeSchema, r.payload);
  assert.is(e.channelId, 'LongFast');
  assert.is(e.gatewayId, '!0a0b0c0d');
  assert.is(e.packet!.payloadVariant.case, 'encrypted');
  assert.is(e.packet!.channel, 0x08, 'the channel hash as heard');
  assert.is(e.packet!.hopLimit, 2);
  const d = uplinkOf(tapped({ bitfield: 1 }), ctx({ decryptedUplink: true }));
  if ('drop' in d) throw new Error(d.drop);
  assert.is(fromBinary(Mqtt.ServiceEnvelopeSchema, d.payload).packet!.payloadVariant.case, 'decoded');
});

function envelope(o: { channelId?: string; gatewayId?: string; from?: number; to?: number; hopLimit?: number; decoded?: boolean; portnum?: number }): Uint8Array {
  const packet = create(Mesh.MeshPacketSchema, {
    from: o.from ?? BOB, to: o.to ?? 0xffffffff, id: 77, channel: 0x08, hopLimit: o.hopLimit ?? 3, hopStart: 3,
    payloadVariant: o.decoded ? { case: 'decoded', value: { portnum: o.portnum ?? 1, payload: Uint8Array.of(1) } } : { case: 'encrypted', value: Uint8Array.of(9, 9) },
  });
  return toBinary(Mqtt.ServiceEnvelopeSchema, create(Mqtt.ServiceEnvelopeSchema, { packet, channelId: o.channelId ?? 'LongFast', gatewayId: o.gatewayId ?? '!deadbeef' }));
}

test('downlink: what goes to the router (via_mqtt set), and what is refused', () => {
  const c: DownlinkContext = { nodeNum: US, gatewayId: '!0a0b0c0d', channels, downlinkFor: (n) => n === 'LongFast', decryptedUplink: false, knowsUser: (n) => n === BOB };
  const rows: Array<[string, Uint8Array, Partial<DownlinkContext>, string]> = [
    ['an encrypted packet on a downlink channel', envelope({}), {}, 'ok'],
    ['a channel without downlink', envelope({ channelId: 'hike' }), {}, 'channel-off'],
    ['an unknown channel', envelope({ channelId: 'nope' }), {}, 'channel-off'],
    ['our own gateway id', envelope({ gatewayId: '!0a0b0c0d' }), {}, 'own-gateway'],
    ['our own packet on our own gateway id', envelope({ gatewayId: '!0a0b0c0d', from: US }), {}, 'implicit-ack'],
    ['a packet from us', envelope({ from: US }), {}, 'from-us'],
    ['hop limit above 7', envelope({ hopLimit: 9 }), {}, 'bad-hops'],
    ['decoded while the uplink is encrypted', envelope({ decoded: true }), {}, 'decoded-refused'],
    ['decoded admin', envelope({ decoded: true, portnum: 6 }), { decryptedUplink: true }, 'admin'],
    ['decoded text with decryptedUplink', envelope({ decoded: true }), { decryptedUplink: true }, 'ok'],
    ['PKI to us', envelope({ channelId: 'PKI', to: US }), {}, 'ok'],
    ['PKI between strangers', envelope({ channelId: 'PKI', to: 0x66666666 }), {}, 'pki-unknown'],
    ['garbage', Uint8Array.of(0xff, 0xff, 0xff), {}, 'bad-envelope'],
  ];
  for (const [what, payload, o, want] of rows) {
    const r = downlinkOf(payload, { ...c, ...o });
    assert.is('drop' in r ? r.drop : 'implicitAck' in r ? 'implicit-ack' : 'ok', want, what);
    if ('packet' in r) assert.ok(r.packet.viaMqtt, `${what}: via_mqtt`);
    if ('implicitAck' in r) assert.equal(r.implicitAck, { id: 77, channel: 0 }, `${what}: ACKs the packet's id on its channel`);
  }
});

test('map report: MapReport on <root>/2/map/ with the position blurred to the configured precision', () => {
  // Firmware PositionModule/MQTT.cpp: keep the top `precision` bits, add half a cell.
  assert.is(blurCoordinate(523_700_000, 16), (523_700_000 & ~0xffff) + 0x8000);
  assert.is(blurCoordinate(-41_000_000, 10), ((-41_000_000 & (0xffffffff << 22)) + (1 << 21)) | 0);
  const facts = { longName: 'Rooftop relay', shortName: 'ROOF', role: 2, hwModel: 37, firmwareVersion: '2.7.26', region: 3, modemPreset: 0, hasDefaultChannel: true, numOnlineLocalNodes: 4, position: { latitudeI: 523_700_000, longitudeI: 48_900_000, altitude: 12 } };
  const m = mapReportMessage({ facts, nodeNum: US, gatewayId: '!0a0b0c0d', primaryChannel: 'LongFast', root: 'msh/EU_868', precisionBits: 14 })!;
  assert.is(m.topic, 'msh/EU_868/2/map/');
  const e = fromBinary(Mqtt.ServiceEnvelopeSchema, m.payload);
  assert.is(e.gatewayId, '!0a0b0c0d');
  const p = e.packet!;
  assert.is(p.from, US);
  assert.ok(p.payloadVariant.case === 'decoded' && p.payloadVariant.value.portnum === Portnums.PortNum.MAP_REPORT_APP);
  const r = fromBinary(Mqtt.MapReportSchema, p.payloadVariant.value.payload);
  assert.is(r.positionPrecision, 14);
  assert.is(r.latitudeI, blurCoordinate(523_700_000, 14));
  assert.is(r.longName, 'Rooftop relay');
  assert.is(r.numOnlineLocalNodes, 4);
  assert.is(mapReportMessage({ facts: { ...facts, position: undefined }, nodeNum: US, gatewayId: '!0a0b0c0d', primaryChannel: 'LongFast', root: 'msh', precisionBits: 14 }), undefined, 'no position, no report');
});

test('private broker addresses as the firmware counts them', () => {
  for (const u of ['mqtt://10.1.2.3', 'mqtt://192.168.1.5:1883', 'mqtt://172.20.0.1', 'mqtt://127.0.0.1:1883', 'mqtt://100.64.1.1']) assert.ok(isPrivateBroker(u), u);
  for (const u of ['mqtt://mqtt.meshtastic.org', 'mqtt://8.8.8.8', 'mqtt://172.32.0.1', 'mqtt://127.0.0.2']) assert.not.ok(isPrivateBroker(u), u);
});

test.run();
