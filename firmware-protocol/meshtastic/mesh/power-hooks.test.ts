/**
 * What a relay short of power changes on a running node (runtime/power): the role (ROUTER to CLIENT and back: dupe
 * cancelling follows it), the NodeInfo interval, and the battery DeviceMetrics report.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums, Telemetry } from '@meshtastic/protobufs';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { NODENUM_BROADCAST } from './hops.js';
import { MemoryAir } from './testing/memory-air.js';
import { decodeTestFrame } from './testing/test-frame-codec.js';
import { LONG_FAST, dataOf, testNode, textPacket } from './testing/test-node.js';

const A = 0x0a0a0a01, B = 0x0b0b0b02, C = 0x0c0c0c03;

test('setRole: a ROUTER made CLIENT cancels its queued rebroadcast when another relays first, and back', async () => {
  const sent: number[] = [];
  for (const role of ['ROUTER', 'CLIENT', 'ROUTER'] as const) {
    const clock = new ManualClock();
    const air = new MemoryAir(clock, LONG_FAST);
    const a = testNode(air, clock, 'A', A);
    const b = testNode(air, clock, 'B', B, 'ROUTER');
    const r = testNode(air, clock, 'R', C, 'ROUTER');
    air.link('A', 'B', 8);
    air.link('A', 'R', 8);
    air.link('R', 'B', 8);
    for (const n of [a, b, r]) n.router.start();
    b.router.setRole('CLIENT');
    if (role === 'ROUTER') b.router.setRole('ROUTER');
    assert.is(b.router.role, role);
    assert.is(b.router.rebroadcastMode, role === 'ROUTER' ? 'CORE_PORTNUMS_ONLY' : 'ALL');
    const id = a.router.sendFromPhone(textPacket(NODENUM_BROADCAST, 'x', { hopLimit: 3 }));
    await clock.advance(20_000);
    sent.push(air.sentBy('B').map((t) => decodeTestFrame(t.bytes)).filter((h) => h.id === id).length);
  }
  assert.equal(sent, [1, 0, 1], 'ROUTER relays, CLIENT cancels on the router\'s relay, ROUTER again relays');
});

test('NodeInfo interval stretched by intervalFactor from the next broadcast', async () => {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const a = testNode(air, clock, 'A', A);
  testNode(air, clock, 'B', B);
  air.link('A', 'B');
  a.router.start();
  const count = () => air.sentBy('A').filter((t) => {
    const d = a.cipher.decrypt(decodeTestFrame(t.bytes));
    return d.ok && d.packet.payloadVariant.case === 'decoded' && d.packet.payloadVariant.value.portnum === Portnums.PortNum.NODEINFO_APP;
  }).length;
  await clock.advance(60_000);
  assert.is(count(), 1);
  a.router.nodeInfo.intervalFactor = 4;
  await clock.advance(3 * 3600_000 + 60_000); // the broadcast already armed keeps its 3 h
  assert.is(count(), 2);
  await clock.advance(11 * 3600_000);
  assert.is(count(), 2, 'not 3 h later');
  await clock.advance(2 * 3600_000);
  assert.is(count(), 3, '12 h later');
});

test('DeviceMetrics answers carry the battery when there is one, 101 (powered) when not', async () => {
  for (const battery of [undefined, { level: 64, volts: 3.86 }]) {
    const clock = new ManualClock();
    const air = new MemoryAir(clock, LONG_FAST);
    const a = testNode(air, clock, 'A', A, 'CLIENT', battery ? { battery: () => battery } : {});
    const b = testNode(air, clock, 'B', B);
    air.link('A', 'B');
    a.router.start();
    b.router.start();
    const ask = create(Telemetry.TelemetrySchema, { variant: { case: 'deviceMetrics', value: create(Telemetry.DeviceMetricsSchema, {}) } });
    b.router.sendFromPhone(create(Mesh.MeshPacketSchema, {
      to: A, wantAck: false, hopLimit: 3,
      payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.TELEMETRY_APP, payload: toBinary(Telemetry.TelemetrySchema, ask), wantResponse: true }) },
    }));
    await clock.advance(20_000);
    const reply = b.toPhone.find((p) => p.from === A && dataOf(p).portnum === Portnums.PortNum.TELEMETRY_APP);
    assert.ok(reply, 'A answered');
    const t = fromBinary(Telemetry.TelemetrySchema, dataOf(reply!).payload);
    assert.is(t.variant.case, 'deviceMetrics');
    const m = t.variant.value as Telemetry.DeviceMetrics;
    assert.is(m.batteryLevel, battery ? 64 : 101);
    assert.ok(Math.abs((m.voltage ?? 0) - (battery ? 3.86 : 0)) < 1e-6);
  }
});

test('a PowerMetrics request is answered with the monitor\'s channels; without a monitor it is not', async () => {
  for (const withMonitor of [false, true]) {
    const clock = new ManualClock();
    const air = new MemoryAir(clock, LONG_FAST);
    const pm = create(Telemetry.PowerMetricsSchema, { ch1Voltage: 3.9, ch1Current: -210, ch2Voltage: 5.8, ch2Current: 400 });
    const a = testNode(air, clock, 'A', A, 'CLIENT', withMonitor ? { powerMetrics: () => pm } : {});
    const b = testNode(air, clock, 'B', B);
    air.link('A', 'B');
    a.router.start();
    b.router.start();
    const ask = create(Telemetry.TelemetrySchema, { variant: { case: 'powerMetrics', value: create(Telemetry.PowerMetricsSchema, {}) } });
    b.router.sendFromPhone(create(Mesh.MeshPacketSchema, {
      to: A, wantAck: false, hopLimit: 3,
      payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.TELEMETRY_APP, payload: toBinary(Telemetry.TelemetrySchema, ask), wantResponse: true }) },
    }));
    await clock.advance(20_000);
    const reply = b.toPhone.find((p) => p.from === A && dataOf(p).portnum === Portnums.PortNum.TELEMETRY_APP);
    if (!withMonitor) {
      assert.is(reply, undefined, 'no PowerMetrics without a monitor');
      continue;
    }
    const t = fromBinary(Telemetry.TelemetrySchema, dataOf(reply!).payload);
    assert.is(t.variant.case, 'powerMetrics');
    const got = t.variant.value as Telemetry.PowerMetrics;
    assert.ok(Math.abs(got.ch1Current! + 210) < 1e-3 && Math.abs(got.ch2Voltage! - 5.8) < 1e-6);
  }
});

test.run();
