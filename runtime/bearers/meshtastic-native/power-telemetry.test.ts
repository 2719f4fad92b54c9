/**
 * The native node under the power policies (runtime/power): DeviceMetrics and PowerMetrics broadcasts built as the
 * firmware's telemetry modules build them, ROUTER to CLIENT and back, the transmit power cap on the chip.
 */
import { test } from 'uvu';
import { setLogSink } from '../../log/logger.js';
import * as assert from 'uvu/assert';
import { create, fromBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums, Telemetry } from '@meshtastic/protobufs';
import type { MeshPort } from '../../../firmware-protocol/meshtastic/device/mesh-port.js';
import type { MeshRoleName } from '../../../firmware-protocol/meshtastic/mesh/role.js';
import { meshtasticModulation } from '../../../lib/lora/meshtastic-presets.js';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { createLogger } from '../../log/logger.js';
import { FakeLoraAir } from '../lora/testing/fake-lora-air.js';
import { AirUtilisation } from './air-utilisation.js';
import { NativeNode } from './native-node.js';
import { NativeRadio } from './native-radio.js';
import { nativeRegionRules } from './native-region.js';
import type { NativeDeviceState, NativeStack } from './native-stack.js';
import { PowerSlot, TELEMETRY_INTERVAL_MS, type NodePowerFigures } from './power-telemetry.js';

setLogSink(() => undefined, 'silent');

class FakeStack implements NativeStack {
  readonly local: Mesh.MeshPacket[] = [];
  readonly roles: MeshRoleName[] = [];
  nodeInfoFactor = 1;
  readonly port: MeshPort = { sendFromPhone: () => 1, onToPhone: () => () => undefined };
  clients() { return 0; }
  apiPort() { return undefined; }
  state(): NativeDeviceState {
    return { longName: 'Roof', shortName: 'ROOF', channels: [{ index: 0, name: 'LongFast', role: 'primary' }], nodes: () => [] };
  }
  async start() {}
  async stop() {}
  setRole(role: MeshRoleName) { this.roles.push(role); }
  setNodeInfoIntervalFactor(f: number) { this.nodeInfoFactor = f; }
  sendLocal(p: Mesh.MeshPacket) { this.local.push(p); return this.local.length; }
  localStats() { return { uptimeSeconds: 3600, channelUtilization: 4.5, airUtilTx: 1.25 }; }
}

function node(role: 'ROUTER' | 'CLIENT', clock: ManualClock) {
  const stack = new FakeStack();
  const air = new FakeLoraAir();
  const chip = air.radio();
  const radio = new NativeRadio({
    name: 'mt0', radio: chip, modulation: meshtasticModulation('EU_868', 'LONG_FAST', 20), utilisation: new AirUtilisation(clock), log: createLogger('test'),
    governor: new AirtimeGovernor({ region: nativeRegionRules('EU_868'), ledger: new AirtimeLedger(), policy: 'fail' }),
  });
  const power = new PowerSlot();
  const n = new NativeNode({ name: 'mt0', nodeNum: 0x1234abcd, publicKey: new Uint8Array(32), role, region: 'EU_868', preset: 'LONG_FAST', radio, stack, utilisation: new AirUtilisation(clock), device: 'emulated', log: createLogger('test'), clock, power });
  return { n, stack, chip, power };
}

const decode = (p: Mesh.MeshPacket) => {
  assert.is(p.payloadVariant.case, 'decoded');
  const d = p.payloadVariant.value as Mesh.Data;
  assert.is(d.portnum, Portnums.PortNum.TELEMETRY_APP);
  return fromBinary(Telemetry.TelemetrySchema, d.payload);
};

const figures = (charging: boolean): NodePowerFigures => ({
  stateOfCharge: 63.4, batteryVolts: 3.88, charging,
  channels: [{ channel: 1, volts: 3.88, amps: charging ? 0.25 : -0.2 }, { channel: 2, volts: 5.9, amps: 0.41 }, { channel: 3, volts: 3.87, amps: 0.21 }],
});

test('DeviceMetrics and PowerMetrics every 30 minutes, BACKGROUND broadcasts, as the firmware fills them', async () => {
  const clock = new ManualClock();
  const { n, stack, power } = node('CLIENT', clock);
  await n.start();
  try {
    await clock.advance(2 * 60_000);
    assert.is(stack.local.length, 0, 'nothing without figures');
    let charging = false;
    power.source = () => figures(charging);
    await clock.advance(TELEMETRY_INTERVAL_MS);
    assert.is(stack.local.length, 2);
    const [dev, pow] = stack.local;
    for (const p of [dev!, pow!]) {
      assert.is(p.to, 0xffffffff);
      assert.is(p.priority, Mesh.MeshPacket_Priority.BACKGROUND);
    }
    const d = decode(dev!).variant.value as Telemetry.DeviceMetrics;
    assert.is(d.batteryLevel, 63);
    assert.ok(Math.abs(d.voltage! - 3.88) < 1e-6);
    assert.ok(Math.abs(d.channelUtilization! - 4.5) < 1e-6);
    assert.is(d.uptimeSeconds, 3600);
    const pm = decode(pow!).variant.value as Telemetry.PowerMetrics;
    assert.ok(Math.abs(pm.ch1Voltage! - 3.88) < 1e-6);
    assert.ok(Math.abs(pm.ch1Current! + 200) < 1e-3, 'milliamps, negative while discharging');
    assert.ok(Math.abs(pm.ch2Current! - 410) < 1e-3);
    assert.ok(Math.abs(pm.ch3Voltage! - 3.87) < 1e-6);
    charging = true;
    await clock.advance(TELEMETRY_INTERVAL_MS);
    assert.is(stack.local.length, 4);
    assert.is((decode(stack.local[2]!).variant.value as Telemetry.DeviceMetrics).batteryLevel, 101, 'MAGIC_USB_BATTERY_LEVEL while charging (DeviceTelemetry.cpp)');
    n.setIntervalFactor(4);
    assert.is(stack.nodeInfoFactor, 4);
    await clock.advance(TELEMETRY_INTERVAL_MS);
    assert.is(stack.local.length, 6, 'the send already armed keeps its time');
    await clock.advance(3 * TELEMETRY_INTERVAL_MS);
    assert.is(stack.local.length, 6, 'then every 2 h');
    await clock.advance(TELEMETRY_INTERVAL_MS);
    assert.is(stack.local.length, 8);
  } finally {
    await n.stop();
  }
});

test('ROUTER runs as CLIENT while asked and back; a CLIENT is left alone; the power cap reaches the chip', async () => {
  const clock = new ManualClock();
  const r = node('ROUTER', clock);
  await r.n.start();
  r.n.setClientRole(true);
  r.n.setClientRole(false);
  assert.equal(r.stack.roles, ['CLIENT', 'ROUTER']);
  assert.is(r.chip.modulation?.txPowerDbm, 20);
  await r.n.setTxPowerCap(14);
  assert.is(r.chip.modulation?.txPowerDbm, 14);
  assert.is(r.n.modulation.txPowerDbm, 14);
  await r.n.setTxPowerCap(undefined);
  assert.is(r.chip.modulation?.txPowerDbm, 20);
  await r.n.stop();
  const c = node('CLIENT', clock);
  await c.n.start();
  c.n.setClientRole(true);
  assert.equal(c.stack.roles, []);
  await c.n.stop();
});

test.run();
