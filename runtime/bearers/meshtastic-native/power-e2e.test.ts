/**
 * A native node's battery telemetry on the simulated air (drivers/sx126x/sim): the relay's power figures go out as
 * Meshtastic DeviceMetrics and PowerMetrics on the telemetry port, channel-encrypted like any packet (decrypted here
 * with the default channel key, as every node on the channel does).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create, fromBinary } from '@bufbuild/protobuf';
import { Channel, Config, Mesh, Portnums, Telemetry } from '@meshtastic/protobufs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirServer } from '../../../drivers/sx126x/sim/air-server.js';
import { createPacketCipher } from '../../../firmware-protocol/meshtastic/ota/create-packet-cipher.js';
import { decodeOtaFrame } from '../../../firmware-protocol/meshtastic/ota/ota-frame.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { defaultComponents } from '../../components/components.js';
import { parseConfig } from '../../config/parse-config.js';
import { generateIdentity } from '../../identity/identity.js';
import { setLogSink } from '../../log/logger.js';
import { loraBearers } from '../lora/lora-from-config.js';
import type { NativeNode } from './native-node.js';
import { AirSniffer } from './testing/air-sniffer.js';
import { CoreClient } from './testing/core-client.js';
import { freePort } from '../../daemon/testing/relay-process.js';

setLogSink(() => undefined, 'silent');

const channel = [create(Channel.ChannelSchema, { index: 0, role: Channel.Channel_Role.PRIMARY, settings: { name: '', psk: Uint8Array.of(1) } })];
const cipher = createPacketCipher({ channels: channel, ownNodeNum: 0x7ffffff0, publicKeyOf: () => undefined, lora: { usePreset: true, modemPreset: 6 } });

test('DeviceMetrics and PowerMetrics from the relay\'s battery on the air; running as CLIENT, its NodeInfo says CLIENT', async () => {
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const dirs: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let sniffer: AirSniffer | undefined;
  try {
    const node = async (name: string, position: [number, number], api?: number) => {
      const dir = await mkdtemp(join(tmpdir(), `native-power-${name}-`));
      dirs.push(dir);
      const config = parseConfig({ lora: [{ name, protocol: 'meshtastic', preset: 'ShortFast', region: 'EU_868', hal: 'sim', air: `127.0.0.1:${air.port}`, position, meshtastic: { role: 'ROUTER', api: api ? `127.0.0.1:${api}` : false } }] }, {}, { home: dir });
      const built = await loraBearers(config.lora, { identity: generateIdentity(), dataDir: dir, bearerNames: [name] });
      cleanups.push(...(built.cleanups ?? []));
      const n = built.bearers[0]!(defaultComponents()) as NativeNode;
      await n.start();
      cleanups.unshift(() => n.stop());
      return n;
    };
    const api = await freePort();
    const roof = await node('roof', [0, 0], api);
    sniffer = await AirSniffer.open(air.port, roof.modulation, [250, 0]);
    roof.usePower(() => ({
      stateOfCharge: 57.4, batteryVolts: 3.84, charging: false,
      channels: [{ channel: 1, volts: 3.84, amps: -0.21 }, { channel: 2, volts: 0.2, amps: 0 }, { channel: 3, volts: 3.83, amps: 0.21 }],
    }));
    assert.ok(roof.sendPowerTelemetry(), 'figures to send');
    const roofNum = roof.radio().self!.nodeNum!;
    const telemetry = () => sniffer!.frames.flatMap((f) => {
      const p = decodeOtaFrame(f.bytes);
      const d = cipher.decrypt(p);
      if (p.from !== roofNum || !d.ok || d.packet.payloadVariant.case !== 'decoded' || d.packet.payloadVariant.value.portnum !== Portnums.PortNum.TELEMETRY_APP) return [];
      return [fromBinary(Telemetry.TelemetrySchema, d.packet.payloadVariant.value.payload)];
    });
    const heard = await waitFor('both telemetry packets on the air', () => (telemetry().length >= 2 ? telemetry() : undefined));
    const dm = heard.find((t) => t.variant.case === 'deviceMetrics')!.variant.value as Telemetry.DeviceMetrics;
    assert.is(dm.batteryLevel, 57);
    assert.ok(Math.abs(dm.voltage! - 3.84) < 1e-5);
    const pm = heard.find((t) => t.variant.case === 'powerMetrics')!.variant.value as Telemetry.PowerMetrics;
    assert.ok(Math.abs(pm.ch1Current! + 210) < 1e-3, 'battery discharging, mA');
    assert.ok(Math.abs(pm.ch3Voltage! - 3.83) < 1e-5);

    // Run as a CLIENT (the battery is low): the NodeInfo it sends says so.
    roof.setClientRole(true);
    const client = await CoreClient.connect(api);
    cleanups.unshift(() => client.close());
    client.nodeInfoPing();
    const user = await waitFor('our NodeInfo on the air', () => sniffer!.frames.map((f) => {
      const p = decodeOtaFrame(f.bytes);
      const d = cipher.decrypt(p);
      if (p.from !== roofNum || !d.ok || d.packet.payloadVariant.case !== 'decoded' || d.packet.payloadVariant.value.portnum !== Portnums.PortNum.NODEINFO_APP) return undefined;
      return fromBinary(Mesh.UserSchema, d.packet.payloadVariant.value.payload);
    }).find((u) => u !== undefined));
    assert.is(user.role, Config.Config_DeviceConfig_Role.CLIENT, 'the role it runs, not the configured ROUTER');
  } finally {
    sniffer?.close();
    for (const c of cleanups) await c().catch(() => undefined);
    await air.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
});

test.run();
