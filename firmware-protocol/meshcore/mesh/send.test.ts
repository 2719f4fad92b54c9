import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../lib/testing/virtual-clock.js';
import { meshCoreModulation } from '../../../lib/lora/meshcore-presets.js';
import type { PacketRadio } from '../../../lib/lora/packet-radio.js';
import { verifySignature } from '../ota/identity.js';
import { PAYLOAD_TYPE, ROUTE_TYPE, decodePacket } from '../ota/packet.js';
import { createMesh } from './create-mesh.js';
import { advertMessage } from './packet-factories.js';
import { estAirtimeMs } from './mesh-timing.js';
import { TestNetwork, identityFor, seededRandom } from './testing/mesh-network.js';
import { recordingHandler } from './testing/recording-handler.js';

const modulation = meshCoreModulation('EU_UK_NARROW');

function fakeRadio(clock: VirtualClock, airMs = 100) {
  const r = {
    busy: false,
    sent: [] as { at: number; bytes: Uint8Array }[],
    async transmit(frame: Uint8Array) {
      r.sent.push({ at: clock.now(), bytes: frame });
      await clock.sleep(airMs);
      return { airtimeMs: airMs };
    },
    async channelBusy() {
      return r.busy;
    },
    onReceive: () => () => undefined,
  };
  return r satisfies PacketRadio;
}

function meshOn(clock: VirtualClock, radio: PacketRadio, factor?: number) {
  const handler = recordingHandler(factor === undefined ? {} : { airtimeBudgetFactor: factor });
  const mesh = createMesh({ radio, identity: identityFor('self'), modulation, clock, random: seededRandom(3), handler });
  mesh.start();
  return mesh;
}

test('the TX queue sends lowest priority number first, in order of queueing among equals', async () => {
  const clock = new VirtualClock();
  const radio = fakeRadio(clock);
  const mesh = meshOn(clock, radio);
  const dest = identityFor('dest');
  const secret = mesh.self.sharedSecret(dest.publicKey);
  mesh.sendFlood(mesh.createAdvert(Uint8Array.of(0x81, 0x41))); // 3
  mesh.sendFlood(mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, dest.publicKey, secret, Uint8Array.of(1))); // 1
  mesh.sendFlood(mesh.createPathReturn(dest.publicKey, secret, { hashSize: 1, bytes: new Uint8Array(0) }, 0, new Uint8Array(0))); // 2
  mesh.sendZeroHop(mesh.createRawData(Uint8Array.of(1))); // 0
  mesh.sendZeroHop(mesh.createRawData(Uint8Array.of(2))); // 0, queued after the first
  mesh.sendDirect(mesh.createTrace(1, 2, 0), { hashSize: 1, bytes: Uint8Array.of(9) }); // 5
  assert.is(mesh.queueLength(), 6);
  await clock.sleep(10_000);
  const order = radio.sent.map((s) => decodePacket(s.bytes)).map((p) => (p.payloadType === PAYLOAD_TYPE.RAW_CUSTOM ? `raw${p.payload[0]}` : p.payloadType));
  assert.equal(order, ['raw1', 'raw2', PAYLOAD_TYPE.TXT_MSG, PAYLOAD_TYPE.PATH, PAYLOAD_TYPE.ADVERT, PAYLOAD_TYPE.TRACE]);
  // One frame at a time: each starts after the previous one's airtime.
  for (let i = 1; i < radio.sent.length; i++) assert.ok(radio.sent[i].at - radio.sent[i - 1].at >= 100);
  assert.is(mesh.counters.sentFlood, 3);
  assert.is(mesh.counters.sentDirect, 3);
  assert.is(mesh.queueLength(), 0);
  await mesh.stop();
});

test('a transmission waits while the channel is busy (120–360 ms retries) and goes when it is free', async () => {
  const clock = new VirtualClock();
  const radio = fakeRadio(clock);
  const mesh = meshOn(clock, radio);
  radio.busy = true;
  const t0 = clock.now();
  mesh.sendZeroHop(mesh.createRawData(Uint8Array.of(1)));
  await clock.sleep(1000);
  assert.is(radio.sent.length, 0);
  radio.busy = false;
  await clock.sleep(1000);
  assert.is(radio.sent.length, 1);
  const waited = radio.sent[0].at - t0;
  assert.ok(waited >= 1000 && waited <= 1360, `sent after ${waited} ms`);
  assert.is(mesh.counters.dropped['cad-timeout'], undefined);
  await mesh.stop();
});

test('a channel busy for more than 4 s no longer holds the transmission back', async () => {
  const clock = new VirtualClock();
  const radio = fakeRadio(clock);
  const mesh = meshOn(clock, radio);
  radio.busy = true;
  const t0 = clock.now();
  mesh.sendZeroHop(mesh.createRawData(Uint8Array.of(1)));
  await clock.sleep(10_000);
  assert.is(radio.sent.length, 1);
  const waited = radio.sent[0].at - t0;
  assert.ok(waited > 4000 && waited <= 4360, `forced after ${waited} ms`);
  assert.is(mesh.counters.dropped['cad-timeout'], 1);
  await mesh.stop();
});

for (const [factor, label] of [
  [99, 'holds back what the budget of factor 99 (1 % duty) does not cover'],
  [0, 'with factor 0 (100 % duty) lets the same queue go'],
] as const) {
  test(`the airtime budget ${label}`, async () => {
    const clock = new VirtualClock();
    const net = new TestNetwork(clock, modulation);
    const n = net.add('N', { airtimeBudgetFactor: factor });
    const frameAir = estAirtimeMs(modulation, 2 + 184);
    const initial = n.mesh.remainingTxBudgetMs();
    assert.is(initial, Math.floor(3_600_000 / (1 + factor)));
    for (let i = 0; i < 32; i++) {
      const data = new Uint8Array(184).fill(i);
      n.mesh.sendZeroHop(n.mesh.createRawData(data));
    }
    const windowMs = 600_000;
    await clock.sleep(windowMs);
    const air = n.mesh.counters.txAirMs;
    const duty = 1 / (1 + factor);
    if (factor === 0) {
      assert.is(n.mesh.queueLength(), 0);
      assert.is(net.air.sentBy('N').length, 32);
    } else {
      assert.ok(n.mesh.queueLength() > 0, 'frames still held back');
      assert.ok(air <= initial + windowMs * duty + frameAir, `${air} ms on air`);
      assert.ok(air >= initial - frameAir, `the budget was used (${air} ms)`);
      assert.ok(n.mesh.remainingTxBudgetMs() < estAirtimeMs(modulation, 255) / 2);
    }
    await net.stop();
  });
}

test('a full TX queue refuses packets and counts them', async () => {
  const clock = new VirtualClock();
  const radio = fakeRadio(clock);
  const mesh = meshOn(clock, radio);
  radio.busy = true; // nothing leaves for now
  for (let i = 0; i < 34; i++) mesh.sendZeroHop(mesh.createRawData(Uint8Array.of(i)));
  assert.is(mesh.queueLength(), 32);
  assert.is(mesh.counters.dropped['tx-queue-full'], 2);
  await mesh.stop();
  assert.is(mesh.queueLength(), 0);
});

test('stop() ends the TX loop: nothing queued before it is sent after it', async () => {
  const clock = new VirtualClock();
  const radio = fakeRadio(clock);
  const mesh = meshOn(clock, radio);
  mesh.sendZeroHop(mesh.createRawData(Uint8Array.of(1)), { delayMs: 5000 });
  await mesh.stop();
  mesh.sendZeroHop(mesh.createRawData(Uint8Array.of(2)));
  await clock.sleep(10_000);
  assert.is(radio.sent.length, 0);
});

test('send routes: flood with transport codes and 2-byte hashes, zero-hop with codes, direct, TRACE path in the payload', async () => {
  const clock = new VirtualClock();
  const radio = fakeRadio(clock);
  const mesh = meshOn(clock, radio);
  mesh.sendFlood(mesh.createRawData(Uint8Array.of(1)), { transportCodes: [0x1234, 0xabcd], pathHashSize: 2 });
  mesh.sendFlood(mesh.createRawData(Uint8Array.of(2)));
  mesh.sendZeroHop(mesh.createRawData(Uint8Array.of(3)), { transportCodes: [1, 2] });
  mesh.sendDirect(mesh.createRawData(Uint8Array.of(4)), { hashSize: 3, bytes: Uint8Array.of(1, 2, 3, 4, 5, 6) });
  mesh.sendDirect(mesh.createTrace(0x01020304, 0x05060708, 0x01), { hashSize: 2, bytes: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd) });
  await clock.sleep(10_000);
  const byTag = new Map(radio.sent.map((s) => [s.bytes, decodePacket(s.bytes)] as const));
  const pk = [...byTag.values()];
  const find = (b: number) => pk.find((p) => p.payloadType === PAYLOAD_TYPE.RAW_CUSTOM && p.payload[0] === b)!;
  assert.is(find(1).routeType, ROUTE_TYPE.TRANSPORT_FLOOD);
  assert.equal(find(1).transportCodes, [0x1234, 0xabcd]);
  assert.is(find(1).pathHashSize, 2);
  const raw1 = radio.sent.find((s) => decodePacket(s.bytes).payload[0] === 1 && decodePacket(s.bytes).routeType === ROUTE_TYPE.TRANSPORT_FLOOD)!.bytes;
  assert.equal([...raw1.subarray(0, 6)], [(PAYLOAD_TYPE.RAW_CUSTOM << 2) | 0, 0x34, 0x12, 0xcd, 0xab, 0x40]);
  assert.is(find(2).routeType, ROUTE_TYPE.FLOOD);
  assert.is(find(3).routeType, ROUTE_TYPE.TRANSPORT_DIRECT);
  assert.equal(find(3).transportCodes, [1, 2]);
  assert.is(find(4).routeType, ROUTE_TYPE.DIRECT);
  assert.is(find(4).pathHashSize, 3);
  assert.equal([...find(4).path], [1, 2, 3, 4, 5, 6]);
  const trace = pk.find((p) => p.payloadType === PAYLOAD_TYPE.TRACE)!;
  assert.is(trace.path.length, 0);
  assert.equal([...trace.payload], [4, 3, 2, 1, 8, 7, 6, 5, 1, 0xaa, 0xbb, 0xcc, 0xdd]);
  await mesh.stop();
});

test('send calls and factories refuse what the firmware refuses, with named errors', () => {
  const clock = new VirtualClock();
  const mesh = meshOn(clock, fakeRadio(clock));
  const dest = identityFor('dest');
  const s = new Uint8Array(32).fill(1);
  const ch = { hash: 1, secret: new Uint8Array(16) };
  const throwsNamed = (fn: () => unknown, name: string) => {
    try {
      fn();
    } catch (e) {
      assert.is((e as Error).name, name);
      return;
    }
    assert.unreachable(`expected ${name}`);
  };
  // Limits: the largest accepted, one byte more refused.
  mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, dest.publicKey, s, new Uint8Array(167));
  throwsNamed(() => mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, dest.publicKey, s, new Uint8Array(168)), 'MeshCorePacketTooLargeError');
  throwsNamed(() => mesh.createDatagram(PAYLOAD_TYPE.GRP_TXT, dest.publicKey, s, new Uint8Array(1)), 'MeshCoreInvalidPayloadTypeError');
  mesh.createAnonDatagram(PAYLOAD_TYPE.ANON_REQ, dest.publicKey, s, new Uint8Array(136));
  throwsNamed(() => mesh.createAnonDatagram(PAYLOAD_TYPE.ANON_REQ, dest.publicKey, s, new Uint8Array(137)), 'MeshCorePacketTooLargeError');
  throwsNamed(() => mesh.createAnonDatagram(PAYLOAD_TYPE.REQ, dest.publicKey, s, new Uint8Array(1)), 'MeshCoreInvalidPayloadTypeError');
  mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_TXT, ch, new Uint8Array(168));
  throwsNamed(() => mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_TXT, ch, new Uint8Array(169)), 'MeshCorePacketTooLargeError');
  throwsNamed(() => mesh.createGroupDatagram(PAYLOAD_TYPE.TXT_MSG, ch, new Uint8Array(1)), 'MeshCoreInvalidPayloadTypeError');
  mesh.createAdvert(new Uint8Array(32));
  throwsNamed(() => mesh.createAdvert(new Uint8Array(33)), 'MeshCorePacketTooLargeError');
  mesh.createRawData(new Uint8Array(184));
  throwsNamed(() => mesh.createRawData(new Uint8Array(185)), 'MeshCorePacketTooLargeError');
  throwsNamed(() => mesh.createControlData(new Uint8Array(185)), 'MeshCorePacketTooLargeError');
  // PATH: path + extra + 5 ≤ 166.
  mesh.createPathReturn(dest.publicKey, s, { hashSize: 1, bytes: new Uint8Array(61) }, 3, new Uint8Array(100));
  throwsNamed(() => mesh.createPathReturn(dest.publicKey, s, { hashSize: 1, bytes: new Uint8Array(62) }, 3, new Uint8Array(100)), 'MeshCorePacketTooLargeError');
  throwsNamed(() => mesh.sendFlood(mesh.createTrace(1, 2, 0)), 'MeshCoreSendRefusedError');
  throwsNamed(() => mesh.sendFlood(mesh.createRawData(Uint8Array.of(1)), { pathHashSize: 4 as 1 }), 'MeshCoreSendRefusedError');
  throwsNamed(() => mesh.sendDirect(mesh.createRawData(Uint8Array.of(1)), { hashSize: 1, bytes: new Uint8Array(65) }), 'MeshCoreSendRefusedError');
  throwsNamed(() => mesh.sendRaw({ ...mesh.createRawData(Uint8Array.of(1)), path: new Uint8Array(3), pathHashSize: 2 }, 0), 'MeshCoreSendRefusedError');
  assert.is(mesh.counters.dropped['tx-invalid'], 2);
  void mesh.stop();
});

test('factory layouts: ACK (4 and 6 bytes), multi-ACK, TRACE, advert signed over pk ‖ ts ‖ app data', () => {
  const clock = new VirtualClock();
  const mesh = createMesh({ radio: fakeRadio(clock), identity: identityFor('self'), modulation, clock, rtcSeconds: () => 1_700_000_123 });
  assert.equal([...mesh.createAck(0x11223344).payload], [0x44, 0x33, 0x22, 0x11]);
  assert.equal([...mesh.createAck(Uint8Array.of(1, 2, 3, 4, 5, 6)).payload], [1, 2, 3, 4, 5, 6]);
  assert.equal([...mesh.createMultiAck(0x11223344, 2).payload], [0x23, 0x44, 0x33, 0x22, 0x11]);
  assert.equal([...mesh.createTrace(1, 2, 3).payload], [1, 0, 0, 0, 2, 0, 0, 0, 3]);
  const adv = mesh.createAdvert(Uint8Array.of(0x81, 0x41));
  assert.is(adv.payload.length, 32 + 4 + 64 + 2);
  assert.equal([...adv.payload.subarray(0, 32)], [...mesh.self.publicKey]);
  assert.is(new DataView(adv.payload.buffer, adv.payload.byteOffset).getUint32(32, true), 1_700_000_123);
  assert.ok(verifySignature(mesh.self.publicKey, advertMessage(mesh.self.publicKey, 1_700_000_123, Uint8Array.of(0x81, 0x41)), adv.payload.subarray(36, 100)));
  assert.not.ok(verifySignature(mesh.self.publicKey, advertMessage(mesh.self.publicKey, 1_700_000_124, Uint8Array.of(0x81, 0x41)), adv.payload.subarray(36, 100)));
  assert.is(mesh.airtimeMs(255), estAirtimeMs(modulation, 255));
  assert.is(mesh.rtcSeconds(), 1_700_000_123);
});

test.run();
